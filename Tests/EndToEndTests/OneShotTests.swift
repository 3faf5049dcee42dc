import TestSupport
import Testing

/// The built binary through pipes: `linq -c` against the zero-config emulator, and
/// `linq emulator` serving another client.
@Suite(.ownThread) struct OneShotTests {
    @Test func createThenConflictAcrossTwoRuns() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let first = try LinqBinary.run(["-c", "card create --first John --number +15551230001"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"is_active\": true"))
        #expect(first.stdout.contains("\"first_name\": \"John\""))
        #expect(!first.stdout.contains("\u{1B}["), "no colour through a pipe")
        let second = try LinqBinary.run(["-c", "card create --first John --number +15551230001"], environment: env)
        #expect(second.status == 1)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr.contains("409"))
        #expect(second.stderr.contains("2014"))
        #expect(second.stderr.contains("A contact card already exists for this phone number"))
        #expect(second.stderr.contains("card update"), "the hint says what to do")
        #expect(second.stderr.contains("trace:"))
        #expect(!second.stderr.contains("linq-emulator-acme"), "the key is never printed")
    }

    @Test func usageErrorsExitWith2AndSendNothing() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let cases: [(String, String)] = [
            ("card create --first John --number 555", "E.164"),
            ("card creat --first John", "did you mean 'card create'"),
            ("card create --frist John", "did you mean '--first'"),
            ("card create --last Doe --number +15551230001", "missing required flag --first"),
            ("cards", "needs a verb"),
            ("crad get", "did you mean 'card'"),
            ("card create --first 'John", "the ' quote opened on line 1 is never closed"),
        ]
        for (line, message) in cases {
            let result = try LinqBinary.run(["-c", line], environment: env)
            #expect(result.status == 2, "\(line)")
            #expect(result.stderr.contains(message), "\(line): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").first?.hasPrefix("error:") == true)
        }
    }

    @Test func stdinLinesRunInOrderAndStopAtTheFirstFailure() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let result = try LinqBinary.run(
            [], environment: env,
            stdin:
                "card create --first Ann --number +15551230002\ncard get +15551230002\ncard create --first Ann --number +15551230002\ncard get\n"
        )
        #expect(result.status == 1)
        #expect(result.stdout.components(separatedBy: "\"first_name\": \"Ann\"").count == 3, "\(result.stdout)")
        #expect(!result.stdout.contains("linq("), "no prompt without a terminal")
        #expect(!result.stderr.contains("linq("), "no banner without a terminal")
        #expect(!(result.stdout + result.stderr).contains("\u{1B}["), "no colour without a terminal")
        #expect(result.stderr.contains("2014"))
    }

    @Test func invalidUTF8OnStdinIsAUsageError() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let result = try LinqBinary.run([], environment: env, stdin: "card get \u{FFFD}\n")
        #expect(result.status == 2)
        let bad = try LinqBinary.runBytes([], environment: env, stdin: Array("card get ".utf8) + [0xC3, 0x28, 0x0A])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("not valid UTF-8: byte 0xC3 at column 10"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
    }

    @Test func exitStopsWithItsStatus() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        #expect(try LinqBinary.run([], environment: env, stdin: "show\nexit 7\nshow\n").status == 7)
        #expect(try LinqBinary.run(["-c", "exit 3"], environment: env).status == 3)
    }

    @Test func emulatorCommandServesAnotherClient() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let emulator = try LinqBinary.EmulatorProcess(extra: ["--state", home.file("emu.sqlite")], environment: env)
        defer { emulator.stop() }
        #expect(emulator.banner.contains("LINQ_API_V3_API_KEY=linq-emulator-acme"))
        #expect(emulator.banner.contains("+15551230001"))
        let client = LinqBinary.environment(
            home: home.path,
            extra: ["LINQ_API_V3_API_KEY": "linq-emulator-globex", "LINQ_API_V3_BASE_URL": emulator.baseURL])
        let created = try LinqBinary.run(["-c", "card create --first Gail --number +15559870001"], environment: client)
        #expect(created.status == 0, "\(created.stderr)")
        let foreign = try LinqBinary.run(["-c", "card create --first Gail --number +15551230001"], environment: client)
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("403"))
        let names = try sqliteQuery(
            home.file("emu.sqlite"), "SELECT json_extract(body, '$.first_name') FROM contact_cards")
        #expect(names.contains(["Gail"]), "\(names)")
    }
}
