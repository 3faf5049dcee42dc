import Foundation

/// A private home folder for runs of the `linq` binary (its own state, config and history), with
/// helpers to write files into it and run the binary with it.
public struct ScratchHome: Sendable {
    public let home = TempDirectory()

    public init() {}

    /// The environment of `LinqBinary.environment(home:)` for this home.
    public var env: [String: String] { LinqBinary.environment(home: home.path) }

    /// Writes a text file in the home folder; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let path = home.file(name)
        writeTextFile(path, text)
        return path
    }

    /// Writes raw bytes in the home folder; returns the path.
    @discardableResult
    public func writeBytes(_ name: String, _ bytes: [UInt8]) -> String {
        let path = home.file(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Runs `linq args…` with this home (and `extra` variables) and waits for it.
    public func run(
        _ args: [String], stdin: String? = nil, extra: [String: String] = [:], directory: String? = nil
    ) throws -> LinqBinary.Result {
        try LinqBinary.run(
            args, environment: LinqBinary.environment(home: home.path, extra: extra), stdin: stdin,
            directory: directory)
    }
}
