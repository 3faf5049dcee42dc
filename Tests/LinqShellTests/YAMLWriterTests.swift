import Foundation
import LinqJSON
import TestSupport
import Testing

@testable import LinqShell

/// `--output yaml`: the exact text for strings YAML would misread, the block layout, and a round
/// trip through PyYAML (a YAML 1.1 reader, the stricter of the two for plain scalars).
@Suite(.ownThread) struct YAMLWriterTests {
    /// `v: …` for one string value.
    func line(_ text: String) -> String {
        YAMLWriter.document(["v": .string(text)])
    }

    @Test(arguments: [
        ("yes", #"v: "yes""#), ("No", #"v: "No""#), ("ON", #"v: "ON""#), ("y", #"v: "y""#),
        ("null", #"v: "null""#), ("~", #"v: "~""#), ("true", #"v: "true""#), ("", #"v: """#),
        ("1e3", #"v: "1e3""#), ("12", #"v: "12""#), ("-1.5", #"v: "-1.5""#), (".5", #"v: ".5""#),
        (".inf", #"v: ".inf""#), ("-.NaN", #"v: "-.NaN""#), ("+15551230001", #"v: "+15551230001""#),
        ("2026-12-07T18:47:47.226Z", #"v: "2026-12-07T18:47:47.226Z""#), ("0x1F", #"v: "0x1F""#),
        ("a: b", #"v: "a: b""#), ("key:", #"v: "key:""#), ("a #b", #"v: "a #b""#), ("#tag", ##"v: "#tag""##),
        ("- item", #"v: "- item""#), ("[x]", #"v: "[x]""#), ("{x}", #"v: "{x}""#), ("*ref", #"v: "*ref""#),
        ("&a", #"v: "&a""#), ("!tag", #"v: "!tag""#), ("|", #"v: "|""#), (">", #"v: ">""#), ("%x", #"v: "%x""#),
        ("@x", #"v: "@x""#), ("'q'", #"v: "'q'""#), ("\"q\"", #"v: "\"q\"""#), (" lead", #"v: " lead""#),
        ("trail ", #"v: "trail ""#), ("tab\there", #"v: "tab\there""#), ("bell\u{7}", #"v: "bell\x07""#),
        ("nel\u{85}", #"v: "nel\x85""#), ("ls\u{2028}", #"v: "ls\u2028""#), ("bom\u{FEFF}", #"v: "bom\uFEFF""#),
        ("cr\r", #"v: "cr\r""#), ("back\\slash", #"v: back\slash"#), ("...", #"v: "...""#), ("<<", #"v: "<<""#),
        ("=", #"v: "=""#),
        // Plain is fine for these.
        ("hello world", "v: hello world"), ("iMessage", "v: iMessage"), ("a:b", "v: a:b"),
        ("https://x.io/a#b", "v: https://x.io/a#b"), ("é 日本 😀", "v: é 日本 😀"), ("inf", "v: inf"),
        ("7b3c3a10-0001-4c2e", #"v: "7b3c3a10-0001-4c2e""#), ("x-1", "v: x-1"), ("a, b", "v: a, b"),
    ])
    func stringsAreQuotedExactlyWhenYAMLWouldMisreadThem(text: String, expected: String) {
        #expect(line(text) == expected + "\n", "\(text.debugDescription)")
    }

    @Test func textOfSeveralLinesIsALiteralBlockKeepingItsLineEnds() {
        #expect(line("one\ntwo") == "v: |-\n  one\n  two\n")
        #expect(line("one\ntwo\n") == "v: |\n  one\n  two\n")
        #expect(line("one\n\ntwo\n\n") == "v: |+\n  one\n\n  two\n\n")
        // Where a block could not keep it exactly: quoted.
        #expect(line(" indented\nx") == #"v: " indented\nx""# + "\n")
        #expect(line("trailing \nx") == #"v: "trailing \nx""# + "\n")
        #expect(line("\n\n") == #"v: "\n\n""# + "\n")
        #expect(line("crlf\r\nx") == #"v: "crlf\r\nx""# + "\n")
    }

    @Test func nestedValuesInOrderWithEmptyCollectionsInFlowForm() throws {
        let value = try JSONValue.parse(
            #"{"chats":[{"id":"c1","handles":[{"handle":"+1555","is_me":true}],"tags":["a",["b","c"]],"empty":[],"none":{},"n":1.50}],"next_cursor":null,"keys":{"yes":1,"a: b":2}}"#
        )
        #expect(
            YAMLWriter.document(value) == """
                chats:
                  - id: c1
                    handles:
                      - handle: "+1555"
                        is_me: true
                    tags:
                      - a
                      - - b
                        - c
                    empty: []
                    none: {}
                    "n": 1.50
                next_cursor: null
                keys:
                  "yes": 1
                  "a: b": 2

                """)
        #expect(YAMLWriter.document(["x", ["k": "v"]]) == "- x\n- k: v\n")
        #expect(YAMLWriter.document("top\nlevel") == "|-\n  top\n  level\n")
        #expect(YAMLWriter.document(.null) == "null\n")
        #expect(YAMLWriter.documents([1, "a"]) == "1\n---\na\n")
    }

    // MARK: Round trip through PyYAML

    /// A Python with PyYAML: the repository's venv (pip install pyyaml), else the system's.
    static let python: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        for candidate in [root + "/.venv/bin/python", "/usr/bin/python3", "/usr/local/bin/python3"] {
            guard FileManager.default.isExecutableFile(atPath: candidate),
                let run = try? LinqBinary.runExecutable(candidate, ["-c", "import yaml"], environment: [:]),
                run.status == 0
            else { continue }
            return candidate
        }
        return nil
    }()

    static let tricky: [String] = [
        "yes", "no", "on", "off", "y", "n", "Yes", "NULL", "~", "true", "False", "", " ", "1e3", "1E3", "0x1F",
        "0o17", "017", "1_000", "12:30:00", "1:20", "+1", "-1", "+15551230001", ".5", "5.", ".inf", "-.inf",
        ".nan", "2026-12-07", "2026-12-07T18:47:47.226Z", "a: b", "a:b", "key:", "a #b", "a#b", "#c", "- x", "-x",
        "? q", ":x", ",", "[", "]", "{", "}", "&a", "*a", "!a", "|", ">", "'", "\"", "%", "@", "`", "=", "<<",
        "---", "...", "--- x", "tab\tin", "\ttab", "nl\nin", "two\nlines\n", "many\n\n\n", "\nlead", "trail\n ",
        "cr\rin", "crlf\r\n", "bell\u{7}", "del\u{7F}", "nel\u{85}", "nbsp\u{A0}", "ls\u{2028}", "bom\u{FEFF}",
        "é", "日本語", "😀 emoji", "back\\slash", "quote\"in", "it's", "http://x.io/?a=1&b=2#f", "null value",
        "  two leading", "ends with colon:", "x - y", "- ", "a\u{0}b",
    ]

    @Test(.enabled(if: python != nil, "no Python with PyYAML (pip install pyyaml into .venv)"))
    func everyTrickyStringAndStructureRoundTripsThroughPyYAML() throws {
        var object = JSONObject()
        for (index, text) in Self.tricky.enumerated() {
            object["s\(index)"] = .string(text)
            // Every tricky string as a key too.
            object[text.isEmpty ? "empty" : text] = .int(index)
        }
        object["list"] = .array(Self.tricky.map { .string($0) } + [[], [:], [[1, 2], ["a": ["b": [true, .null]]]]])
        object["numbers"] = [
            0, -7, .number("12345678901234567890"), .number("1.50"), .number("-0.25"), true, false, .null,
        ]
        object["nested"] = ["a": ["b": ["c": "yes", "d": ["x\ny", "z"]]], "empty": [:]]
        let document = JSONValue.object(object)
        let dir = TempDirectory()
        defer { dir.remove() }
        let yaml = dir.file("doc.yaml")
        let json = dir.file("doc.json")
        writeTextFile(yaml, YAMLWriter.document(document))
        writeTextFile(json, document.formatted(.compact))
        // The two documents must load to the same data, members in the same order.
        let script = """
            import json, sys, yaml
            loaded = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
            expected = json.load(open(sys.argv[2], encoding="utf-8"))
            a = json.dumps(loaded, ensure_ascii=False)
            b = json.dumps(expected, ensure_ascii=False)
            if a != b:
                for key in expected:
                    if loaded.get(key) != expected[key]:
                        print("differs at", repr(key), repr(loaded.get(key)), repr(expected[key]))
                sys.exit(1)
            print("same")
            """
        let run = try LinqBinary.runExecutable(Self.python!, ["-c", script, yaml, json], environment: [:])
        #expect(run.status == 0 && run.stdout == "same\n", "\(run.stdout)\(run.stderr)")
        // Several documents: a stream PyYAML reads back as the values.
        writeTextFile(yaml, YAMLWriter.documents(["yes", ["a": 1], [1, "1"], .null]))
        let stream = try LinqBinary.runExecutable(
            Self.python!,
            ["-c", "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))", yaml],
            environment: [:])
        #expect(stream.stdout == #"["yes", {"a": 1}, [1, "1"], null]"# + "\n", "\(stream.stderr)")
    }
}
