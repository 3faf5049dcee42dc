import LinqCore
import LinqEmulator
import LinqJSON
import LinqShell
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The one command table: every entry is complete and usable, and help, completion, the
/// history filter and exit codes all follow from it.
@Suite struct RegistryTests {
    @Test func everyEntryHasASummaryAnExampleAndHelpThatShowsIt() {
        #expect(CommandRegistry.all.count >= 70 + 20)
        for spec in CommandRegistry.all {
            #expect(!spec.summary.isEmpty, "\(spec.name)")
            #expect(!spec.examples.isEmpty, "\(spec.name) has no example")
            let help = HelpFormatter.help(spec)
            for example in spec.examples { #expect(help.contains(example), "\(spec.name): \(example)") }
            #expect(help.contains("usage: " + spec.name), "\(spec.name)")
        }
    }

    @Test func everyNameIsUniqueAndResolvesToItself() throws {
        var seen = Set<String>()
        for spec in CommandRegistry.all {
            #expect(seen.insert(spec.name).inserted, "\(spec.name) twice")
            if spec.grammar != nil { continue }
            let (found, consumed) = try CommandRegistry.resolve(spec.words)
            #expect(found.name == spec.name)
            #expect(consumed == spec.words.count)
        }
    }

    @Test func everyExampleParsesAndBinds() throws {
        for spec in CommandRegistry.all {
            for example in spec.examples {
                let commands = try Tokenizer.split(example)
                #expect(!commands.isEmpty, "\(spec.name): \(example)")
                for words in commands {
                    let literal = words.map { $0.literal ?? $0.display }
                    // A special form reads its own words (its examples run in the next test).
                    guard let innermost = FormGrammar.innermostCommand(literal), !innermost.isEmpty,
                        CommandRegistry.isCommandWord(innermost[0]),
                        CommandRegistry.all.first(where: { $0.words[0] == innermost[0] })?.grammar == nil
                    else { continue }
                    let (found, consumed) = try CommandRegistry.resolve(innermost)
                    let rest = Array(innermost.dropFirst(consumed))
                    if let operation = found.operation {
                        _ = try BoundCall.bind(operation: operation, defaultNumber: "+15551230001", rest)
                    } else {
                        _ = try Binder.bind(rest, to: found)
                    }
                }
            }
        }
    }

    @Test func everyBuiltInExampleRunsAgainstAFreshEmulator() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let failures = try await onDedicatedThread { () -> Result<[String], any Error> in
            Result {
                var failures: [String] = []
                for spec in CommandRegistry.all where spec.operation == nil {
                    // Commands that take a file are run by the end-to-end tests with real files.
                    if spec.parameters.contains(where: { $0.type == .file }) { continue }
                    // Examples awaiting a webhook delivery need an emulator that can reach a listener
                    // (this one answers in-process): the end-to-end tests run them through the binary.
                    // Chat mode likewise (ChatModeTests run it in a pty on a standalone emulator).
                    if spec.name == "chat open" { continue }
                    for example in spec.examples where !example.contains("expect event") {
                        let (shell, output) = try Self.shell(home: home.path)
                        let status = shell.run(line: example)
                        if status != 0 { failures.append("\(example) → \(status): \(output.err.prefix(200))") }
                    }
                }
                return failures
            }
        }.get()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// An interpreter on a fresh in-process emulator, with its own profile file.
    static func shell(home: String) throws -> (Interpreter, CapturedOutput) {
        let emulator = try Emulator()
        var session = Session()
        session.apiKey = Sourced(SeedData.acmeKey, .flag)
        session.baseURL = Sourced("http://emulator.invalid/api/partner", .flag)
        // The in-process emulator is the session's emulator (`require target emulator` holds).
        session.emulatorURL = "http://emulator.invalid/api/partner"
        session.emulatorKey = SeedData.acmeKey
        session.number = Sourced("+15551230001", .flag)
        session.output = Sourced(.json, .flag)
        let output = CapturedOutput()
        var configuration = LinqConfiguration()
        configuration.retry = .none
        let environment = ShellEnvironment(
            transport: InProcessTransport(emulator), baseConfiguration: configuration,
            variables: ["HOME": home, "XDG_CONFIG_HOME": home + "/config"])
        return (Interpreter(session: session, environment: environment, output: output, terminal: .none), output)
    }
}

@Suite struct HelpTests {
    func help(_ words: String) async throws -> String {
        let home = TempDirectory()
        defer { home.remove() }
        let (shell, output) = try RegistryTests.shell(home: home.path)
        let status = await run("help " + words, in: shell)
        #expect(status == 0, "help \(words): \(output.err)")
        return output.out
    }

