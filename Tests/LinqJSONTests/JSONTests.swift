import LinqJSON
import Testing

@Suite struct JSONParsing {
    @Test func keepsMemberOrderAndNumberText() throws {
        let text = #"{"z":1,"a":1.50,"m":12345678901234567890,"e":-0.5e+10}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "m", "e"])
        #expect(value["a"] == .number("1.50"))
        #expect(value["m"] == .number("12345678901234567890"))
        #expect(value.formatted(.compact) == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#"["a\"b\\c\/d\n\t", "\u00e9\ud83d\ude00", "Zoë"]"#)
        #expect(value[0]?.stringValue == "a\"b\\c/d\n\t")
        #expect(value[1]?.stringValue == "é😀")
        #expect(value[2]?.stringValue == "Zoë")
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSONValue.parse(#""\ud800x""#).stringValue == "\u{FFFD}x")
    }

    @Test(arguments: [
        ("", "expected a value"), ("{", "expected a string key"), ("[1,]", "unexpected character"),
        ("{\"a\" 1}", "expected ':'"), ("01", "unexpected text after"), ("1.", "digits expected after '.'"),
        ("\"abc", "unterminated string"), ("tru", "expected true"), ("[1] x", "unexpected text after"),
        ("\"\u{01}\"", "control character"), ("\"\\q\"", "invalid escape"),
    ])
    func rejectsInvalidJSON(text: String, message: String) {
        #expect {
            try JSONValue.parse(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func reportsLineAndColumn() {
        do throws(JSONParseError) {
            _ = try JSONValue.parse("{\n  \"a\": ,\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }
}

@Suite struct JSONPrinting {
    @Test func prettyPrintsWithTwoSpacesAndEmptyContainersInline() {
        let value: JSONValue = ["a": [1, 2], "b": [:], "c": [], "d": nil, "e": true]
        let expected = """
            {
              "a": [
                1,
                2
              ],
              "b": {},
              "c": [],
              "d": null,
              "e": true
            }
            """
        #expect(value.formatted(.pretty) == expected)
    }

    @Test func escapesControlCharactersButKeepsUnicode() {
        let value: JSONValue = .string("tab\there \"q\" \\ \u{01} Zoë 😀")
        #expect(value.formatted(.compact) == #""tab\there \"q\" \\ \u0001 Zoë 😀""#)
    }

    @Test func colourWrapsEachTokenTypeAndPlainHasNoEscapes() {
        let value: JSONValue = ["k": "v", "n": 1, "b": false, "z": nil]
        let coloured = value.formatted(JSONStyle(indent: 2, theme: .standard))
        #expect(coloured.contains("\u{1B}[34;1m\"k\"\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[32m\"v\"\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[33mfalse\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[90mnull\u{1B}[0m"))
        #expect(!value.formatted(.pretty).contains("\u{1B}"))
    }

    @Test func roundTripsThroughParseAndPrint() throws {
        let text = #"{"b":[true,false,null,{"x":"y"}],"a":-12.5e-3,"s":"\u0000\n"}"#
        #expect(
            try JSONValue.parse(text).formatted(.compact)
                == #"{"b":[true,false,null,{"x":"y"}],"a":-12.5e-3,"s":"\u0000\n"}"#)
    }
}

@Suite struct JSONObjectEditing {
    @Test func setReplacesInPlaceAppendsAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = 3
        object["c"] = 4
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == 3)
    }
}
