import LinqEmulator
import LinqShell

/// Starts the built-in emulator in this process on a loopback port (the zero-config default).
enum EmbeddedEmulator {
    /// Kept alive for the life of the process.
    nonisolated(unsafe) static var server: EmulatorServer?
    nonisolated(unsafe) static var handle: EmulatorHandle?

    static func start(stateFile: String?) throws -> EmulatorHandle {
        if let running = handle { return running }
        let emulator = try Emulator(stateFile: stateFile)
        let result = Blocking.run { () async -> Result<EmulatorServer, any Error> in
            do {
                return .success(try await EmulatorServer.start(emulator))
            } catch {
                return .failure(error)
            }
        }
        let server = try result.get()
        Self.server = server
        let first = emulator.partners[0]
        let numbers = first.lines.map(\.phoneNumber)
        handle = EmulatorHandle(
            baseURL: server.baseURL, apiKey: first.apiKey, defaultNumber: numbers[0], numbers: numbers,
            chatIDs: emulator.chats.filter { numbers.contains($0.line) }.map(\.id))
        return handle!
    }
}
