import Foundation
import LinqCore

/// Runs the built `linq` binary as a user would, through pipes.
public enum LinqBinary {
    /// `.build/<config>/linq`, next to the test bundle.
    public static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var dir = bundle
        // The test runner may be inside `linqPackageTests.xctest/…` (macOS layout) or beside it.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("linq").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return bundle.appendingPathComponent("linq").path
    }

    /// The outcome of one run.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// A clean environment for the binary: a private HOME and XDG folders, no API key, no colour
    /// settings from the developer's shell.
    public static func environment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config", "LANG": "C.UTF-8",
            "PATH": "/usr/bin:/bin", "TERM": "xterm", "EDITRC": "/dev/null",
            // As git's own tests set GIT_PAGER=cat: long output at a test's terminal prints as is;
            // the pager's tests set PAGER themselves.
            "PAGER": "cat",
        ]
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Runs `linq args…` with `stdin` as input (none: /dev/null) and waits for it.
    /// `directory` is the working directory (default: the test runner's).
    public static func run(
        _ args: [String], environment: [String: String], stdin: String? = nil, timeout: Double = 30,
        directory: String? = nil
    ) throws -> Result {
        try runProcess(
            path, args, environment: environment, stdin: stdin.map { Array($0.utf8) }, timeout: timeout,
            directory: directory)
    }

    /// Runs an executable directly (a script's shebang line picks the interpreter).
    public static func runExecutable(_ file: String, _ args: [String] = [], environment: [String: String]) throws
        -> Result
    {
        try runProcess(file, args, environment: environment, stdin: nil, timeout: 30)
    }

    /// Like `run`, with raw bytes on stdin.
    public static func runBytes(_ args: [String], environment: [String: String], stdin: [UInt8]?, timeout: Double = 30)
        throws -> Result
    {
        try runProcess(path, args, environment: environment, stdin: stdin, timeout: timeout)
    }

    static func runProcess(
        _ executable: String, _ args: [String], environment: [String: String], stdin: [UInt8]?, timeout: Double,
        directory: String? = nil
    )
        throws -> Result
    {
        let input = stdin.map { _ in ChildProcess.pipe() }
        let out = ChildProcess.pipe()
        let err = ChildProcess.pipe()
        let process: ChildProcess
        do {
            process = try ChildProcess(
                executable, args, environment: environment, stdin: input?.read, stdout: out.write, stderr: err.write,
                directory: directory)
        } catch {
            [input?.read, input?.write, out.read, out.write, err.read, err.write].compactMap { $0 }.forEach {
                close($0)
            }
            throw error
        }
        // The child has its copies; ours of its ends would hold back end-of-file.
        [input?.read, out.write, err.write].compactMap { $0 }.forEach { close($0) }
        // Feed stdin and read both outputs together, so that no pipe can fill up and block the child.
        let (outputs, ended) = ChildProcess.communicate(
            stdin: input?.write, input: stdin ?? [], outputs: [out.read, err.read],
            deadline: Date().addingTimeInterval(timeout))
        if !ended {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw RunnerError.timedOut(args)
        }
        return Result(
            status: process.waitUntilExit(), stdout: String(decoding: outputs[0], as: UTF8.self),
            stderr: String(decoding: outputs[1], as: UTF8.self))
    }

    public enum RunnerError: Error { case timedOut([String]), noBaseURL(String) }

    /// A running `linq emulator` process.
    public final class EmulatorProcess: @unchecked Sendable {
        public let process: ChildProcess
        public let baseURL: String
        public let banner: String

        /// Starts `linq emulator --port 0 [extra]` and waits for its banner.
        public init(extra: [String] = [], environment: [String: String]) throws {
            let out = ChildProcess.pipe()
            defer { close(out.read) }
            do {
                process = try ChildProcess(
                    LinqBinary.path, ["emulator", "--port", "0"] + extra, environment: environment, stdout: out.write)
            } catch {
                close(out.write)
                throw error
            }
            close(out.write)
            var text = ""
            let deadline = Date().addingTimeInterval(20)
            // Raw read(2): FileHandle.availableData may wait for EOF on a pipe.
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !text.contains("(Ctrl-C to stop)") && Date() < deadline {
                let n = read(out.read, &buffer, buffer.count)
                if n <= 0 { break }
                text += String(decoding: buffer[0..<n], as: UTF8.self)
            }
            banner = text
            guard let line = text.split(separator: "\n").first(where: { $0.contains("base URL:") }) else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw RunnerError.noBaseURL(text)
            }
            baseURL = String(line.split(separator: " ").last!)
        }

        /// Environment variables that point a `linq` client at this emulator as the first seeded partner.
        public var clientVariables: [String: String] {
            ["LINQ_API_V3_API_KEY": "linq-emulator-acme", "LINQ_API_V3_BASE_URL": baseURL]
        }

        /// `http://127.0.0.1:PORT`: where the control API (`/_emulator/…`) lives.
        public var root: String { String(baseURL.dropLast("/api/partner".count)) }

        /// Sends a control request (`POST /_emulator/clock` with `{"advance_seconds": 60}`, …).
        @discardableResult
        public func control(_ method: String, _ path: String, json body: String? = nil) async throws
            -> HTTPResponseData
        {
            try await AsyncHTTPTransport.shared.send(
                HTTPRequestData(
                    method: method, url: root + path,
                    headers: body == nil ? [] : [HTTPHeader("Content-Type", "application/json")],
                    body: body.map { Array($0.utf8) }), timeouts: .init())
        }

        /// How many API requests the emulator has answered (its `/_emulator/requests` count).
        public func requestCount() async throws -> Int {
            let body = try await control("GET", "/_emulator/requests").body
            let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            return object?["count"] as? Int ?? -1
        }

        /// Stops the emulator (SIGTERM) and waits; once stopped, a second call does nothing (no
        /// signal to a process id that may have been given to another process since).
        public func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }
}