    /// Runs a line on a thread of its own, as `main` would (never on the test's pool thread).
    func run(_ line: String, in shell: Interpreter) async -> Int32 {
        let box = Unchecked(shell)
        return await onDedicatedThread { box.value.run(line: line) }
    }

    @Test func theOverviewListsEveryCommandGroupedContactCardsFirst() async throws {
        let text = try await help("")
        for spec in CommandRegistry.all { #expect(text.contains(spec.name), "\(spec.name) missing from help") }
        let cards = try #require(text.range(of: "Contact cards"))
        let session = try #require(text.range(of: "\nSession"))
        let scripting = try #require(text.range(of: "\nScripting"))
        let debugging = try #require(text.range(of: "\nDebugging"))
        let chats = try #require(text.range(of: "chat create"))
        #expect(cards.lowerBound < chats.lowerBound)
        #expect(chats.lowerBound < session.lowerBound)
        #expect(session.lowerBound < scripting.lowerBound && scripting.lowerBound < debugging.lowerBound)
        #expect(text.contains("card get") && text.contains("also: list"), "verb aliases are shown")
        #expect(text.contains("help variables"))
    }

    @Test func everyEntryHasItsPage() async throws {
        for spec in CommandRegistry.all {
            let text = try await help(spec.name).split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(
                separator: " ")
            #expect(text.contains(spec.summary), "\(spec.name)")
        }
    }

    @Test func builtInsDescribeTheirWholeGrammar() async throws {
        let upload = try await help("attachment upload")
        #expect(upload.contains("--content-type") && upload.contains("attachment upload README.md"))
        let expect = try await help("expect")
        #expect(expect.contains("missing") && expect.contains("error none"))
        #expect(try await help("request").contains("single quotes"))
        let list = try await help("card list")
        #expect(list.contains("card get"), "an alias finds its command")
        let all = try await help("chat list")
        #expect(all.contains("--all") && all.contains("--max-pages"))
        #expect(try await help("set").contains("base-url"))
    }

    @Test func topicsAndErrorCodes() async throws {
        #expect(try await help("variables").contains("${env:VAR:-default}"))
        #expect(try await help("scripts").contains("--keep-going"))
        #expect(try await help("errors").contains("trace"))
        let code = try await help("2014")
        #expect(code.contains("409") && code.contains("already exists") && code.contains("card update"))
        #expect(code.contains("https://docs.linqapp.com/error/codes/2xxx/2014/"))
    }

    @Test func unknownHelpSuggests() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let (shell, output) = try RegistryTests.shell(home: home.path)
        #expect(await run("help cadr", in: shell) == 2)
        #expect(output.err.contains("did you mean 'card'"))
        #expect(await run("help 9999", in: shell) == 2)
        #expect(output.err.contains("no Linq error code 9999"))
    }

