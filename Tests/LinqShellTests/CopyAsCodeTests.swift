import LinqCore
import LinqEmulator
import LinqJSON
import TestSupport
import Testing

@testable import LinqShell

/// Copy as code (`last --as python|node|go|swift`): for every catalog operation, the request its
/// example sends is written as each language's snippet. The Python one is run with the official
/// SDK (the project's .venv) against the emulator, on the same state the shell's request met (a
/// snapshot restored), and must send the same method, path, query and body; the Node, Go and
/// Swift ones must parse (`node --check`, `gofmt -e`, `swiftc -parse`; skipped, and said so, where
/// the tool is missing).
@Suite(.serialized, .ownThread) struct CopyAsCodeTests {
    /// The repository's root, from this file's path.
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    @Test func everyOperationRunsThroughThePythonSDKAndSendsTheSameRequest() async throws {
        let python = Self.root + "/.venv/bin/python"
        guard fileMode(python) != nil else {
            print("CopyAsCodeTests: no \(python) (scripts/test makes it): the Python snippets were not run")
            return
        }
        let server = try await EmulatorServer.start(Emulator())
        let transport = AsyncHTTPTransport()
        let failures = await onDedicatedThread {
            Self.runEveryPythonSnippet(python: python, server: server, transport: transport)
        }
        await transport.shutdown()
        await server.stop()
        #expect(failures.isEmpty, "\(failures.count) of 70 failed:\n\(failures.joined(separator: "\n\n"))")
    }

    /// Runs each operation's example, then its Python snippet on the state the example's last
    /// request met; the failures, described.
    static func runEveryPythonSnippet(python: String, server: EmulatorServer, transport: AsyncHTTPTransport)
        -> [String]
    {
        let (shell, _) = CopyAsFixture.shell(baseURL: server.baseURL, transport: transport)
        var runner = CopyAsFixture.PythonRunner(python: python, shell: shell, server: server)
        defer { runner.directory.remove() }
        var failures: [String] = []
        var ran = 0
        for operation in APICatalog.operations {
            let (failure, snippet) = runner.run(CopyAsFixture.commands(of: operation.example), operation: operation)
            if let failure {
                failures.append("\(operation.id): \(failure)")
                continue
            }
            if snippet.contains(SeedData.acmeKey) { failures.append("\(operation.id): the snippet shows the key") }
            if !snippet.contains("client." + (SDKNames.method(for: operation.id)?.python ?? "?") + "(") {
                failures.append("\(operation.id): not through its SDK method\n\(snippet)")
            }
            ran += 1
        }
        print("CopyAsCodeTests: \(ran) of \(APICatalog.operations.count) operations ran through linq-python")
        return failures
    }

    @Test func requestsByHandRunThroughTheSDKsGenericCallWithTheEmulatorsKey() async throws {
        let python = Self.root + "/.venv/bin/python"
        guard fileMode(python) != nil else { return }
        let server = try await EmulatorServer.start(Emulator())
        let transport = AsyncHTTPTransport()
        let failures = await onDedicatedThread { () -> [String] in
            let (shell, _) = CopyAsFixture.shell(baseURL: server.baseURL, transport: transport)
            // On the built-in emulator its public key is written out: the snippet runs without the variable.
            shell.session.emulatorURL = server.baseURL
            shell.session.emulatorKey = SeedData.acmeKey
            var runner = CopyAsFixture.PythonRunner(python: python, shell: shell, server: server)
            runner.environment["LINQ_API_V3_API_KEY"] = nil
            defer { runner.directory.remove() }
            let lines = [
                "request GET '/v3/chats?from=+15551230001&limit=1'",
                #"request POST /v3/blocked_handles '{"handle":"+15557770123","reason":"spam"}' -H 'X-Trace: t-1'"#,
                #"request PUT /v3/chats/\#(SeedData.IDs.groupChat) '{"display_name":"Renamed"}'"#,
                #"request DELETE /v3/blocked_handles '{"handle":"+15550000666"}'"#,
            ]
            return lines.compactMap { line in
                let (failure, snippet) = runner.run([line], operation: nil)
                if let failure { return "`\(line)`: \(failure)" }
                guard snippet.contains("cast_to=object"), snippet.contains(#"api_key="\#(SeedData.acmeKey)""#) else {
                    return "`\(line)`: not the generic call with the emulator's key\n\(snippet)"
                }
                return nil
            }
        }
        await transport.shutdown()
        await server.stop()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
    }

