import LinqCore
import LinqJSON
import LinqShell
import TestSupport
import Testing

@Suite struct BinderTests {
    let create = APICatalog.operation(id: "contactCard.create")

    @Test func bindsFlagsAliasesInlineValuesAndTheSessionNumber() throws {
        let call = try BoundCall.bind(
            operation: create, defaultNumber: "+15551230001",
            ["--first", "Ann", "--last-name=Lee", "--image", "https://x.io/a.png"])
        #expect(call.arguments["first_name"] == "Ann")
        #expect(call.arguments["last_name"] == "Lee")
        #expect(call.arguments["phone_number"] == "+15551230001")
        #expect(call.arguments["image_url"] == "https://x.io/a.png")
    }

    @Test func bodyItemsAndJSONMergeIntoTheBody() throws {
        let call = try BoundCall.bind(
            operation: create, defaultNumber: "+15551230001",
            ["--first", "A", "nickname=Al", "age:=42", "--json", #"{"extra":{"x":true}}"#])
        #expect(call.body?["nickname"] == "Al")
        #expect(call.body?["age"] == .number("42"))
        #expect(call.body?["extra"] == ["x": true])
    }

    @Test func positionalParameters() throws {
        let share = try BoundCall.bind(
            operation: APICatalog.operation(id: "contactCard.share"), defaultNumber: nil,
            [
                "abc"
            ])
        #expect(share.arguments["chatId"] == "abc")
        #expect(throws: ShellError.self) {
            try BoundCall.bind(
                operation: APICatalog.operation(id: "contactCard.share"), defaultNumber: nil,
                [
                    "a", "b",
                ])
        }
    }

    @Test(arguments: [
        (["--frist", "A"], "did you mean '--first'"),
        (["--last", "B"], "missing required flag --first"),
        (["--first"], "--first needs a value"),
        (["--first", "A", "--number", "555"], "not an E.164 number"),
        (["--first", "A", "--image", "ftp://x"], "must be an http(s) URL"),
        (["--first", "A", "--json", "[1]"], "--json must be a JSON object"),
        (["--first", "A", "--output", "yml"], "--output 'yml': did you mean 'yaml'?"),
    ])
    func usageErrors(words: [String], message: String) {
        #expect {
            try BoundCall.bind(operation: create, defaultNumber: nil, words)
        } throws: { error in
            guard let error = error as? ShellError else { return false }
            return error.kind == .usage && error.message.contains(message)
        }
    }

    @Test func noValidateLetsTheServerJudge() throws {
        let call = try BoundCall.bind(operation: create, defaultNumber: nil, ["--no-validate", "--number", "555"])
        #expect(call.noValidate)
        #expect(call.arguments["phone_number"] == "555")
        #expect(call.arguments["first_name"] == nil)
    }

    @Test func usageLineComesFromTheCatalog() {
        #expect(
            UsageFormatter.line(for: create)
                == "card create --first <string> [--last <string>] [--number <E.164>] [--image <URL>]")
    }
}

@Suite struct ExpanderTests {
    let expander = Expander(
        variables: ["card": ["phone_number": "+1555", "tags": ["a", "b"]], "n": 3],
        lastJSON: ["contact_cards": [["first_name": "Zoë"]]], lastStatus: 200, environment: ["HOME": "/root"])

    func expand(_ line: String) throws -> [String] { try expander.expand(try Tokenizer.split(line)[0]) }

    @Test func expandsPathsAsOneWord() throws {
        #expect(
            try expand("x $last.contact_cards[0].first_name $status $card.tags[1] \"$n items\"") == [
                "x", "Zoë", "200", "b", "3 items",
            ])
        #expect(try expand("x $card.tags") == ["x", #"["a","b"]"#])
        #expect(try expand("x ${env:HOME} ${env:NOPE:-fallback}") == ["x", "/root", "fallback"])
    }

    @Test(arguments: [
        ("x $nope", "undefined variable $nope"),
        ("x $last.contact_card", "has no field 'contact_card'; did you mean 'contact_cards'?"),
        ("x $last.contact_cards[5]", "out of range"), ("x ${env:NOPE}", "NOPE is not set"),
        ("x $n.field", "is number, not an object"),
    ])
    func errorsNameTheVariable(line: String, message: String) {
        #expect {
            try expand(line)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}

