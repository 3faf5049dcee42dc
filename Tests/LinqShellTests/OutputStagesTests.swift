import LinqCore
import LinqJSON
import Testing

@testable import LinqShell

/// `--output table` layout, the formats of the one renderer path, and the flags that choose them.
@Suite struct TableLayoutTests {
    static let rows: [JSONValue] = [
        [
            "id": "7b3c3a10-0001-4c2e-9a51-000000000009", "display_name": "Demo group", "count": 12,
            "handles": [["handle": "+15551230001"]], "health_status": ["status": "HEALTHY"], "icon": .null,
        ],
        [
            "id": "7b3c3a10-0001-4c2e-9a51-000000000001", "display_name": "Ann", "count": 3, "handles": [],
            "health_status": ["status": "AT_RISK"], "icon": "x.png",
        ],
    ]

    @Test func defaultColumnsAreTheScalarMembersInOrderNumbersRightNullsDashed() {
        let (text, note) = TableLayout().render(Self.rows)
        #expect(
            text == """
                id                                    display_name  count  icon
                7b3c3a10-0001-4c2e-9a51-000000000009  Demo group       12  -
                7b3c3a10-0001-4c2e-9a51-000000000001  Ann               3  x.png

                """)
        #expect(note == nil)
    }

    @Test func columnsArePathsFromEachRow() throws {
        let columns = try TableColumn.parse("display_name,health_status.status,handles[0].handle")
        let (text, _) = TableLayout(columns: columns).render(Self.rows)
        #expect(
            text == """
                display_name  health_status.status  handles[0].handle
                Demo group    HEALTHY               +15551230001
                Ann           AT_RISK               -

                """)
        #expect(throws: ShellError.self) { try TableColumn.parse("id,,name") }
        #expect(throws: ShellError.self) { try TableColumn.parse("id,select(.x)") }
    }

    @Test func onANarrowTerminalIdsShortenThenColumnsGoAndAreNamed() {
        let (text, note) = TableLayout(width: 30).render(Self.rows)
        #expect(
            text == """
                id         display_name  count
                7b3c…0009  Demo group       12
                7b3c…0001  Ann               3

                """)
        #expect(note == "not shown for width: icon (--columns picks)")
        for line in text.split(separator: "\n") { #expect(line.count <= 30) }
        // Where the last column has room for some of itself, it is cut instead.
        let (cut, _) = TableLayout(width: 24).render([["name": "a", "text": "a long piece of text here"]])
        #expect(
            cut == "name  text\na     a long piece of text…\n"
                || cut.split(separator: "\n").allSatisfy { $0.count <= 24 })
    }

    @Test func valuesThatAreNotObjectsAreListedOnePerLine() {
        #expect(TableLayout().render(["a", 1, .null]).text == "a\n1\n-\n")
        #expect(TableLayout().render([]).note == "no items")
        #expect(TableLayout().render(["a", ["k": 1]]).text == "value\na\n{\"k\":1}\n")
        // A cell is one line, its control characters escaped.
        let escaped = TableLayout().render([["t": "line\nbreak\u{1B}[31m"]]).text
        #expect(escaped.split(separator: "\n").count == 2 && !escaped.contains("\u{1B}"), "\(escaped)")
    }
}

@Suite struct OutputStagesTests {
    static let list: JSONValue = [
        "chats": [["id": "c1", "is_group": true], ["id": "c2", "is_group": false]], "next_cursor": "2",
    ]
    let chatList = APICatalog.operation(id: "chat.list")

    func renderer(_ mode: OutputMode, filter: String? = nil) throws -> Renderer {
        var renderer = Renderer(color: false, output: mode, secret: nil)
        renderer.filter = try filter.map { try JSONFilter($0) }
        return renderer
    }

    @Test func jsonLinesPrintAListsItemsElseTheBody() throws {
        let r = try renderer(.jsonl)
        #expect(
            try r.render(Self.list, listKey: "chats").text == #"{"id":"c1","is_group":true}"# + "\n"
                + #"{"id":"c2","is_group":false}"# + "\n")
        #expect(try r.render(["id": "x"], listKey: nil).text == #"{"id":"x"}"# + "\n")
        #expect(try r.render(Self.list, listKey: nil).text.split(separator: "\n").count == 1)
    }

    @Test func theCatalogKnowsWhereEachListIs() {
        #expect(chatList.listKey == "chats")
        #expect(APICatalog.operation(id: "message.list").listKey == "messages")
        #expect(APICatalog.operation(id: "contactCard.get").listKey == "contact_cards")
        #expect(APICatalog.operation(id: "chat.get").listKey == nil, "a chat with its handles is not a list")
        #expect(APICatalog.operation(id: "contactCard.create").listKey == nil)
    }

