/// Small Foundation-free string helpers shared by the core and the shell.
extension String {
    /// Replaces every occurrence of `target`.
    public func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, var range = Substring(self).utf8Range(of: target) else { return self }
        var result = ""
        var rest = Substring(self)
        while true {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
            guard let next = rest.utf8Range(of: target) else { break }
            range = next
        }
        result += rest
        return result
    }

    /// The string without leading and trailing characters from `set`.
    public func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    /// The first occurrence of `target`, found on UTF-8 bytes (the standard library's generic
    /// search over characters is far slower, and this runs on every line printed). Matches on a
    /// byte boundary that is not a character boundary (a combining mark after the match) count.
    public func utf8Range(of target: String) -> Range<Index>? {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return nil }
        let bytes = utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == first {
                var end = index
                var matched = 0
                while matched < needle.count, end < bytes.endIndex, bytes[end] == needle[matched] {
                    matched += 1
                    end = bytes.index(after: end)
                }
                if matched == needle.count { return index..<end }
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
