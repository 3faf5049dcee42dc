extension ShapeText {
    /// An RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`
    /// (`T` may be `t` or a space; `Z` may be `z`). Checked byte by byte, with no formatter.
    static func isDateTime(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { isDateTime(bytes: $0) }
            ?? Array(utf8).withUnsafeBufferPointer { isDateTime(bytes: $0) }
    }

    private static func isDateTime(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        // 2025-01-31T12:00:00 is 19 bytes; the shortest offset is Z.
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[13] == 0x3A, b[16] == 0x3A,
            b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20,
            let month = number(b, 5), (1...12).contains(month), let day = number(b, 8), (1...31).contains(day),
            let hour = number(b, 11), hour <= 23, let minute = number(b, 14), minute <= 59,
            let second = number(b, 17), second <= 60, number(b, 0) != nil, number(b, 2) != nil
        else { return false }
        var i = 19
        if b[i] == 0x2E {  // a fraction: one digit at least
            i += 1
            let start = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            if i == start { return false }
        }
        guard i < b.count else { return false }
        if b[i] == 0x5A || b[i] == 0x7A { return i + 1 == b.count }
        guard b[i] == 0x2B || b[i] == 0x2D, b.count == i + 6, b[i + 3] == 0x3A,
            let offsetHours = number(b, i + 1), offsetHours <= 23, let offsetMinutes = number(b, i + 4),
            offsetMinutes <= 59
        else { return false }
        return true
    }

    /// The two decimal digits at `i`, or nil.
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let high = Int(b[i]) - 0x30
        let low = Int(b[i + 1]) - 0x30
        guard (0...9).contains(high), (0...9).contains(low) else { return nil }
        return high * 10 + low
    }
}