    @Test func filteredValuesPrintEachOnItsOwnInTheFormat() throws {
        #expect(try renderer(.json, filter: ".chats[].id").render(Self.list, listKey: nil).text == "\"c1\"\n\"c2\"\n")
        #expect(try renderer(.raw, filter: ".chats[].id").render(Self.list, listKey: nil).text == "c1\nc2\n")
        #expect(
            try renderer(.yaml, filter: ".chats[]").render(Self.list, listKey: nil).text
                == "id: c1\nis_group: true\n---\nid: c2\nis_group: false\n")
        #expect(
            try renderer(.table, filter: ".chats").render(Self.list, listKey: nil).text
                == "id  is_group\nc1  true\nc2  false\n")
        #expect(
            try renderer(.table, filter: ".chats[] | select(.is_group)").render(Self.list, listKey: nil).text
                == "id  is_group\nc1  true\n")
        let nothing = try renderer(.pretty, filter: ".chats[] | select(.id == \"zz\")").render(Self.list, listKey: nil)
        #expect(nothing.text.isEmpty && nothing.note == "--filter '.chats[] | select(.id == \"zz\")' found nothing")
        let missing = try renderer(.pretty, filter: ".chat").render(Self.list, listKey: nil)
        #expect(missing.text == "null\n" && missing.note?.contains("no member 'chat'") == true)
        #expect(throws: ShellError.self) { try renderer(.pretty, filter: ".chats.id").render(Self.list, listKey: nil) }
    }

    @Test func anErrorEnvelopeGoesToStdoutInDataFormatsOnly() throws {
        let envelope = #"{"error":{"status":409,"code":2014,"message":"exists"}}"#
        let response = LinqResponse(
            status: 409, headers: [HTTPHeader("Content-Type", "application/json")], body: Array(envelope.utf8),
            duration: .zero, attempts: 1,
            request: HTTPRequestData(method: "POST", url: "http://x/v3/contact_card", headers: [], body: nil))
        #expect(try renderer(.json).errorEnvelope(response) == envelope + "\n")
        #expect(try renderer(.jsonl).errorEnvelope(response) == envelope + "\n")
        #expect(
            try renderer(.yaml).errorEnvelope(response) == "error:\n  status: 409\n  code: 2014\n  message: exists\n")
        #expect(try renderer(.pretty).errorEnvelope(response) == nil)
        #expect(try renderer(.table).errorEnvelope(response) == nil)
    }

    @Test func flagsChooseTheOutputBeforeAnythingIsSent() throws {
        let table = try BoundCall.bind(operation: chatList, defaultNumber: nil, ["--columns", "id,display_name"])
        #expect(table.output == .table, "--columns implies a table")
        #expect(table.columns?.map(\.name) == ["id", "display_name"])
        #expect(throws: ShellError.self) {
            try BoundCall.bind(operation: chatList, defaultNumber: nil, ["--columns", "id", "--output", "json"])
        }
        #expect(throws: ShellError.self) {
            try BoundCall.bind(operation: chatList, defaultNumber: nil, ["--pick", "chats", "--filter", ".chats"])
        }
        let filtered = try BoundCall.bind(operation: chatList, defaultNumber: nil, ["--filter", ".chats[].id"])
        #expect(filtered.filter?.text == ".chats[].id")
    }

    @Test func thePagerCountsWrappedLinesAndSkipsColourCodes() {
        #expect(!Pager.overflows("a\nb\n", rows: 24, columns: 80))
        #expect(Pager.overflows(String(repeating: "x\n", count: 23), rows: 24, columns: 80))
        #expect(!Pager.overflows(String(repeating: "x\n", count: 22), rows: 24, columns: 80))
        #expect(Pager.overflows(String(repeating: "x", count: 80 * 23) + "\n", rows: 24, columns: 80))
        // 70 visible characters: one line of a 3-row terminal, though 700 bytes.
        #expect(!Pager.overflows(String(repeating: "\u{1B}[31mx\u{1B}[0m", count: 70) + "\n", rows: 3, columns: 80))
        #expect(Pager.findsProgram("sh -c 'cat'", path: "/usr/bin:/bin"))
        #expect(
            Pager.findsProgram("LESS=R less -FRX", path: "/usr/bin:/bin")
                == Pager.findsProgram("less", path: "/usr/bin:/bin"))
        #expect(!Pager.findsProgram("no-such-pager-here -x", path: "/usr/bin:/bin"))
        #expect(!Pager.findsProgram("/no/such/pager", path: nil))
        #expect(Pager.command(environment: [:]) == "less -FRX")
        #expect(Pager.command(environment: ["PAGER": " "]) == "less -FRX")
        #expect(Pager.command(environment: ["PAGER": "more"]) == "more")
    }
}
