import LinqCore
import LinqEmulator
import LinqShell
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Starts the built-in emulator in this process on a loopback port (the zero-config default).
/// The state is loaded at once (the session needs its partner and lines) and a port reserved;
/// the HTTP server starts when the first request needs it (`ReadyTransport`), or in the
/// background while the prompt is drawn (`warmUp`) — a run that sends nothing (`-c exit`,
/// `help`) never starts it.
enum EmbeddedEmulator {
    /// Kept alive for the life of the process.
    nonisolated(unsafe) static var handle: EmulatorHandle?

    /// Where the server is.
    private enum Server {
        case none
        /// Loaded, its port reserved, not started.
        case prepared(Emulator, PortReservation)
        case starting(Task<EmulatorServer, any Error>)
        case running(EmulatorServer)
    }

    private static let server = Mutex<Server>(.none)

    /// Loads (once) the emulator on `stateFile` and reserves its port; `fresh` first resets it
    /// to the seed data.
    static func start(stateFile: String?, legacyState: String? = nil, fresh: Bool = false) throws -> EmulatorHandle {
        if let running = handle { return running }
        let emulator = try Emulator(stateFile: stateFile, legacyState: legacyState)
        if fresh { emulator.reset() }
        // A loaded state always has a partner with a line (the state file is checked), but never trap.
        guard let first = emulator.partners.first, let number = first.lines.first?.phoneNumber else {
            throw EmbeddedEmulatorError.noPartner
        }
        let reservation = try PortReservation()
        server.withLock { $0 = .prepared(emulator, reservation) }
        let numbers = first.lines.map(\.phoneNumber)
        let made = EmulatorHandle(
            baseURL: "http://127.0.0.1:\(reservation.port)/api/partner", apiKey: first.apiKey, defaultNumber: number,
            numbers: numbers, chatIDs: emulator.chats.filter { numbers.contains($0.line) }.map(\.id))
        handle = made
        return made
    }

    /// Starts the server in the background if it is prepared (at the prompt: the first command
    /// then finds it listening).
    static func warmUp() { _ = launch() }

    /// The server's start: begun now if it was only prepared; `nil` when it runs (or there is none).
    private static func launch() -> Task<EmulatorServer, any Error>? {
        server.withLock { state in
            switch state {
            case .none, .running: return nil
            case .starting(let task): return task
            case .prepared(let emulator, let reservation):
                let task = Task.detached { () async throws -> EmulatorServer in
                    // The reservation is let go once the server holds the port (or failed to).
                    defer { reservation.release() }
                    return try await EmulatorServer.start(emulator, host: "127.0.0.1", port: reservation.port)
                }
                state = .starting(task)
                return task
            }
        }
    }

    /// Waits until the server listens, starting it if needed (at once when it runs, or when no
    /// emulator was started).
    static func ready() async throws {
        guard let task = launch() else { return }
        do {
            let running = try await task.value
            server.withLock { state in
                if case .starting(let current) = state, current == task { state = .running(running) }
            }
        } catch {
            throw EmbeddedEmulatorError.notStarted(String(describing: error))
        }
    }
}

/// A loopback port held for the server: bound with `SO_REUSEADDR` but not listening, so the
/// server (which binds with `SO_REUSEADDR` too) can take it while no other socket can.
final class PortReservation: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EmbeddedEmulatorError.notStarted("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw EmbeddedEmulatorError.notStarted("cannot bind 127.0.0.1: errno \(code)")
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Lets the port go (the server's socket keeps it).
    func release() { close(descriptor) }
}

/// The transport of a zero-config shell: each request first waits for the built-in emulator's
/// server to listen (one lock once it does).
struct ReadyTransport: LinqTransport {
    let inner: any LinqTransport

    func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData {
        try await EmbeddedEmulator.ready()
        return try await inner.send(request, timeouts: timeouts)
    }
}

/// The built-in emulator has nothing to act as, or its server did not start.
enum EmbeddedEmulatorError: Error, CustomStringConvertible {
    case noPartner
    case notStarted(String)
    var description: String {
        switch self {
        case .noPartner: "the emulator's state has no partner with a line"
        case .notStarted(let why): "the built-in emulator did not start: \(why)"
        }
    }
}
