import Foundation
import LinqJSON
import TestSupport
import Testing

/// `--output jsonl|yaml|table`, `--filter` and the error envelope through the built binary,
/// against its built-in emulator. The expectations come from the emulator's own body (printed
/// with `--output json`, the bytes as received) and the rules of each format, never from the
/// formats' own output.
@Suite(.ownThread) struct OutputFormatTests {
    /// `linq -c LINE`, which must succeed.
    func run(_ line: String, _ home: TempDirectory) throws -> String {
        let result = try LinqBinary.run(["-c", line], environment: LinqBinary.environment(home: home.path))
        #expect(result.status == 0, "\(line): \(result.stderr)")
        return result.stdout
    }

    func parse(_ text: some StringProtocol) throws -> JSONValue { try JSONValue.parse(String(text)) }

    /// The first line (a body printed with `--output json`) as JSON, and the lines after it.
    func split(_ stdout: String) throws -> (JSONValue, [Substring]) {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (try parse(lines[0]), Array(lines.dropFirst().dropLast()))
    }

    /// The emulator's chats (their ids, names and kinds are seeded, the same in every run).
    func chats(_ home: TempDirectory) throws -> [JSONValue] {
        let chats = try #require(try parse(run("chat list --output json", home))["chats"]?.arrayValue)
        #expect(chats.count >= 3, "the seed has several chats")
        return chats
    }

    @Test func jsonLinesAreTheListsItemsOnePerLine() throws {
        let home = TempDirectory()
        defer { home.remove() }
        // One run: the same emulator answers both (timestamps included).
        let (body, lines) = try split(run("chat list --output json; chat list --output jsonl", home))
        let chats = try #require(body["chats"]?.arrayValue)
        #expect(lines.count == chats.count)
        #expect(try lines.map { try parse($0) } == chats)
        // `set output` chooses it for the rest of the session.
        let (again, set) = try split(run("chat list --output json; set output jsonl; chat list", home))
        #expect(try set.map { try parse($0) } == again["chats"]?.arrayValue)
    }

