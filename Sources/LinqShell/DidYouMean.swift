/// Suggestions for mistyped names, by edit distance.
public enum DidYouMean {
    /// The candidates closest to `word` (at most `limit`), if any is close enough to be a likely typo:
    /// distance ≤ max(1, length/3), or `word` is a prefix of the candidate.
    public static func suggestions(for word: String, in candidates: [String], limit: Int = 3) -> [String] {
        let lower = word.lowercased()
        let threshold = max(1, lower.count / 3)
        var scored: [(String, Int)] = []
        for candidate in Set(candidates) {
            let c = candidate.lowercased()
            if c == lower { return [candidate] }
            let d = distance(lower, c)
            if d <= threshold || (lower.count >= 2 && c.hasPrefix(lower)) { scored.append((candidate, d)) }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// `; did you mean 'x'?` or an empty string.
    public static func hint(for word: String, in candidates: [String], prefix: String = "") -> String {
        let s = suggestions(for: word, in: candidates)
        guard !s.isEmpty else { return "" }
        return "; did you mean " + s.map { "'\(prefix)\($0)'" }.joined(separator: " or ") + "?"
    }

    /// `--type must be one of a, b, c, not 'x'`, the suggestion first: `'x' is not a --type; did you
    /// mean 'y'? (one of a, b, … 70 more; help lists them)` — a long list is cut to ten.
    public static func notOneOf(_ what: String, _ text: String, _ values: [String]) -> String {
        let suggestions = suggestions(for: text, in: values)
        let shown = values.count <= 12 ? values : Array(values.prefix(10))
        var list = shown.joined(separator: ", ")
        if shown.count < values.count { list += ", … \(values.count - shown.count) more (help lists them)" }
        guard !suggestions.isEmpty else { return "\(what) must be one of \(list), not '\(text)'" }
        let mean = suggestions.map { "'\($0)'" }.joined(separator: " or ")
        return "\(what) '\(text)': did you mean \(mean)? (it must be one of \(list))"
    }

    /// The single closest candidate, if any is a likely typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        suggestions(for: word, in: candidates, limit: 1).first
    }

    /// Damerau–Levenshtein distance (adjacent transpositions count as one edit).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
