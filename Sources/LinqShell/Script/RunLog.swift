/// Where a line came from: `file:line` in messages and reports.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { "\(file):\(line)" }
}

/// What a run did, for the summary and the TAP/JUnit reports: each assertion and each failed
/// command, in order.
public final class RunLog {
    public struct Entry: Sendable {
        public enum Kind: Sendable { case assertion, command }
        public var kind: Kind
        public var name: String
        public var location: SourceLocation?
        public var passed: Bool
        /// Failure details (expected/actual, or the error), one per line.
        public var details: [String]
    }

    public private(set) var entries: [Entry] = []
    public private(set) var commands = 0

    public init() {}

    public var assertionsPassed: Int { entries.filter { $0.kind == .assertion && $0.passed }.count }
    public var assertionsFailed: Int { entries.filter { $0.kind == .assertion && !$0.passed }.count }
    public var commandsFailed: Int { entries.filter { $0.kind == .command }.count }

    func commandRan() { commands += 1 }

    func assertion(_ name: String, at location: SourceLocation?, passed: Bool, details: [String] = []) {
        entries.append(Entry(kind: .assertion, name: name, location: location, passed: passed, details: details))
    }

    func commandFailed(_ name: String, at location: SourceLocation?, details: [String]) {
        entries.append(Entry(kind: .command, name: name, location: location, passed: false, details: details))
    }

    /// The summary for stderr, one line that tells commands and assertions apart:
    /// `demo.linq: 9 commands (1 failed), 5 assertions passed, 0 failed`.
    public func summary(for file: String?) -> String {
        let name = file.flatMap { $0.isEmpty ? nil : "\($0): " } ?? ""
        let failed = commandsFailed > 0 ? " (\(commandsFailed) failed)" : ""
        return
            "\(name)\(commands) command\(commands == 1 ? "" : "s")\(failed), \(assertionsPassed) assertion\(assertionsPassed == 1 ? "" : "s") passed, \(assertionsFailed) failed\n"
    }
}
