import LinqCore

/// One pass over UTF-8 text for `Redactor`: copies it to `output`, masking phone numbers,
/// emails, secret-shaped words and values under a secret's name. Colour sequences are copied
/// whole and never taken for part of a value. Everything it looks for is ASCII, so it works on
/// bytes (fast enough for a page of JSON at every keystroke's worth of output).
struct RedactionScanner {
    let input: [UInt8]
    /// Masks only secrets (phone numbers and emails stay): for files, such as a tape.
    var secretsOnly = false
    var output: [UInt8] = []
    /// Secret values found under a secret's name.
    var found: Set<String> = []
    private var index = 0
    /// Where in `output` the current run of plain text began (after a colour sequence or a
    /// mask): an email's local part is looked for back to here, no further.
    private var plainStart = 0
    /// Where the last colour sequence ended in `input`: a word starts there (`\e[2m+1555…`).
    private var boundary = -1

    init(_ input: [UInt8]) {
        self.input = input
        output.reserveCapacity(input.count)
    }

    mutating func run() {
        while index < input.count {
            let byte = input[index]
            if byte == 0x1B, let end = escapeEnd(from: index) {
                output += input[index..<end]
                index = end
                boundary = end
                plainStart = output.count
            } else if !secretsOnly, (byte == UInt8(ascii: "+") || percent(index, "2B")) && !alnum(before: index),
                maskPhone()
            {
            } else if !secretsOnly, byte == UInt8(ascii: "@") || percent(index, "40"), maskEmail() {
            } else if byte == UInt8(ascii: "\""), maskQuotedMember() {
            } else if isWordStart(byte) && !word(before: index), maskWord() {
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    // MARK: Phone numbers

    /// `+` (or `%2B`) and 7 to 15 digits, the first not 0, then no more letters or digits.
    private mutating func maskPhone() -> Bool {
        let sign = input[index] == UInt8(ascii: "+") ? 1 : 3
        var end = index + sign
        while end < input.count, isDigit(input[end]) { end += 1 }
        let count = end - index - sign
        guard (7...15).contains(count), input[index + sign] != UInt8(ascii: "0"), !alnum(at: end) else { return false }
        let digits = input[(index + sign)..<end]
        emitMask(
            Array(input[index..<(index + sign)]) + [digits.first!] + bullets(count - 5) + Array(digits.suffix(4)))
        index = end
        return true
    }

    // MARK: Emails

    /// `local@domain.tld` (also `%40`): the local part (already copied, back to `plainStart`)
    /// becomes `•••`.
    private mutating func maskEmail() -> Bool {
        let sign = input[index] == UInt8(ascii: "@") ? 1 : 3
        var localStart = output.count
        while localStart > plainStart, isLocal(output[localStart - 1]) { localStart -= 1 }
        guard localStart < output.count else { return false }
        var end = index + sign
        var dots = 0
        var label = 0
        while end < input.count, isDomain(input[end]) {
            if input[end] == UInt8(ascii: ".") {
                guard label > 0 else { break }
                dots += 1
                label = 0
            } else {
                label += 1
            }
            end += 1
        }
        // A final dot ends a sentence, not the domain.
        if end > index + sign, input[end - 1] == UInt8(ascii: ".") {
            end -= 1
            dots -= 1
        }
        guard dots > 0, input[end - 1] != UInt8(ascii: ".") else { return false }
        output.removeSubrange(localStart...)
        emitMask(bullets(3) + Array(input[index..<end]))
        index = end
        return true
    }

    // MARK: Secrets by name

    /// `"name": "value"` in JSON (colour sequences allowed around the colon) where the name is a
    /// secret's: the value masked.
    private mutating func maskQuotedMember() -> Bool {
        guard let nameEnd = stringEnd(from: index) else { return false }
        let name = String(decoding: input[(index + 1)..<(nameEnd - 1)], as: UTF8.self)
        guard Redactor.isSecretName(name) else { return false }
        var at = skipLayout(from: nameEnd)
        guard at < input.count, input[at] == UInt8(ascii: ":") else { return false }
        at = skipLayout(from: at + 1)
        guard at < input.count, input[at] == UInt8(ascii: "\""), let valueEnd = stringEnd(from: at) else {
            return false
        }
        output += input[index...at]
        maskValue(Array(input[(at + 1)..<(valueEnd - 1)]))
        output.append(UInt8(ascii: "\""))
        index = valueEnd
        return true
    }

    /// A word: a secret-shaped one (`whsec_…`, `Bearer …`), or a secret's name followed by
    /// `: value` (YAML, headers) or `=value` (a query): the secret masked.
    private mutating func maskWord() -> Bool {
        var end = index
        while end < input.count, isNameByte(input[end]) { end += 1 }
        let word = String(decoding: input[index..<end], as: UTF8.self)
        if Redactor.secretPrefixes.contains(where: { word.hasPrefix($0) }) {
            var valueEnd = end
            while valueEnd < input.count, isTokenByte(input[valueEnd]) { valueEnd += 1 }
            guard valueEnd - index > 10 else { return false }
            maskValue(Array(input[index..<valueEnd]))
            index = valueEnd
            return true
        }
        if word.lowercased() == "bearer", end < input.count, input[end] == UInt8(ascii: " ") {
            var valueEnd = end + 1
            while valueEnd < input.count, isTokenByte(input[valueEnd]) { valueEnd += 1 }
            guard valueEnd - end > 4 else { return false }
            output += input[index...end]
            maskValue(Array(input[(end + 1)..<valueEnd]))
            index = valueEnd
            return true
        }
        guard Redactor.isSecretName(word), end < input.count else { return false }
        var valueStart: Int
        let stops: Set<UInt8>
        if input[end] == UInt8(ascii: "="), end + 1 < input.count {
            valueStart = end + 1
            stops = Self.queryStops
        } else if input[end] == UInt8(ascii: ":"), end + 1 < input.count, input[end + 1] == UInt8(ascii: " ") {
            valueStart = end + 2
            while valueStart < input.count, input[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            stops = Self.lineStops
        } else {
            return false
        }
        var valueEnd = valueStart
        while valueEnd < input.count, !stops.contains(input[valueEnd]), input[valueEnd] != 0x1B { valueEnd += 1 }
        while valueEnd > valueStart, input[valueEnd - 1] == UInt8(ascii: " ") { valueEnd -= 1 }
        var value = Array(input[valueStart..<valueEnd])
        // A secret is one word: `token: is what …` in prose is not one.
        guard !value.isEmpty, !value.contains(UInt8(ascii: " ")) else { return false }
        // A quoted YAML scalar keeps its quotes.
        var quote: UInt8?
        if value.count >= 2, let first = value.first, first == value.last, first == 0x22 || first == 0x27 {
            quote = first
            value = Array(value.dropFirst().dropLast())
        }
        output += input[index..<valueStart]
        if let quote { output.append(quote) }
        maskValue(value)
        if let quote { output.append(quote) }
        index = valueEnd
        return true
    }

    /// Writes a secret's mask (nothing new for one masked already) and notes the secret.
    private mutating func maskValue(_ bytes: [UInt8]) {
        let value = String(decoding: bytes, as: UTF8.self)
        if value.contains("…") || value.contains("•") || value.count < 1 {
            output += bytes
            return
        }
        if value.count >= Redaction.minimumLength { found.insert(value) }
        emitMask(Array(Redactor.maskSecret(value).utf8))
    }

    // MARK: Helpers

    /// Where `name=value` ends.
    private static let queryStops = Set("&\" \t\r\n',;)]}".utf8)
    /// Where `name: value` ends.
    private static let lineStops = Set("\r\n".utf8)

    private mutating func emitMask(_ bytes: [UInt8]) {
        output += bytes
        plainStart = output.count
    }

    private func bullets(_ count: Int) -> [UInt8] { Array(String(repeating: "•", count: max(1, count)).utf8) }

    /// The end of a colour (CSI) sequence starting at `start`, if it is one.
    private func escapeEnd(from start: Int) -> Int? {
        guard start + 1 < input.count, input[start + 1] == UInt8(ascii: "[") else { return nil }
        var at = start + 2
        while at < input.count {
            if (0x40...0x7E).contains(input[at]) { return at + 1 }
            at += 1
        }
        return nil
    }

    /// Just past the closing quote of the JSON string opening at `start` (on one line).
    private func stringEnd(from start: Int) -> Int? {
        var at = start + 1
        while at < input.count {
            switch input[at] {
            case UInt8(ascii: "\\"): at += 2
            case UInt8(ascii: "\""): return at + 1
            case 0x0A: return nil
            default: at += 1
            }
        }
        return nil
    }

    /// Past spaces and colour sequences.
    private func skipLayout(from start: Int) -> Int {
        var at = start
        while at < input.count {
            if input[at] == UInt8(ascii: " ") {
                at += 1
            } else if input[at] == 0x1B, let end = escapeEnd(from: at) {
                at = end
            } else {
                break
            }
        }
        return at
    }

    private func percent(_ at: Int, _ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard at + 2 < input.count, input[at] == UInt8(ascii: "%") else { return false }
        return input[at + 1] == bytes[0] && (input[at + 2] | 0x20) == (bytes[1] | 0x20)
    }

    private func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
    private func isAlpha(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
    private func alnum(at i: Int) -> Bool { i < input.count && (isDigit(input[i]) || isAlpha(input[i])) }
    private func alnum(before i: Int) -> Bool {
        i > 0 && i != boundary && (isDigit(input[i - 1]) || isAlpha(input[i - 1]))
    }
    private func word(before i: Int) -> Bool { i > 0 && i != boundary && isNameByte(input[i - 1]) }
    private func isWordStart(_ b: UInt8) -> Bool { isAlpha(b) || b == UInt8(ascii: "_") }
    private func isNameByte(_ b: UInt8) -> Bool {
        isDigit(b) || isAlpha(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
    private func isTokenByte(_ b: UInt8) -> Bool {
        isNameByte(b) || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x2E || b == 0x7E  // + / = . ~
    }
    private func isLocal(_ b: UInt8) -> Bool {
        isDigit(b) || isAlpha(b) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D  // . _ % + -
    }
    private func isDomain(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) || b == UInt8(ascii: "-") || b == 0x2E }
}
