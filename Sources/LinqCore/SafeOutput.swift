/// Text from a server (error messages, non-JSON bodies, header values) made safe to print on a
/// terminal: every character that could move the cursor, retitle the window, clear the screen or
/// reorder what is shown is replaced by a visible escape.
///
/// | input | shown as |
/// |---|---|
/// | ESC (so every CSI/OSC/DCS sequence: `\e]0;pwned\a`) | `\e` |
/// | BEL, BS, VT, FF, CR, NUL | `\a` `\b` `\v` `\f` `\r` `\0` |
/// | other C0 controls, DEL | `\x01` … `\x1f`, `\x7f` |
/// | C1 controls U+0080…U+009F (8-bit CSI U+009B, OSC U+009D…) | `\u009b` |
/// | bidirectional overrides and isolates (U+202A…U+202E, U+2066…U+2069), U+2028, U+2029 | `\u202e` |
/// | newline and tab | kept (or `\n` `\t` with `keepLayout: false`) |
///
/// Backslashes are left alone: the result is for reading, not for parsing back.
public enum TerminalText {
    /// `text` with control characters escaped. `keepLayout: false` escapes newlines and tabs too,
    /// for text that must stay on one line (a header value, a one-line message).
    public static func escape(_ text: String, keepLayout: Bool = true) -> String {
        guard needsEscaping(text, keepLayout: keepLayout) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if let escaped = escaped(scalar, keepLayout: keepLayout) {
                out += escaped
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `bytes` decoded as UTF-8 and escaped; bytes that are not UTF-8 are shown as `\xNN`.
    public static func escape(bytes: [UInt8], keepLayout: Bool = true) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            let length = utf8SequenceLength(bytes, at: index)
            if length == 0 {
                out += "\\x" + hex(bytes[index])
                index += 1
            } else {
                out += escape(String(decoding: bytes[index..<(index + length)], as: UTF8.self), keepLayout: keepLayout)
                index += length
            }
        }
        return out
    }

    /// Whether `escape` would change `text`.
    public static func needsEscaping(_ text: String, keepLayout: Bool = true) -> Bool {
        text.unicodeScalars.contains { escaped($0, keepLayout: keepLayout) != nil }
    }

    static func escaped(_ scalar: Unicode.Scalar, keepLayout: Bool) -> String? {
        let v = scalar.value
        switch v {
        case 0x0A: return keepLayout ? nil : "\\n"
        case 0x09: return keepLayout ? nil : "\\t"
        case 0x1B: return "\\e"
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        case 0x00: return "\\0"
        case 0x01...0x1F, 0x7F: return "\\x" + hex(UInt8(v))
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
            return "\\u" + String(repeating: "0", count: 4 - String(v, radix: 16).count) + String(v, radix: 16)
        default: return nil
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    /// The length of the valid UTF-8 sequence starting at `i`, or 0 when it is not one.
    static func utf8SequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let b = bytes[i]
        let length: Int
        switch b {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard i + length <= bytes.count else { return 0 }
        for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return 0 }
        // Overlong forms and surrogates.
        if b == 0xE0 && bytes[i + 1] < 0xA0 { return 0 }
        if b == 0xED && bytes[i + 1] > 0x9F { return 0 }
        if b == 0xF0 && bytes[i + 1] < 0x90 { return 0 }
        if b == 0xF4 && bytes[i + 1] > 0x8F { return 0 }
        return length
    }

    /// Whether `bytes` are entirely valid UTF-8.
    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let length = utf8SequenceLength(bytes, at: i)
            if length == 0 { return false }
            i += length
        }
        return true
    }
}

/// Recognises bodies that are not text, so that they are summarised instead of dumped on a
/// terminal: `<binary body: 1,048,576 bytes, content-encoding gzip>`.
public enum BodyInspection {
    /// Media types whose bodies are binary whatever their bytes.
    static let binaryTypes = [
        "image/", "audio/", "video/", "font/", "application/octet-stream", "application/zip", "application/gzip",
        "application/x-gzip", "application/pdf", "application/x-tar", "application/x-protobuf",
        "application/vnd.",
    ]

