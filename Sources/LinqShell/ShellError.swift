import LinqCore

/// A failure of one command: its kind decides the exit status (see `ExitStatus`, the one
/// mapping), its message and details what is printed.
public struct ShellError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The line could not be understood; nothing was sent.
        case usage
        /// The request was sent and failed (API error or transport failure).
        case request
        /// An assertion did not hold.
        case assertion
        /// The user interrupted.
        case interrupted
    }

    public var kind: Kind
    public var message: String
    /// The request failure behind a `.request` error.
    public var linqError: LinqError?
    /// Extra lines shown under the message (usage, hints).
    public var details: [String]
    /// Already printed (by a nested script run); not to be printed again.
    public var alreadyReported = false

    public init(_ kind: Kind, _ message: String, details: [String] = [], linqError: LinqError? = nil) {
        self.kind = kind
        self.message = message
        self.details = details
        self.linqError = linqError
    }

    /// A usage error (exit 2).
    public static func usage(_ message: String, _ details: String...) -> ShellError {
        ShellError(.usage, message, details: details)
    }

    /// The same error, marked as printed.
    public func markedReported() -> ShellError {
        var copy = self
        copy.alreadyReported = true
        return copy
    }

    /// The process exit status for this failure (see `ExitStatus`).
    public var exitCode: Int32 { ExitStatus(self).code }

    public var description: String { message }
}