@Suite struct RendererTests {
    @Test func prettyColouredAndPlain() {
        let value: JSONValue = ["b": "Zoë", "a": [1, true, nil]]
        let plain = Renderer(color: false, output: .pretty, secret: nil).json(value)
        #expect(plain == "{\n  \"b\": \"Zoë\",\n  \"a\": [\n    1,\n    true,\n    null\n  ]\n}\n")
        let coloured = Renderer(color: true, output: .pretty, secret: nil).json(value)
        #expect(coloured.contains("\u{1B}["))
        #expect(PlainText.strip(coloured) == plain)
        #expect(
            Renderer(color: true, output: .json, secret: nil).json(value) == "{\"b\":\"Zoë\",\"a\":[1,true,null]}\n")
    }

    @Test func apiErrorBlockHasStatusCodeMessageHintDocsAndTrace() {
        let error = LinqError(
            kind: .api, message: "A contact card already exists for this phone number", status: 409, code: 2014,
            docURL: "https://docs.linqapp.com/error/codes/2xxx/2014/", traceID: "abc123")
        let text = Renderer(color: false, output: .pretty, secret: nil).error(error)
        #expect(
            text.hasPrefix("error: 409 Conflict · Linq 2014: A contact card already exists for this phone number\n"))
        #expect(text.contains("hint:  The card is already set up"))
        #expect(text.contains("docs:  https://docs.linqapp.com/error/codes/2xxx/2014/"))
        #expect(text.contains("trace: abc123"))
        let limited = LinqError(kind: .api, message: "Rate limit exceeded", status: 429, code: 1007, retryAfter: 583)
        #expect(
            Renderer(color: false, output: .pretty, secret: nil).error(limited).contains(
                "retry after 9 min 43 s"))
    }

    @Test func requestDumpMasksTheKeyEverywhere() {
        let request = HTTPRequestData(
            method: "POST", url: "http://h/v3/contact_card",
            headers: [
                HTTPHeader("Authorization", "Bearer sk-secret-123456"), HTTPHeader("X-Echo", "sk-secret-123456"),
            ],
            body: Array(#"{"note":"sk-secret-123456"}"#.utf8))
        let text = Renderer(color: false, output: .pretty, secret: "sk-secret-123456").request(request)
        #expect(!text.contains("sk-secret-123456"))
        #expect(text.contains("Authorization: Bearer …3456"))
    }

    @Test func masking() {
        #expect(maskSecret("linq-emulator-acme") == "…acme")
        #expect(maskSecret("short") == "…••••")
        #expect(maskSecret(nil) == "(none)")
        #expect(redact("key=abcdefgh1234 ok", secret: "abcdefgh1234") == "key=…1234 ok")
    }
}

@Suite struct SessionPrecedenceTests {
    func make(
        _ options: LaunchOptions = LaunchOptions(), env: [String: String] = [:], profiles: ProfileStore? = nil
    ) throws -> (Session, Bool) {
        var started = false
        let session = try SessionFactory.make(options: options, environment: env, terminal: .none, profiles: profiles) {
            started = true
            return EmulatorHandle(
                baseURL: "http://127.0.0.1:1/api/partner", apiKey: "emu-key-0000", defaultNumber: "+15551230001",
                numbers: ["+15551230001", "+15551230002"])
        }
        return (session, started)
    }

    @Test func noKeyStartsTheEmulator() throws {
        let (session, started) = try make()
        #expect(started)
        #expect(session.apiKey.source == .emulator)
        #expect(session.number.value == "+15551230001")
        #expect(session.knownNumbers == ["+15551230001", "+15551230002"])
        #expect(session.target == .emulator(url: "http://127.0.0.1:1/api/partner"))
        #expect(session.color.value == false, "no colour without a terminal")
    }

    @Test func flagBeatsEnvBeatsProfileBeatsDefault() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        var store = try ProfileStore(path: dir.file("config.json"))
        try store.save(
            "work", .init(apiKey: "profile-key-1", baseURL: "https://profile.example/api", number: "+15550000003"))
        try store.use("work")
        let reloaded = try ProfileStore(path: dir.file("config.json"))
        #expect(fileMode(dir.file("config.json")) == 0o600)

        let (fromProfile, started) = try make(profiles: reloaded)
        #expect(!started)
        #expect(fromProfile.apiKey.value == "profile-key-1" && fromProfile.apiKey.source == .profile)
        #expect(fromProfile.baseURL.source == .profile)
        #expect(fromProfile.number.value == "+15550000003")
        #expect(fromProfile.profile == "work")

        let (fromEnv, _) = try make(env: ["LINQ_API_V3_API_KEY": "env-key-12345"], profiles: reloaded)
        #expect(fromEnv.apiKey.value == "env-key-12345" && fromEnv.apiKey.source == .env)

        var options = LaunchOptions()
        options.apiKey = "flag-key-12345"
        let (fromFlag, _) = try make(options, env: ["LINQ_API_V3_API_KEY": "env-key-12345"], profiles: reloaded)
        #expect(fromFlag.apiKey.value == "flag-key-12345" && fromFlag.apiKey.source == .flag)

        let (defaults, _) = try make(env: ["LINQ_API_V3_API_KEY": "env-key-12345"])
        #expect(defaults.baseURL.value == "https://api.linqapp.com/api/partner" && defaults.baseURL.source == .default)
        #expect(defaults.target == .production)

        options = LaunchOptions()
        options.profile = "nope"
        #expect(throws: ShellError.self) { try make(options, profiles: reloaded) }
    }

    @Test func forcedEmulatorOverridesAKey() throws {
        var options = LaunchOptions()
        options.forceEmulator = true
        let (session, started) = try make(options, env: ["LINQ_API_V3_API_KEY": "env-key-12345"])
        #expect(started)
        #expect(session.apiKey.value == "emu-key-0000")
    }
}

