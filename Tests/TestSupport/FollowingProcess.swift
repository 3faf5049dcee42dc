import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A `linq` process that keeps running and printing (`linq emulator logs --follow`): its stdout
/// and stderr are read as they come, on a thread of their own, so that a test can wait for a
/// line with a deadline, then stop the process (Ctrl-C, `interrupt`) or kill it (`kill`, which
/// `deinit` does too, so that a failed test leaves no process behind).
public final class FollowingProcess: @unchecked Sendable {
    public let process: ChildProcess
    private let collected = Collected()

    /// What the reading thread has read (shared with it; the process object may go first).
    private final class Collected: Sendable {
        let state = Mutex<(out: [UInt8], err: [UInt8], ended: Bool)>(([], [], false))
    }

    /// Starts `linq args…` with `environment`.
    public init(_ args: [String], environment: [String: String]) throws {
        let out = ChildProcess.pipe()
        let err = ChildProcess.pipe()
        do {
            process = try ChildProcess(
                LinqBinary.path, args, environment: environment, stdout: out.write, stderr: err.write)
        } catch {
            [out.read, out.write, err.read, err.write].forEach { close($0) }
            throw error
        }
        close(out.write)
        close(err.write)
        let thread = Thread { [collected] in
            var fds = [
                pollfd(fd: out.read, events: Int16(POLLIN), revents: 0),
                pollfd(fd: err.read, events: Int16(POLLIN), revents: 0),
            ]
            var open = 2
            var buffer = [UInt8](repeating: 0, count: 65536)
            while open > 0 {
                guard poll(&fds, 2, 1000) >= 0 || errno == EINTR else { break }
                for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                    let n = read(fds[i].fd, &buffer, buffer.count)
                    if n > 0 {
                        let bytes = buffer[0..<n]
                        collected.state.withLock {
                            i == 0 ? $0.out.append(contentsOf: bytes) : $0.err.append(contentsOf: bytes)
                        }
                    } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                        close(fds[i].fd)
                        fds[i].fd = -1
                        open -= 1
                    }
                }
            }
            collected.state.withLock { $0.ended = true }
        }
        thread.start()
    }

    deinit { kill() }

    /// What it printed on stdout so far.
    public var stdout: String { collected.state.withLock { String(decoding: $0.out, as: UTF8.self) } }
    /// What it printed on stderr so far.
    public var stderr: String { collected.state.withLock { String(decoding: $0.err, as: UTF8.self) } }

    /// Waits (up to `seconds`) until `condition` holds for stdout; whether it did.
    public func waitForStdout(seconds: Double = 20, _ condition: (String) -> Bool) -> Bool {
        blockUntil(seconds: seconds) { condition(stdout) }
    }

    /// Waits (up to `seconds`) until `condition` holds for stderr; whether it did.
    public func waitForStderr(seconds: Double = 20, _ condition: (String) -> Bool) -> Bool {
        blockUntil(seconds: seconds) { condition(stderr) }
    }

    /// Sends Ctrl-C (SIGINT) and waits up to `seconds` for the process to end: its exit status,
    /// `nil` when it did not end (it is then killed).
    public func interrupt(seconds: Double = 10) -> Int32? {
        Glibc.kill(process.processIdentifier, SIGINT)
        let ended = blockUntil(seconds: seconds) { !process.isRunning }
        guard ended else {
            kill()
            return nil
        }
        // Whatever it printed last is read before the caller looks.
        _ = blockUntil(seconds: 5) { collected.state.withLock { $0.ended } }
        return process.waitUntilExit()
    }

    /// Ends the process at once (SIGKILL) if it still runs.
    public func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
