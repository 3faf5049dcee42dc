import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 over raw POSIX sockets, one thread per connection, that
/// answers however a test tells it to: malformed status lines, responses cut short, bodies that
/// trickle, silence. It reads each request (head and `Content-Length` body), records it, then
/// hands the connection to the test's `respond` closure; the connection is closed when the
/// closure returns. Use it to test the client against servers that break the rules.
public final class HostileServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let received = Mutex<[ReceivedRequest]>([])

    /// `http://127.0.0.1:PORT/api/partner`, a base URL for a client.
    public var baseURL: String { "http://127.0.0.1:\(port)/api/partner" }

    /// The requests received so far, in order.
    public var requests: [ReceivedRequest] { received.withLock { $0 } }

    /// Starts listening; `respond` runs on the connection's own thread for every request.
    public convenience init(respond: @escaping @Sendable (HostileConnection, ReceivedRequest) -> Void) throws {
        try self.init(mode: .perRequest(respond))
    }

    /// Starts listening; `greet` runs as soon as a connection is accepted, before anything is
    /// read (a server that talks first, or answers a TLS hello with plain HTTP).
    public convenience init(onConnect greet: @escaping @Sendable (HostileConnection) -> Void) throws {
        try self.init(mode: .onConnect(greet))
    }

    enum Mode: Sendable {
        case perRequest(@Sendable (HostileConnection, ReceivedRequest) -> Void)
        case onConnect(@Sendable (HostileConnection) -> Void)
    }

    init(mode: Mode) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HostileServerError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw HostileServerError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop(mode) }
        thread.start()
    }

    private func acceptLoop(_ mode: Mode) {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let connection = HostileConnection(fd: client, server: self)
            let thread = Thread { [self] in
                defer { connection.close() }
                guard case .perRequest(let respond) = mode else {
                    if case .onConnect(let greet) = mode { greet(connection) }
                    return
                }
                while let request = connection.readRequest() {
                    received.withLock { $0.append(request) }
                    respond(connection, request)
                    if connection.isClosed || !connection.keepAlive { return }
                }
            }
            thread.start()
        }
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Stops accepting; connections in progress end at their next write or pause.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }
}

/// A request as the hostile server read it.
public struct ReceivedRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// One accepted connection of a `HostileServer`.
public final class HostileConnection: @unchecked Sendable {
    private let fd: Int32
    private unowned let server: HostileServer
    private var buffer: [UInt8] = []
    private let closed = Atomic<Bool>(false)
    /// Set to `true` to read another request on this connection after `respond` returns.
    public var keepAlive = false

    init(fd: Int32, server: HostileServer) {
        self.fd = fd
        self.server = server
    }

    /// Whether the connection was closed (by `close()` or a failed write).
    public var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// Writes bytes; returns `false` (and closes) when the peer is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                close()
                return false
            }
            offset += n
        }
        return true
    }

    /// Writes text (HTTP lines must end with `\r\n`).
    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Sleeps, returning `false` early when the server stops or the peer closed the connection.
    @discardableResult
    public func pause(_ seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if server.isStopped || isClosed { return false }
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&probe, 1, Int32(min(50, max(1, end.timeIntervalSinceNow * 1000)))) > 0 {
                // Readable while we are answering: the client closed (or sent more, ignored).
                var byte: UInt8 = 0
                if recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) == 0 {
                    close()
                    return false
                }
            }
        }
        return true
    }

    /// Closes the connection (idempotent).
    public func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }

    /// Closes with a TCP reset (SO_LINGER 0) instead of a FIN.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        Glibc.close(fd)
    }

    /// Reads one request, or `nil` when the peer closed first.
    func readRequest() -> ReceivedRequest? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            if let range = buffer.firstRange(of: separator) {
                headEnd = range.upperBound
                break
            }
            guard fill() else { return nil }
        }
        let head = String(decoding: buffer[..<(headEnd! - 4)], as: UTF8.self)
        buffer.removeFirst(headEnd!)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            )
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return ReceivedRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}

/// A setup failure of the hostile server.
public struct HostileServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then closed).
public func unusedLoopbackPort() throws -> Int {
    let server = try HostileServer { _, _ in }
    let port = server.port
    server.stop()
    return port
}