    @Test func everyLanguageParsesForEveryOperation() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let transport = AsyncHTTPTransport()
        let snippets = await onDedicatedThread {
            CopyAsFixture.snippetsOfEveryOperation(server: server, transport: transport)
        }
        await transport.shutdown()
        await server.stop()
        #expect(snippets.count == APICatalog.operations.count)
        let directory = TempDirectory("linq-copy-as-parse")
        defer { directory.remove() }
        var failures: [String] = []
        var swift: [(id: String, text: String)] = []
        for (id, languages) in snippets {
            for (language, text) in languages {
                #expect(!text.contains(SeedData.acmeKey), "\(id) \(language) shows the key")
                switch language {
                case "node":
                    failures += CopyAsFixture.check(text, id + ".mjs", with: "node", ["--check"], in: directory)
                case "go":
                    failures += CopyAsFixture.check(text, id + ".go", with: "gofmt", ["-e", "-l"], in: directory)
                default: swift.append((id, text))
                }
            }
        }
        failures += CopyAsFixture.checkSwift(swift, in: directory)
        for name in ["node", "gofmt", "swiftc"] where CopyAsFixture.tool(name) == nil {
            print("CopyAsCodeTests: no \(name) on PATH: those snippets were not checked")
        }
        #expect(failures.isEmpty, "\(failures.count) failed:\n\(failures.joined(separator: "\n\n"))")
    }

    /// The SDK method table (`SDKNames+Data.swift`): one method per catalog operation, its
    /// arguments named as the SDK and the API name them; no body exactly where the shapes have none.
    @Test func sdkMethodsAndTheirArguments() throws {
        #expect(SDKNames.method(for: "contactCard.create")?.python == "contact_card.create")
        #expect(SDKNames.method(for: "message.send")?.python == "chats.messages.send")
        #expect(SDKNames.method(for: "chat.nope") == nil)
        let from = SDKNames.method(for: "chat.create")?.arguments.first { $0.wire == "from" }
        #expect(from?.python == "from_" && from?.location == .body)
        let sticker = try #require(SDKNames.method(for: "reaction.update"))
        #expect(sticker.python == "messages.update_sticker_placement")
        #expect(sticker.arguments.filter(\.positional).map(\.python) == ["reaction_id"])
        #expect(sticker.arguments.filter { $0.location == .path }.map(\.wire) == ["reactionId", "messageId"])
        let header = SDKNames.method(for: "message.create")?.arguments.first { $0.wire == "Idempotency-Key" }
        #expect(header?.python == "idempotency_key" && header?.location == .header)
        for operation in APICatalog.operations {
            let method = try #require(SDKNames.method(for: operation.id), "\(operation.id)")
            let placeholders = operation.parameters.filter { $0.location == .path }.map(\.name)
            #expect(
                Set(method.arguments.filter { $0.location == .path }.map(\.wire)) == Set(placeholders),
                "\(operation.id)")
            #expect(
                (method.returns == .nothing) == (ResponseShapes.answersWithBody(operationID: operation.id) == false),
                "\(operation.id)")
        }
    }

    @Test func theSDKNameTableIsWhatTheSDKGives() throws {
        let python = Self.root + "/.venv/bin/python"
        guard fileMode(python) != nil else { return }
        let result = try LinqBinary.runExecutable(
            python, [Self.root + "/scripts/gen-sdk-names", "--check"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