    @Test func wrappingNeverBreaksAWord() {
        let text = String(repeating: "alpha beta gamma ", count: 20) + "supercalifragilistic"
        let wrapped = HelpFormatter.wrap(text, width: 30, indent: "  ")
        for line in wrapped.split(separator: "\n") {
            #expect(line.count <= 30 || !line.contains(" "), "\(line)")
        }
        #expect(wrapped.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ") == text)
    }
}

@Suite struct HistoryFilterTests {
    @Test(arguments: [
        "set key sk_live_abc", "set kye sk_live_abc", "set KEY sk_live_abc", "set Api-Key x",
        "request GET /v3/contact_card -H 'Authorization: Bearer sk_test_secret123'",
        "request GET /v3/chats --header=X-Token:abc", "try set key abc", "sett key abc", "card get; set key abc",
        "let k = request GET /v3/chats -H 'A: b'", "set key 'unterminated",
        // Near misses of secret flags (issue 18, item 19).
        "webhook verify --secre whsec_c2VjcmV0 delivery.http", "webhook listen --secrte whsec_c2VjcmV0",
        "request GET /v3/chats --headr 'Authorization: Bearer x'",
    ])
    func linesThatCarryASecretStayOut(line: String) {
        #expect(CommandRegistry.carriesSecret(line, knownSecrets: []), "\(line)")
    }

    @Test(arguments: ["set output json", "card get", "set number +15551230001", "request GET /v3/chats", "echo key"])
    func ordinaryLinesAreKept(line: String) {
        #expect(!CommandRegistry.carriesSecret(line, knownSecrets: []), "\(line)")
    }

    @Test func aKnownKeyAnywhereKeepsTheLineOut() {
        #expect(CommandRegistry.carriesSecret("echo my sk_known_value", knownSecrets: ["sk_known_value"]))
    }
}

@Suite struct ExitStatusTests {
    @Test func oneRowPerOutcome() {
        #expect(ExitStatus(firstFailure: nil).code == 0)
        let api = LinqError(kind: .api, message: "exists", status: 409, code: 2014)
        #expect(ExitStatus(ShellError(.request, "x", linqError: api)).code == 1)
        #expect(ExitStatus(ShellError.usage("bad")).code == 2)
        #expect(ExitStatus(ShellError(.assertion, "no")).code == 3)
        #expect(ExitStatus(ShellError(.interrupted, "^C")).code == 130)
        #expect(ExitStatus(ShellError(.request, "cancelled", linqError: .cancelledByCaller)).code == 130)
        #expect(ExitStatus.allCases.map(\.code) == [0, 1, 2, 3, 4, 130])
    }
}

@Suite struct TableCompletionTests {
    func complete(_ text: String, session: Session = Session()) -> [String] {
        Completer().complete(text, session: session).candidates
    }

    @Test func builtInsCompleteFromTheTable() {
        let first = complete("")
        for spec in CommandRegistry.all { #expect(first.contains(spec.words[0]), "\(spec.words[0])") }
        #expect(complete("attachment up") == ["upload"])
        #expect(complete("chat list --a") == ["--all"])
        #expect(complete("chat list --m") == ["--max-pages"])
        #expect(complete("card create --a").isEmpty, "--all only where the command pages")
        #expect(complete("last --output ") == ["pretty", "json", "jsonl", "yaml", "table", "raw", "quiet"])
        #expect(complete("last --h") == ["--headers", "--httpie"])
        #expect(complete("profile ") == ["list", "save", "use", "delete"])
        #expect(complete("record ").contains("stop"))
        #expect(complete("help var") == ["vars", "variables"])
        #expect(complete("help vari") == ["variables"])
        #expect(complete("set KEY ").isEmpty)
        #expect(complete("verbose ") == ["on", "off"])
        #expect(complete("request ").contains("GET"))
        #expect(complete("request GET /v3/chats -").contains("--header"))
    }

    @Test func filePathsCompleteWhereAFileIsExpected() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        writeTextFile(dir.file("photo.png"), "x")
        writeTextFile(dir.file("notes.txt"), "x")
        mkdir(dir.file("sub"), 0o755)
        #expect(complete("attachment upload \(dir.path)/ph") == ["\(dir.path)/photo.png"])
        #expect(complete("source \(dir.path)/s") == ["\(dir.path)/sub/"])
        #expect(
            Set(complete("record \(dir.path)/")) == [
                "\(dir.path)/photo.png", "\(dir.path)/notes.txt", "\(dir.path)/sub/",
            ])
    }
}