    /// Why the body is not printable text, or `nil` when it is: a `Content-Encoding` other than
    /// `identity` (gzip, br, deflate, zstd…), a binary media type, NUL bytes, a gzip/zip/PNG
    /// signature, or bytes that are not UTF-8.
    public static func binaryReason(_ body: [UInt8], headers: [HTTPHeader]) -> String? {
        guard !body.isEmpty else { return nil }
        if let encoding = headers.value(for: "Content-Encoding")?.trimmingCharacters(in: " \t").lowercased(),
            !encoding.isEmpty, encoding != "identity"
        {
            return "content-encoding " + TerminalText.escape(encoding, keepLayout: false)
        }
        // JSON, the API's type, as it usually comes: nothing more to look at in the type.
        if let type = headers.value(for: "Content-Type"), !type.hasPrefix("application/json"),
            case let type = type.lowercased()
        {
            let media = type.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: " \t") ?? type
            if binaryTypes.contains(where: {
                media.hasPrefix($0) && !media.hasSuffix("+json") && !media.hasSuffix("json")
            }) {
                return "content-type " + TerminalText.escape(media, keepLayout: false)
            }
        }
        if body.starts(with: [0x1F, 0x8B]) { return "gzip data" }
        if body.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip data" }
        if body.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "PNG image" }
        if body.contains(0) { return "contains NUL bytes" }
        if !TerminalText.isValidUTF8(body) { return "not UTF-8" }
        return nil
    }

    /// `<binary body: 1,048,576 bytes, content-encoding gzip>`, or `nil` for a text body.
    public static func summary(_ body: [UInt8], headers: [HTTPHeader]) -> String? {
        guard let reason = binaryReason(body, headers: headers) else { return nil }
        let size = body.count == 1 ? "1 byte" : "\(ByteCount.grouped(body.count)) bytes"
        return "<binary body: \(size), \(reason)>"
    }
}

extension LinqResponse {
    /// `<binary body: 1,048,576 bytes, content-encoding gzip>` when the body is not text to
    /// print (see `BodyInspection`), else `nil`.
    public var binarySummary: String? { BodyInspection.summary(body, headers: headers) }

    /// The body as text safe for a terminal (control characters escaped, bytes that are not
    /// UTF-8 as `\xNN`).
    public var terminalSafeText: String { TerminalText.escape(bytes: body) }
}

/// Masking secrets (the API key) in anything shown: header values equal to or containing a
/// secret, request and response alike.
public enum Redaction {
    /// Secrets shorter than this are not masked inside other text (they would match by chance).
    public static let minimumLength = 4

    /// `…abcd`: the last four characters, or `…••••` for a secret of 8 characters or fewer.
    public static func mask(_ secret: String) -> String {
        secret.count <= 8 ? "…" + String(repeating: "•", count: 4) : "…" + secret.suffix(4)
    }

    /// `text` with every occurrence of each secret (also percent-encoded) masked, longest first.
    public static func masked(_ text: String, secrets: some Sequence<String>) -> String {
        var text = text
        for secret in Set(secrets).filter({ $0.count >= minimumLength }).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: secret, with: mask(secret))
            let encoded = RequestBuilder.encodeQueryComponent(secret)
            if encoded != secret { text = text.replacingOccurrences(of: encoded, with: mask(secret)) }
        }
        return text
    }

    /// A header's value for display: masked when it equals or contains a secret (any header, so a
    /// server echoing the key in `X-Debug-Auth` is masked too), control characters escaped.
    public static func displayValue(of header: HTTPHeader, secrets: some Sequence<String>) -> String {
        TerminalText.escape(masked(header.value, secrets: secrets), keepLayout: false)
    }

    /// Headers with their values masked as `displayValue` does (names escaped too).
    public static func displayHeaders(_ headers: [HTTPHeader], secrets: [String]) -> [HTTPHeader] {
        headers.map {
            HTTPHeader(TerminalText.escape($0.name, keepLayout: false), displayValue(of: $0, secrets: secrets))
        }
    }
}
