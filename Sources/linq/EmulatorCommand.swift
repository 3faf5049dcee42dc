import ArgumentParser
import Dispatch
import LinqEmulator
import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

/// `linq emulator [--port 4010] [--host ADDR] [--state FILE] [--control-on-all-interfaces]`: serves
/// the built-in emulator until Ctrl-C; `linq emulator logs|deliveries|redeliver …` look at a
/// running one's traffic, `linq emulator snapshot …` saves and restores its state.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run the built-in Linq API emulator on 127.0.0.1 for other clients (e.g. the official SDK).",
        discussion: """
            Control API (no key needed): GET /_emulator, POST /_emulator/faults, POST /_emulator/clock, \
            GET /_emulator/requests, POST /_emulator/reset, GET /_emulator/logs, GET /_emulator/deliveries, \
            /_emulator/snapshots. \
            See the README. Beside a running emulator: linq emulator logs --follow shows every request it \
            serves, linq emulator deliveries its webhook deliveries, linq emulator snapshot save NAME its \
            whole state.
            """,
        subcommands: [
            EmulatorLogsCommand.self, EmulatorDeliveriesCommand.self, EmulatorRedeliverCommand.self,
            EmulatorSnapshotCommand.self,
        ]
    )

    @Option(help: "Port to listen on (0 = any free port).")
    var port: Int = 4010

    @Option(
        help: "Address to bind (loopback by default). Beyond loopback the API is served but not the control API.")
    var host: String = "127.0.0.1"

    @Option(
        help:
            "Keep state in this file across restarts (saved atomically before each answer; processes may share it).")
    var state: String?

    @Flag(
        name: .customLong("control-on-all-interfaces"),
        help: "Serve the control API (keys, reset, faults) on a non-loopback --host too.")
    var controlOnAllInterfaces = false

    func run() throws {
        let emulator: Emulator
        do {
            emulator = try Emulator(stateFile: state)
        } catch {
            StandardOutput().writeErr("linq emulator: \(error)\n")
            throw ExitCode(1)
        }
        let (host, port, control) = (self.host, self.port, controlOnAllInterfaces)
        let started = Blocking.run { () async -> Result<EmulatorServer, any Error> in
            do {
                return .success(
                    try await EmulatorServer.start(emulator, host: host, port: port, controlOnAllInterfaces: control))
            } catch {
                return .failure(error)
            }
        }
        let server: EmulatorServer
        switch started {
        case .success(let s): server = s
        case .failure(let error):
            StandardOutput().writeErr("linq emulator: cannot listen on \(host):\(port): \(error)\n")
            throw ExitCode(1)
        }
        let address =
            server.boundAddress.contains(":")
            ? "[\(server.boundAddress)]:\(server.port)" : "\(server.boundAddress):\(server.port)"
        var lines = ["Linq emulator listening on \(address)", "  base URL: \(server.baseURL)"]
        if let state { lines.append("  state:    \(state)") }
        let chats = emulator.chats
        for partner in emulator.partners {
            lines.append("  partner \(partner.name): LINQ_API_V3_API_KEY=\(partner.apiKey)")
            for line in partner.lines {
                let chat = chats.first { $0.line == line.phoneNumber }?.id ?? "-"
                lines.append("    line \(line.phoneNumber) (\(line.lineType))  chat \(chat)")
            }
        }
        let root = server.baseURL.replacingSuffix("/api/partner", with: "")
        lines.append(
            server.servesControl
                ? "  control:  \(root)/_emulator  (Ctrl-C to stop)"
                : "  control:  off beyond loopback (--control-on-all-interfaces to serve it)  (Ctrl-C to stop)")
        StandardOutput().writeOut(lines.joined(separator: "\n") + "\n")
        // Ctrl-C or SIGTERM: the request log's last entries (up to 100 ms of them wait in memory
        // for their batch) are written first, for at most 2 s, then the process ends at once.
        let stops = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                DispatchQueue.global().asyncAfter(deadline: .now() + 2) { _exit(0) }
                emulator.flushLogs()
                _exit(0)
            }
            source.resume()
            return source
        }
        withExtendedLifetime(stops) {
            _ = Blocking.run { () async -> Bool in
                (try? await server.wait()) != nil
            }
        }
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
