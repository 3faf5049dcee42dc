import Foundation
import LinqCore
import LinqShell
import TestSupport
import Testing

/// Walks the whole command table through the built binary: every API command's example runs
/// against a fresh emulator (reset before each), every built-in that takes a file runs its
/// examples with real files, and `help` lists every command.
@Suite(.ownThread) struct CatalogExampleTests {
    @Test func everyExampleRunsAgainstTheEmulator() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: home.path))
        defer { emulator.stop() }
        let env = LinqBinary.environment(
            home: home.path,
            extra: emulator.clientVariables.merging(["LINQ_NUMBER": "+15551230001"]) { $1 })
        var failures: [String] = []
        for spec in CommandRegistry.all where spec.operation != nil {
            for example in spec.examples {
                let result = try LinqBinary.run(
                    ["-c", "request POST /_emulator/reset", "-c", example, "--output", "json"], environment: env)
                if result.status != 0 {
                    failures.append("\(spec.name): `\(example)` → exit \(result.status): \(result.stderr.prefix(300))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) examples failed:\n\(failures.joined(separator: "\n"))")
    }

    @Test func builtInsThatTakeAFileRunTheirExamplesWithRealFiles() throws {
        let home = TempDirectory()
        defer { home.remove() }
        writeTextFile(home.file("setup.linq"), "card get\n")
        writeTextFile(home.file("README.md"), "# hello\n")
        writeTextFile(home.file("demo.env"), "# vars FILE's example\nfirst='Ann'\n")
        // A captured delivery signed with the secret of `webhook verify`'s example.
        let body = #"{"event_type":"message.sent"}"#
        let stamp = Int(Date().timeIntervalSince1970)
        let signature = try WebhookSignature.sign(
            id: "msg_1", timestamp: stamp, body: Array(body.utf8), secret: "whsec_ZXhhbXBsZQ==")
        writeTextFile(
            home.file("delivery.http"),
            "POST /hooks HTTP/1.1\r\nwebhook-id: msg_1\r\nwebhook-timestamp: \(stamp)\r\nwebhook-signature: \(signature)\r\n\r\n\(body)"
        )
        let env = LinqBinary.environment(home: home.path)
        var ran = 0
        for spec in CommandRegistry.all where spec.operation == nil {
            guard spec.parameters.contains(where: { $0.type == .file }) else { continue }
            for example in spec.examples {
                let result = try LinqBinary.run(["-c", example], environment: env, directory: home.path)
                #expect(result.status == 0, "`\(example)` → \(result.status): \(result.stderr)")
                ran += 1
            }
        }
        #expect(ran >= 3, "source, record and attachment upload")
    }

    @Test func helpListsEveryCommand() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let help = try LinqBinary.run(["-c", "help"], environment: LinqBinary.environment(home: home.path))
        #expect(help.status == 0)
        for spec in CommandRegistry.all {
            #expect(help.stdout.contains(spec.name + " "), "\(spec.name)")
        }
    }
}
