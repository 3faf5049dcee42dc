import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// "Every request ends" must hold even when nobody reads what `linq` writes: a notice written
/// from the request's event loop into a full stderr pipe would stall that loop, and a deadline
/// timer on the same loop would never fire.
@Suite(.ownThread) struct StalledTerminalTests {
    @Test func aRequestEndsAtItsDeadlineWhileStderrIsAFullPipeNobodyReads() async throws {
        let requests = Atomic<Int>(0)
        let gaveUp = Atomic<Bool>(false)
        // The first attempt gets a 429 asking for a retry in 1 s (announced on stderr); the
        // retry meets silence, and the server notes when the client gives up on it.
        let server = try HostileServer { connection, _ in
            if requests.wrappingAdd(1, ordering: .relaxed).oldValue == 0 {
                connection.write(
                    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                return
            }
            while connection.pause(0.1) {}
            gaveUp.store(true, ordering: .relaxed)
        }
        defer { server.stop() }
        let home = TempDirectory()
        defer { home.remove() }
        let stderr = ChildProcess.pipe()
        // Fill the pipe before linq starts: its first write to stderr blocks until we read.
        _ = fcntl(stderr.write, F_SETFL, fcntl(stderr.write, F_GETFL) | O_NONBLOCK)
        var filler = [UInt8](repeating: UInt8(ascii: "."), count: 4096)
        while write(stderr.write, &filler, filler.count) > 0 {}
        while write(stderr.write, &filler, 1) > 0 {}
        _ = fcntl(stderr.write, F_SETFL, fcntl(stderr.write, F_GETFL) & ~O_NONBLOCK)
        let stdout = ChildProcess.pipe()
        let child = try ChildProcess(
            LinqBinary.path,
            ["--api-key", "linq-test-key", "--base-url", server.baseURL, "--timeout", "10", "-c", "card get"],
            environment: LinqBinary.environment(home: home.path), stdout: stdout.write, stderr: stderr.write)
        close(stdout.write)
        close(stderr.write)
        let ended = await onDedicatedThread { () -> Bool in
            // No wall-clock assertion: only that the client gives up while nobody reads stderr
            // (60 s is a bound against hanging the suite, far beyond the 3-s deadline).
            let end = Date().addingTimeInterval(60)
            while Date() < end {
                if gaveUp.load(ordering: .relaxed) { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
        let errors = await onDedicatedThread { readAll(stderr.read) }
        let status = await onDedicatedThread { child.waitUntilExit() }
        close(stdout.read)
        #expect(ended, "the request ended while stderr was full")
        #expect(status == 1)
        #expect(requests.load(ordering: .relaxed) == 2)
        #expect(errors.contains("retrying in 1 s"), "the notice reached stderr once it was read")
    }
}

/// Reads a descriptor to its end.
private func readAll(_ fd: Int32) -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    close(fd)
    return String(decoding: bytes, as: UTF8.self)
}