@Suite struct CompleterTests {
    var session: Session {
        var s = Session()
        s.knownNumbers = ["+15551230001", "+15551230002"]
        s.remember("7b3c3a10-0001-4c2e-9a51-000000000001", as: .chat)
        return s
    }

    func complete(_ text: String) -> [String] { Completer().complete(text, session: session).candidates }

    @Test func commandsVerbsFlagsAndValues() {
        #expect(complete("car") == ["card"])
        #expect(complete("ca") == ["card", "capability"])
        #expect(complete("card ") == ["create", "get", "update", "share"])
        #expect(complete("card cr") == ["create"])
        #expect(complete("card create --fi") == ["--first", "--filter"])
        #expect(complete("card create --fir") == ["--first"])
        #expect(complete("card create --first A --").contains("--last"))
        #expect(!complete("card create --first A --").contains("--first"), "flags already used are not offered")
        #expect(complete("card create --number ") == ["+15551230001", "+15551230002"])
        #expect(
            complete("card create --number +15551230002 --output ") == [
                "pretty", "json", "jsonl", "yaml", "table", "raw", "quiet",
            ])
        #expect(complete("card share ") == ["7b3c3a10-0001-4c2e-9a51-000000000001"])
        #expect(complete("card get ") == ["+15551230001", "+15551230002"])
        #expect(complete("help card u") == ["update"])
        #expect(complete("set out") == ["output"])
        #expect(complete("set output ") == ["pretty", "json", "jsonl", "yaml", "table", "raw", "quiet"])
        #expect(complete("show; car") == ["card"])
        #expect(complete("zzz ").isEmpty)
        #expect(complete("try card cr") == ["create"])
        #expect(complete("let c = card sh") == ["share"])
        #expect(complete("expect $last ").starts(with: ["==", "!=", "<", "<=", ">", ">="]))
        #expect(complete("expect $last ").contains("matches") && complete("expect $last ").contains("length"))
        #expect(complete("expect ").contains("event"), "expect event is offered")
        #expect(complete("expect error ") == ["none"])
        #expect(complete("watch --every ").contains("2s"))
        #expect(complete("watch --every 2s card g") == ["get"], "the command a form wraps completes")
    }
}

/// Removes ANSI sequences (test helper).
enum PlainText {
    static func strip(_ text: String) -> String {
        var out = ""
        var skipping = false
        for c in text.unicodeScalars {
            if c == "\u{1B}" {
                skipping = true
                continue
            }
            if skipping {
                if c.value >= 0x40 && c.value <= 0x7E && c != "[" { skipping = false }
                continue
            }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
