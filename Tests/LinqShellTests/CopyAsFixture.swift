import LinqCore
import LinqEmulator
import LinqJSON
import TestSupport

@testable import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

/// What the copy-as-code tests share: a shell on a live emulator, examples split into commands,
/// the emulator's request log, and the comparison of two logged requests.
enum CopyAsFixture {
    /// A shell on the emulator at `baseURL`, with Acme's key (a key the session used: never shown);
    /// the caller shuts `transport` down.
    static func shell(baseURL: String, transport: AsyncHTTPTransport) -> (Interpreter, CapturedOutput) {
        var session = Session()
        session.apiKey = Sourced(SeedData.acmeKey, .flag)
        session.baseURL = Sourced(baseURL, .flag)
        session.number = Sourced("+15551230001", .flag)
        session.output = Sourced(.json, .flag)
        let output = CapturedOutput()
        var configuration = LinqConfiguration()
        configuration.retry = .none
        let shell = Interpreter(
            session: session, transport: transport, output: output, terminal: .none,
            baseConfiguration: configuration)
        return (shell, output)
    }

    /// `a; b 'x;y'` → `["a", "b 'x;y'"]`: the commands of an example line (quotes respected).
    static func commands(of line: String) -> [String] {
        var commands: [String] = []
        var current = ""
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ";" {
                commands.append(current.trimmingCharacters(in: " "))
                current = ""
                continue
            }
            current.append(character)
        }
        commands.append(current.trimmingCharacters(in: " "))
        return commands.filter { !$0.isEmpty }
    }

    /// Runs commands in a shell on a live emulator, then the Python copy of the last one's
    /// request (with the project's venv) on the state that request met: the state before it is
    /// saved in process (so `$last` stays the commands' own) and put back before the snippet runs.
    struct PythonRunner {
        let python: String
        let shell: Interpreter
        let server: EmulatorServer
        let directory = TempDirectory("linq-copy-as")
        var log: RequestLog
        var environment = ["LINQ_API_V3_API_KEY": SeedData.acmeKey, "PATH": "/usr/bin:/bin"]
        private var count = 0

        init(python: String, shell: Interpreter, server: EmulatorServer) {
            self.python = python
            self.shell = shell
            self.server = server
            log = RequestLog(shell: shell)
            environment["HOME"] = directory.path
        }

        /// What went wrong (`nil`: the snippet ran and the emulator received the same request),
        /// and the snippet.
        mutating func run(_ commands: [String], operation: APIOperation?) -> (failure: String?, snippet: String) {
            server.emulator.reset()
            log.skipToEnd()
            guard commands.dropLast().allSatisfy({ shell.run(line: $0) == 0 }),
                (try? server.emulator.saveSnapshot("copy-as")) != nil
            else { return ("the first commands failed", "") }
            guard shell.run(line: commands.last!) == 0, let request = shell.session.lastResponse?.request,
                let sent = log.newEntries().last
            else { return ("`\(commands.last!)` failed", "") }
            let snippet = CopyAs.command(
                "python", for: request, operation: operation, session: shell.session, secrets: shell.secrets)
            try? server.emulator.restoreSnapshot("copy-as")
            count += 1
            let file = directory.file("snippet\(count).py")
            writeTextFile(file, snippet)
            let result = try? LinqBinary.runExecutable(python, [file], environment: environment)
            guard let result, result.status == 0, let received = log.newEntries().last else {
                let error = result.map { "exit \($0.status): \($0.stderr.suffix(600))" } ?? "did not finish"
                return ("the snippet failed (\(error))\n\(snippet)", snippet)
            }
            return (difference(sent, received).map { $0 + "\n" + snippet }, snippet)
        }
    }

    /// The emulator's request log, read through the shell's `request` (control requests are not logged).
    struct RequestLog {
        let shell: Interpreter
        var mark = 0

        init(shell: Interpreter) { self.shell = shell }

        /// The entries logged since the last call (at most 1,000).
        mutating func newEntries() -> [JSONValue] {
            guard shell.run(line: "request GET '/_emulator/logs?after=\(mark)&limit=1000&bodies=true'") == 0,
                let page = shell.session.lastResponse?.json
            else { return [] }
            mark = page["last_id"]?.intValue ?? mark
            return page["requests"]?.arrayValue ?? []
        }

        /// Forgets everything logged so far.
        mutating func skipToEnd() {
            while !newEntries().isEmpty {}
        }
    }

    /// How two logged requests differ in method, path, query or JSON body, or `nil` when they do not.
    static func difference(_ sent: JSONValue, _ received: JSONValue) -> String? {
        let a = logged(sent)
        let b = logged(received)
        if a.method != b.method { return "method \(a.method) ≠ \(b.method)" }
        if a.path != b.path { return "path \(a.path) ≠ \(b.path)" }
        if a.query != b.query { return "query \(a.query) ≠ \(b.query)" }
        if a.body != b.body { return "body\n  sent:    \(a.body)\n  snippet: \(b.body)" }
        return nil
    }

    /// A logged request's method, decoded path, sorted decoded query and canonical body.
    static func logged(_ entry: JSONValue) -> (method: String, path: String, query: [String], body: String) {
        let target = entry["path"]?.stringValue ?? ""
        let (_, path, query) = CopyAs.split("http://x" + target)
        let body = entry["request_body"]?.stringValue.flatMap { text in
            (try? JSONValue.parse(Array(text.utf8))).map(canonical)
        }
        return (
            entry["method"]?.stringValue ?? "", WriteBudget.percentDecoded(Substring(path)),
            query.map { $0.name + "=" + $0.value }.sorted(), body ?? ""
        )
    }

    /// JSON text with object members sorted by key (the SDKs order members their own way).
    static func canonical(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            let members = object.sorted { $0.key < $1.key }.map { "\"\($0.key)\":" + canonical($0.value) }
            return "{" + members.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        case .number(let text): return Double(text).map { "\($0)" } ?? text
        default: return value.formatted(.compact)
        }
    }

    /// An executable on this process's PATH.
    static func tool(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }

    /// Every operation's example run once; its last request as every SDK language.
    static func snippetsOfEveryOperation(server: EmulatorServer, transport: AsyncHTTPTransport) -> [(
        String, [(String, String)]
    )] {
        let (shell, _) = shell(baseURL: server.baseURL, transport: transport)
        var out: [(String, [(String, String)])] = []
        for operation in APICatalog.operations {
            _ = shell.run(line: "request POST /_emulator/reset")
            guard commands(of: operation.example).allSatisfy({ shell.run(line: $0) == 0 }),
                let request = shell.session.lastResponse?.request
            else { continue }
            let languages = ["node", "go", "swift"].map { language in
                (
                    language,
                    CopyAs.command(
                        language, for: request, operation: operation, session: shell.session, secrets: shell.secrets)
                )
            }
            out.append((operation.id, languages))
        }
        return out
    }

    /// Runs `tool arguments FILE` on `text` saved as `name`; a failure described (a Go file also
    /// fails when gofmt would write it otherwise), or nothing when it passes or the tool is missing.
    static func check(
        _ text: String, _ name: String, with tool: String, _ arguments: [String], in directory: TempDirectory
    )
        -> [String]
    {
        guard let path = self.tool(tool) else { return [] }
        let file = directory.file(name)
        writeTextFile(file, text + "\n")
        guard
            let result = try? LinqBinary.runExecutable(
                path, arguments + [file], environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path])
        else { return ["\(name): \(tool) did not finish"] }
        if result.status != 0 || !result.stderr.isEmpty { return ["\(name): \(result.stderr.prefix(600))\n\(text)"] }
        if tool == "gofmt" && !result.stdout.isEmpty { return ["\(name): not as gofmt writes it\n\(text)"] }
        return []
    }

    /// The Swift snippets type-checked against this build's LinqCore, each as the body of a
    /// function in one file, when the build's modules are found next to the test binary; else
    /// each one parsed (`swiftc -parse`).
    static func checkSwift(_ snippets: [(id: String, text: String)], in directory: TempDirectory) -> [String] {
        guard let swiftc = tool("swiftc") else { return [] }
        guard let flags = moduleFlags() else {
            return snippets.flatMap { check($0.text, $0.id + ".swift", with: "swiftc", ["-parse"], in: directory) }
        }
        var file = "import LinqCore\nimport LinqJSON\n"
        for (index, snippet) in snippets.enumerated() {
            let body = snippet.text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("import ") }.map { "    " + $0 }.joined(separator: "\n")
            file += "\n// \(snippet.id)\nfunc snippet\(index)() async throws {\n\(body)\n}\n"
        }
        let path = directory.file("snippets.swift")
        writeTextFile(path, file)
        let result = try? LinqBinary.runExecutable(
            swiftc, ["-typecheck", "-parse-as-library"] + flags + [path],
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path])
        guard let result else { return ["swift: swiftc -typecheck did not finish"] }
        return result.status == 0 ? [] : ["swift: \(result.stderr.prefix(3000))"]
    }

    /// `-I` and module-map flags for this build's modules (found next to the running test binary).
    static func moduleFlags() -> [String]? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        var parts = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self).split(
            separator: "/")
        parts.removeLast()
        let debug = "/" + parts.joined(separator: "/")
        guard access(debug + "/Modules/LinqCore.swiftmodule", R_OK) == 0 else { return nil }
        var flags = ["-I", debug + "/Modules"]
        // The C modules LinqCore's dependencies import (NIO's and swift-numerics' shims): the maps
        // the build wrote, and those in the checked-out packages.
        let command =
            "find '\(debug)' -maxdepth 2 -name module.modulemap; find '\(debug)/../../checkouts' -name module.modulemap"
        guard let listing = popen(command, "r") else { return nil }
        defer { pclose(listing) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), listing) != nil {
            let map = String(cString: line).trimmingCharacters(in: "\n")
            flags += ["-Xcc", "-fmodule-map-file=" + map]
        }
        return flags
    }
}
