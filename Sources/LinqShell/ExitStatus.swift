import LinqCore

/// The process exit status: the one mapping from outcomes to codes (README "Exit status").
public enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Every command succeeded.
    case ok = 0
    /// The API answered with an error, or the request failed (network, timeout).
    case failure = 1
    /// Usage or parse error: unknown command or flag, bad value, bad quoting — nothing was sent.
    case usage = 2
    /// An `expect` assertion failed.
    case assertion = 3
    /// `linq run --perform` completed, but steps came from the tape (unless `--allow-tape`).
    case taped = 4
    /// Interrupted (Ctrl-C).
    case interrupted = 130

    /// The status for a failure.
    public init(_ error: ShellError) {
        switch error.kind {
        case .usage: self = .usage
        case .request: self = error.linqError?.kind == .cancelled ? .interrupted : .failure
        case .assertion: self = .assertion
        case .interrupted: self = .interrupted
        }
    }

    /// The status of a run: its first failure's, or 0.
    public init(firstFailure: ShellError?) {
        self = firstFailure.map(ExitStatus.init) ?? .ok
    }

    public var code: Int32 { rawValue }

    /// One line for `help exit-codes`.
    public var meaning: String {
        switch self {
        case .ok: "success"
        case .failure: "the API answered with an error, or the request failed (network, timeout)"
        case .usage: "usage or parse error (unknown command or flag, bad value, bad quoting): nothing was sent"
        case .assertion: "an expect assertion failed"
        case .taped: "linq run --perform completed with steps played from the tape (--allow-tape: 0)"
        case .interrupted: "interrupted (Ctrl-C)"
        }
    }
}