    @Test func yamlKeepsTheMembersInOrderAndQuotesWhatYAMLWouldMisread() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let stdout = try run("chat list --output json; chat list --output yaml", home)
        let (body, lines) = try split(stdout)
        let yaml = lines.joined(separator: "\n") + "\n"
        let chats = try #require(body["chats"]?.arrayValue)
        // By hand: the list under `chats:`, each chat a `- ` item whose members follow in the
        // body's order; a phone number (+…) and an id that starts with a digit are quoted
        // (YAML would read them as numbers), plain words are not.
        #expect(lines.first == "chats:")
        let firstID = try #require(chats[0]["id"]?.stringValue)
        #expect(lines.dropFirst().first == "  - id: \"\(firstID)\"")
        let firstKeys = try #require(chats[0].objectValue?.keys)
        let topLevel = lines.compactMap { line -> String? in
            guard line.hasPrefix("    "), !line.hasPrefix("     "), let colon = line.firstIndex(of: ":") else {
                return nil
            }
            return String(line[line.index(line.startIndex, offsetBy: 4)..<colon])
        }
        #expect(Array(topLevel.prefix(firstKeys.count - 1)) == Array(firstKeys.dropFirst()), "members in order")
        #expect(lines.contains("        handle: \"+15551230001\""))
        #expect(lines.contains("    service: iMessage"))
        #expect(lines.contains("    is_group: true"))
        #expect(lines.contains("    group_chat_icon: null"))
        #expect(lines.filter { $0.hasPrefix("  - id: ") }.count == chats.count)
        // And a YAML parser reads back the same data (when the venv has PyYAML).
        if let python = Self.python {
            let same = try Self.yamlEqualsJSON(python, yaml: yaml, json: body.formatted(.compact), home: home)
            #expect(same.status == 0 && same.stdout == "same\n", "\(same.stdout)\(same.stderr)")
        }
    }

    @Test func aTableHasAColumnPerPathAndARowPerItem() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let chats = try chats(home)
        let columns = ["id", "display_name", "health_status.status", "handles[0].handle"]
        let table = try run("chat list --columns \(columns.joined(separator: ","))", home)
        let rows = table.split(separator: "\n").map(Self.cells)
        #expect(rows.first == columns)
        #expect(rows.count == chats.count + 1)
        for (row, chat) in zip(rows.dropFirst(), chats) {
            let expected = [
                chat["id"]?.stringValue, chat["display_name"]?.stringValue,
                chat["health_status"]?["status"]?.stringValue, chat["handles"]?[0]?["handle"]?.stringValue,
            ]
            #expect(row == expected.map { $0 ?? "-" })
        }
        // With no --columns: the items' scalar members in order; nested ones (handles) left out;
        // a pipe is not a terminal, so nothing is shortened.
        let plain = try run("chat list --output table", home).split(separator: "\n").map(Self.cells)
        let scalars = try #require(chats[0].objectValue).filter {
            if case .object = $0.value { return false }
            if case .array = $0.value { return false }
            return true
        }.map(\.key)
        #expect(plain.first == scalars)
        #expect(plain.dropFirst().map { $0.first } == chats.map { $0["id"]?.stringValue })
    }

    /// A table line's cells: separated by two or more spaces.
    static func cells(_ line: Substring) -> [String] {
        line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test func filtersPickFromAListResponse() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let chats = try chats(home)
        let ids = chats.compactMap { $0["id"]?.stringValue }
        let oneToOne = chats.filter { $0["is_group"] == false }.compactMap { $0["id"]?.stringValue }
        #expect(!oneToOne.isEmpty && oneToOne.count < chats.count)

        #expect(try run("chat list --filter '.chats[0].id'", home) == "\"\(ids[0])\"\n")
        #expect(try run("chat list --filter '.chats[].id' --output raw", home) == ids.map { $0 + "\n" }.joined())
        let selected = try run("chat list --filter '.chats[] | select(.is_group == false) | .id' --output raw", home)
        #expect(selected == oneToOne.map { $0 + "\n" }.joined())
        let others = try run("chat list --filter '.chats[] | select(.is_group != false) | .id' --output raw", home)
        #expect(others == ids.filter { !oneToOne.contains($0) }.map { $0 + "\n" }.joined())
        #expect(try run("chat list --filter '.chats | length'", home) == "\(chats.count)\n")
        #expect(
            try parse(run("chat list --filter '.chats | map(.id)' --output json", home))
                == .array(ids.map { .string($0) }))
        let keys = try #require(chats[0].objectValue?.keys).sorted()
        #expect(
            try parse(run("chat list --filter '.chats[0] | keys' --output json", home))
                == .array(keys.map { .string($0) }))
        // Each value on a line of its own for jsonl; a filtered list as a table's rows.
        let lines = try run("chat list --filter '.chats[]' --output jsonl", home).split(separator: "\n")
        #expect(try lines.map { try parse($0) } == chats)
        let table = try run("chat list --filter '.chats[] | select(.is_group == false)' --columns id", home)
        #expect(table.split(separator: "\n").map(String.init) == ["id"] + oneToOne)
    }

    @Test(arguments: [
        (".chats[0", "--filter '.chats[0' at column 9: expected ']' to close the '['"),
        ("lenght", "unknown function 'lenght'; did you mean 'length'?"),
        (".chats[] | select(.id = 1)", "expected '==' to compare"),
    ])
    func aBadFilterIsOneLineNamingTheMistakeAndNothingPrints(filter: String, message: String) throws {
        let home = TempDirectory()
        defer { home.remove() }
        let result = try LinqBinary.run(
            ["-c", "chat list --filter '\(filter)'"], environment: LinqBinary.environment(home: home.path))
        #expect(result.status == 2, "a usage error")
        #expect(result.stdout.isEmpty)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors[0].contains(message), "\(result.stderr)")
        #expect(result.stderr.contains("help filters"))
    }

    @Test func anAPIErrorPrintsItsEnvelopeInTheChosenFormat() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        // A chat the emulator does not have: 404, Linq 2001.
        let get = "chat get 7b3c3a10-0001-4c2e-9a51-0000000000ff"
        // JSON: the envelope parses, and the error block is still on stderr.
        let json = try LinqBinary.run(["-c", get + " --output json"], environment: env)
        #expect(json.status == 1)
        let envelope = try parse(json.stdout)
        #expect(envelope["error"]?["code"] == 2001)
        #expect(envelope["error"]?["status"] == 404)
        #expect(json.stderr.contains("Linq 2001"))
        // JSON lines: the same envelope on one line.
        let jsonl = try LinqBinary.run(["-c", get + " --output jsonl"], environment: env)
        #expect(jsonl.stdout.split(separator: "\n").count == 1)
        #expect(try parse(jsonl.stdout)["error"]?["code"] == 2001)
        // YAML: the envelope as a mapping, nested members indented under `error:`.
        let yaml = try LinqBinary.run(["-c", get + " --output yaml"], environment: env)
        let lines = yaml.stdout.split(separator: "\n")
        #expect(lines.contains("error:") && lines.contains("  code: 2001") && lines.contains("  status: 404"))
        #expect(yaml.stderr.contains("Linq 2001"))
        if let python = Self.python {
            // Two runs, two trace ids: everything else is the same.
            let same = try Self.yamlEqualsJSON(
                python, yaml: yaml.stdout, json: json.stdout, home: home, ignoring: "trace_id")
            #expect(same.status == 0 && same.stdout == "same\n", "\(same.stdout)\(same.stderr)")
        }
        // A table (or pretty) prints no envelope: the error is on stderr only.
        let table = try LinqBinary.run(["-c", get + " --output table"], environment: env)
        #expect(table.status == 1 && table.stdout.isEmpty && table.stderr.contains("Linq 2001"))
    }

    // MARK: PyYAML

    /// A Python with PyYAML: the repository's venv (Tests/conformance/requirements.txt), else the system's.
    static let python: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        for candidate in [root + "/.venv/bin/python", "/usr/bin/python3"] {
            guard FileManager.default.isExecutableFile(atPath: candidate),
                let run = try? LinqBinary.runExecutable(candidate, ["-c", "import yaml"], environment: [:]),
                run.status == 0
            else { continue }
            return candidate
        }
        return nil
    }()

    /// Loads `yaml` with PyYAML and `json` with Python's json: `same` when they are equal, else
    /// a line per top-level member that differs (`ignoring`: a top-level member left out of both).
    static func yamlEqualsJSON(
        _ python: String, yaml: String, json: String, home: TempDirectory, ignoring: String = ""
    ) throws -> LinqBinary.Result {
        writeTextFile(home.file("doc.yaml"), yaml)
        writeTextFile(home.file("doc.json"), json)
        let script = """
            import json, sys, yaml
            a = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
            b = json.load(open(sys.argv[2], encoding="utf-8"))
            for doc in (a, b):
                doc.pop(sys.argv[3], None)
            if a == b and list(a) == list(b):
                print("same")
            else:
                for key in b:
                    if a.get(key) != b[key]:
                        print("differs at", repr(key))
            """
        return try LinqBinary.runExecutable(
            python, ["-c", script, home.file("doc.yaml"), home.file("doc.json"), ignoring], environment: [:])
    }
}
