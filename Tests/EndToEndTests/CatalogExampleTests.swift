import LinqCore
import TestSupport
import Testing

/// Walks the whole catalog: every operation's `help` example runs against a fresh emulator
/// (reset before each) and succeeds, through the built binary.
@Suite struct CatalogExampleTests {
    @Test func everyExampleRunsAgainstTheEmulator() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: home.path))
        defer { emulator.stop() }
        let env = LinqBinary.environment(
            home: home.path,
            extra: emulator.clientVariables.merging(["LINQ_NUMBER": "+15551230001"]) { $1 })
        var failures: [String] = []
        for operation in APICatalog.operations {
            let result = try LinqBinary.run(
                ["-c", "request POST /_emulator/reset", "-c", operation.example, "--output", "json"], environment: env)
            if result.status != 0 {
                failures.append(
                    "\(operation.id): `\(operation.example)` → exit \(result.status): \(result.stderr.prefix(300))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) examples failed:\n\(failures.joined(separator: "\n"))")
    }

    @Test func helpListsEveryOperation() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let help = try LinqBinary.run(["-c", "help"], environment: LinqBinary.environment(home: home.path))
        #expect(help.status == 0)
        for operation in APICatalog.operations {
            #expect(help.stdout.contains(operation.commandName + " "), "\(operation.commandName)")
        }
    }
}
