import LinqEmulator
import LinqShell

/// Starts the built-in emulator in this process on a loopback port (the zero-config default).
enum EmbeddedEmulator {
    /// Kept alive for the life of the process.
    nonisolated(unsafe) static var server: EmulatorServer?
    nonisolated(unsafe) static var handle: EmulatorHandle?

    /// Starts (once) the emulator on `stateFile`; `fresh` first resets it to the seed data.
    static func start(stateFile: String?, legacyState: String? = nil, fresh: Bool = false) throws -> EmulatorHandle {
        if let running = handle { return running }
        let emulator = try Emulator(stateFile: stateFile, legacyState: legacyState)
        if fresh { emulator.reset() }
        let result = Blocking.run { () async -> Result<EmulatorServer, any Error> in
            do {
                return .success(try await EmulatorServer.start(emulator))
            } catch {
                return .failure(error)
            }
        }
        let server = try result.get()
        Self.server = server
        // A loaded state always has a partner with a line (the state file is checked), but never trap.
        guard let first = emulator.partners.first, let number = first.lines.first?.phoneNumber else {
            throw EmbeddedEmulatorError.noPartner
        }
        let numbers = first.lines.map(\.phoneNumber)
        let made = EmulatorHandle(
            baseURL: server.baseURL, apiKey: first.apiKey, defaultNumber: number, numbers: numbers,
            chatIDs: emulator.chats.filter { numbers.contains($0.line) }.map(\.id))
        handle = made
        return made
    }
}

/// The built-in emulator has nothing to act as.
enum EmbeddedEmulatorError: Error, CustomStringConvertible {
    case noPartner
    var description: String { "the emulator's state has no partner with a line" }
}
