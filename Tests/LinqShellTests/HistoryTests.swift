import Testing

@testable import LinqShell

/// `!N --set name=value` rewriting (issue 13).
@Suite struct HistoryTests {
    @Test(arguments: [
        ("card get --number +15551230001", "number", "+15551230002", "card get --number +15551230002"),
        ("card create --first Ann --last Lee", "first", "Bo Jo", "card create --first 'Bo Jo' --last Lee"),
        ("card get --output=json", "output", "raw", "card get --output=raw"),
        ("card get", "output", "raw", "card get --output raw"),
    ])
    func setReplacesOrAddsAFlag(_ line: String, _ name: String, _ value: String, _ expected: String) throws {
        #expect(try History.setting(name, to: value, in: line) == expected)
    }

    @Test func referencesNameEntriesFromOneOrFromTheEnd() throws {
        var history = History(loaded: ["echo a", "echo b"])
        history.append("echo c", failed: true)
        history.append("echo c", failed: false)
        #expect(history.entries.count == 3, "an exact repeat is not added twice")
        #expect(try history.expand("!1") == "echo a")
        #expect(try history.expand("!!") == "echo c")
        #expect(try history.expand("!-2") == "echo b")
        #expect(try history.expand("!2 --set x=1") == "echo b --x 1")
        #expect(try history.expand("!2 --set x='Ann Lee'") == "echo b --x 'Ann Lee'")
        #expect(try history.expand("echo !1") == nil)
        #expect(throws: ShellError.self) { try history.expand("!7") }
        #expect(throws: ShellError.self) { try history.expand("!1 --oops") }
    }
}
