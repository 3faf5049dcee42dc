import LinqCore
import Testing

/// Server text on a terminal: control sequences escaped, binary bodies summarised, keys masked.
@Suite struct SafeOutputTests {
    @Test func escapeSequencesAreShownNotObeyed() {
        #expect(TerminalText.escape("\u{1B}]0;pwned\u{07}") == #"\e]0;pwned\a"#)
        #expect(TerminalText.escape("\u{1B}[2J\u{1B}[H cleared") == #"\e[2J\e[H cleared"#)
        #expect(TerminalText.escape("a\rb\u{08}c\u{00}d\u{7F}e\u{01}") == #"a\rb\bc\0d\x7fe\x01"#)
        #expect(TerminalText.escape("8-bit CSI \u{9B}2J and OSC \u{9D}0;x") == #"8-bit CSI \u009b2J and OSC \u009d0;x"#)
        #expect(TerminalText.escape("abc\u{202E}fed") == #"abc\u202efed"#)
        #expect(TerminalText.escape("line 1\nline 2\tcol") == "line 1\nline 2\tcol")
        #expect(TerminalText.escape("line 1\nline 2\tcol", keepLayout: false) == #"line 1\nline 2\tcol"#)
        #expect(TerminalText.escape("Zoë — 日本 🎉 \\ ok") == "Zoë — 日本 🎉 \\ ok", "printable text is untouched")
        #expect(!TerminalText.needsEscaping("plain"))
    }

    @Test func bytesThatAreNotUTF8AreShownAsHex() {
        #expect(TerminalText.escape(bytes: [0x61, 0xFF, 0x62, 0xC3, 0xA9, 0x1B]) == #"a\xffbé\e"#)
        #expect(TerminalText.escape(bytes: [0xE2, 0x82]) == #"\xe2\x82"#, "a cut sequence")
        #expect(TerminalText.isValidUTF8(Array("Zoë 🎉".utf8)))
        #expect(!TerminalText.isValidUTF8([0xC0, 0x80]), "overlong NUL")
        #expect(!TerminalText.isValidUTF8([0xED, 0xA0, 0x80]), "a surrogate")
    }

    @Test func binaryBodiesAreSummarised() {
        let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 7, count: 1_048_572)
        #expect(
            BodyInspection.summary(gzip, headers: [HTTPHeader("Content-Encoding", "gzip")])
                == "<binary body: 1,048,576 bytes, content-encoding gzip>")
        #expect(BodyInspection.summary(gzip, headers: []) == "<binary body: 1,048,576 bytes, gzip data>")
        #expect(
            BodyInspection.summary(Array("{}".utf8), headers: [HTTPHeader("content-encoding", "br")])
                == "<binary body: 2 bytes, content-encoding br>")
        #expect(
            BodyInspection.summary([1, 2, 3], headers: [HTTPHeader("Content-Type", "image/png")])
                == "<binary body: 3 bytes, content-type image/png>")
        #expect(
            BodyInspection.summary([0x61, 0x00, 0x62], headers: []) == "<binary body: 3 bytes, contains NUL bytes>")
        #expect(BodyInspection.summary([0x61, 0xFF], headers: []) == "<binary body: 2 bytes, not UTF-8>")
        #expect(BodyInspection.summary([0xFF], headers: []) == "<binary body: 1 byte, not UTF-8>")
        // Text stays text, whatever it contains (escaping is the printer's job).
        #expect(BodyInspection.summary(Array("<html>\u{1B}]0;x\u{07}</html>".utf8), headers: []) == nil)
        #expect(
            BodyInspection.summary(
                Array(#"{"a":1}"#.utf8), headers: [HTTPHeader("Content-Type", "application/vnd.api+json")]) == nil)
        #expect(BodyInspection.summary([], headers: [HTTPHeader("Content-Encoding", "gzip")]) == nil)
        #expect(
            BodyInspection.summary([1], headers: [HTTPHeader("Content-Encoding", "x\u{1B}[2J")])
                == #"<binary body: 1 byte, content-encoding x\e[2j>"#)
    }

    @Test func headerValuesEqualToOrContainingTheKeyAreMasked() {
        let key = "sk-live-0123456789abcdef"
        #expect(Redaction.displayValue(of: HTTPHeader("X-Echo", key), secrets: [key]) == "…cdef")
        #expect(
            Redaction.displayValue(of: HTTPHeader("Authorization", "Bearer \(key)"), secrets: [key]) == "Bearer …cdef")
        #expect(
            Redaction.displayValue(of: HTTPHeader("X-Debug", "got key=\(key);ok"), secrets: [key]) == "got key=…cdef;ok"
        )
        #expect(
            Redaction.displayValue(of: HTTPHeader("Location", "/cb?k=sk%2Blive"), secrets: ["sk+live"])
                == "/cb?k=…••••",
            "percent-encoded too")
        #expect(Redaction.displayValue(of: HTTPHeader("X-Trace", "abc"), secrets: [key]) == "abc")
        #expect(Redaction.displayValue(of: HTTPHeader("X-Evil", "a\u{1B}]0;x\u{07}"), secrets: []) == #"a\e]0;x\a"#)
        #expect(Redaction.masked("short ab", secrets: ["ab"]) == "short ab", "too short to mask inside text")
        let shown = Redaction.displayHeaders([HTTPHeader("Authorization", "Bearer \(key)")], secrets: [key])
        #expect(shown == [HTTPHeader("Authorization", "Bearer …cdef")])
    }

    @Test func humanSizesAndDurations() {
        #expect(ByteCount.short(64 * 1024 * 1024) == "64 MiB")
        #expect(ByteCount.short(1024) == "1 KiB")
        #expect(ByteCount.short(1_048_577) == "1,048,577 bytes")
        #expect(DurationText.short(.milliseconds(850)) == "850 ms")
        #expect(DurationText.short(.seconds(4)) == "4 s")
        #expect(DurationText.short(.milliseconds(1500)) == "1.5 s")
        #expect(DurationText.short(.seconds(150)) == "2 min 30 s")
        #expect(DurationText.short(seconds: 99_999_999) == "1157 days")
        #expect(DurationText.short(seconds: 1e300) == "far in the future")
        #expect(DurationText.short(seconds: LinqResponse.maxRetryAfterSeconds) == "far in the future", "a capped wait")
        #expect(DurationText.short(seconds: 99_999_999) == "1157 days", "a real wait is shown as it is")
        #expect(DurationText.short(seconds: .infinity) == "for ever")
    }
}
