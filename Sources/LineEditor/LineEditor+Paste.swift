import CLibEdit

extension LineEditor {
    /// The terminal's end-of-paste marker, `ESC[201~`.
    static let pasteEnd: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]

    /// After `ESC[200~`: reads the pasted bytes up to `ESC[201~` and inserts them at the cursor as
    /// they are — TAB, Enter and other keys in a paste are text, never commands (see `readLine`).
    /// Should the end marker never come, a second without input ends the paste.
    func insertPaste() -> UInt8 {
        var bytes: [UInt8] = []
        while let byte = input.next(timeoutMilliseconds: 1000) {
            bytes.append(byte)
            if byte == 0x7E, bytes.count >= 6, Array(bytes.suffix(6)) == Self.pasteEnd {
                bytes.removeLast(6)
                break
            }
        }
        if String(validating: bytes, as: UTF8.self) == nil { sawInvalidUTF8 = true }
        let text = Self.pastedText(String(decoding: bytes, as: UTF8.self))
        guard !text.isEmpty else { return UInt8(CC_NORM) }
        el_insertstr(editLine, text)
        return UInt8(CC_REFRESH)
    }

    /// Pasted text as it goes into the line: `\r\n` and `\r` become `\n`, NUL bytes are dropped
    /// (a C string ends there), combining marks are composed where Unicode can (`Composition`),
    /// trailing newlines are dropped (Enter runs it, not the paste).
    static func pastedText(_ raw: String) -> String {
        var text = String.UnicodeScalarView()
        var afterCR = false
        for scalar in raw.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\r": text.append("\n")
            case "\n": if !afterCR { text.append("\n") }
            case "\0": break
            default: text.append(scalar)
            }
        }
        var result = Composition.composed(String(text))
        while result.hasSuffix("\n") { result.removeLast() }
        return result
    }
}
