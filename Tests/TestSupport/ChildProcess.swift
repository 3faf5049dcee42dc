import CPTY
import Foundation
import Synchronization

/// A child process started with posix_spawn, for the tests that run `linq` (and `sh`, `true`).
/// Not Foundation's `Process`: its `run()` crashed in a memcpy under parallel tests even with
/// launches serialised, and its children could inherit other tests' pipes. Here fds 0–2 are what
/// the caller passes and every other descriptor is closed in the child.
public final class ChildProcess: @unchecked Sendable {
    public let processIdentifier: pid_t
    private let ended = Mutex<Int32?>(nil)

    /// Starts `path arguments…` with exactly `environment`, the given fds as its 0–2 (`nil`:
    /// /dev/null) and `directory` as its working directory (default: the test runner's).
    public init(
        _ path: String, _ arguments: [String] = [], environment: [String: String], stdin: Int32? = nil,
        stdout: Int32? = nil, stderr: Int32? = nil, directory: String? = nil
    ) throws {
        _ = ChildProcess.prepared
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let pid = cpty_spawn_with(path, argv, envp, directory, stdin ?? null, stdout ?? null, stderr ?? null)
        guard pid > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        processIdentifier = pid
    }

    /// Done once, before any pipe or child: fds 0–2 open (CI may start the runner with them
    /// closed, and a pipe must not take their place), and SIGPIPE ignored so that writing to a
    /// child that has exited fails with EPIPE instead of ending the test runner (children get
    /// default dispositions back).
    static let prepared: Void = {
        PseudoTerminal.reopenStandardDescriptors()
        signal(SIGPIPE, SIG_IGN)
    }()

    /// A pipe whose ends are closed on exec (a child gets one only as its 0–2).
    public static func pipe() -> (read: Int32, write: Int32) {
        _ = prepared
        var fds: [Int32] = [-1, -1]
        precondition(cpty_pipe(&fds) == 0, "pipe2 failed: errno \(errno)")
        return (fds[0], fds[1])
    }

    /// Whether the child is still running (an ended child is reaped and its status kept).
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits for the child to end; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 { reap(blocking: true) ?? -1 }

    /// The exit status (waits for the end first): the exit code, or 128 + the signal.
    public var terminationStatus: Int32 { waitUntilExit() }

    /// Sends SIGTERM.
    public func terminate() { kill(processIdentifier, SIGTERM) }

    private func reap(blocking: Bool) -> Int32? {
        ended.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            var result: pid_t
            repeat {
                result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
            } while result < 0
                && errno == EINTR
            guard result == processIdentifier else { return nil }
            known = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return known
        }
    }

    /// Writes `input` to `stdin` (then closes it) while reading `outputs` to their ends, until
    /// `deadline`; returns what each output gave and whether all ended in time. Closes every fd.
    public static func communicate(stdin: Int32?, input: [UInt8], outputs: [Int32], deadline: Date) -> (
        [[UInt8]], Bool
    ) {
        var collected = Array(repeating: [UInt8](), count: outputs.count)
        var open = Set(outputs.indices)
        var writer = stdin
        var written = 0
        // Non-blocking: `poll` promises room for some bytes, not for all that are left.
        if let fd = writer { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if let fd = writer, input.isEmpty {
            close(fd)
            writer = nil
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || writer != nil {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var fds = open.sorted().map { pollfd(fd: outputs[$0], events: Int16(POLLIN), revents: 0) }
            if let writer { fds.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for (slot, index) in open.sorted().enumerated() where fds[slot].revents != 0 {
                let n = read(outputs[index], &buffer, buffer.count)
                if n > 0 {
                    collected[index].append(contentsOf: buffer[0..<n])
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.remove(index)
                }
            }
            if let fd = writer, let last = fds.last, last.revents != 0 {
                let n = input[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n > 0 { written += n }
                if written == input.count || (n < 0 && errno != EINTR && errno != EAGAIN) {
                    close(fd)
                    writer = nil
                }
            }
        }
        if let writer { close(writer) }
        outputs.forEach { close($0) }
        return (collected, open.isEmpty)
    }
}
