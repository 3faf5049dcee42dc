import LineEditor
import LinqCore
import LinqJSON

/// `--output table`: rows (JSON objects) as aligned columns under a header line. The columns are
/// `--columns` when given; otherwise the scalar members of the rows, in the order they first
/// appear, fitted to a terminal's width — long ids shortened (`7b3c…0001`), then the last column
/// cut with `…` or left out (a note names what was left out). Cells: text as is (control
/// characters escaped), `-` for null or absent, nested values as compact JSON; columns of numbers
/// align right.
struct TableLayout {
    /// The columns (`nil`: the defaults).
    var columns: [TableColumn]?
    /// The terminal's width, when the table goes to one.
    var width: Int?
    /// Bold header, dimmed `-`.
    var color = false

    /// The table, and a note for stderr when columns were left out for width.
    func render(_ rows: [JSONValue]) -> (text: String, note: String?) {
        guard !rows.isEmpty else { return ("", "no items") }
        guard rows.allSatisfy({ $0.objectValue != nil }) else {
            // Values that are not objects: one per line (a header only when some are objects).
            if rows.allSatisfy({ $0.objectValue == nil }) {
                return (rows.map { Self.cell($0) + "\n" }.joined(), nil)
            }
            return render(rows.map { .object(["value": $0]) })
        }
        let chosen = columns ?? Self.defaultColumns(rows)
        let values = rows.map { row in chosen.map { $0.value(in: row) } }
        var grid = Grid(
            titles: chosen.map(\.name), cells: values.map { $0.map(Self.cell) },
            numeric: chosen.indices.map { column in Self.isNumeric(values.map { $0[column] }) })
        var dropped: [String] = []
        if let width, columns == nil { dropped = grid.fit(width) }
        let text = grid.text(color: color)
        let note = dropped.isEmpty ? nil : "not shown for width: \(dropped.joined(separator: ", ")) (--columns picks)"
        return (text, note)
    }

    /// The members every row holds as a scalar (or null), in first-seen order; all members when
    /// none is.
    static func defaultColumns(_ rows: [JSONValue]) -> [TableColumn] {
        var order: [String] = []
        var seen: Set<String> = []
        var nested: Set<String> = []
        for row in rows {
            for member in row.objectValue ?? [:] {
                if seen.insert(member.key).inserted { order.append(member.key) }
                switch member.value {
                case .object, .array: nested.insert(member.key)
                default: break
                }
            }
        }
        let scalar = order.filter { !nested.contains($0) }
        return (scalar.isEmpty ? order : scalar).map(TableColumn.member)
    }

    /// Whether a column holds numbers (and nulls) only — JSON numbers, not text that reads as
    /// one (`+15551230001` stays left): such a column aligns right.
    static func isNumeric(_ column: [JSONValue?]) -> Bool {
        var any = false
        for value in column {
            switch value {
            case .number?: any = true
            case nil, .null?: continue
            default: return false
            }
        }
        return any
    }

    /// Columns `text` takes on a terminal: `wcwidth` per character, and 1 where the C library
    /// does not know the character (a process whose locale is not UTF-8).
    static func width(_ text: String) -> Int {
        text.reduce(0) { total, character in
            guard let first = character.unicodeScalars.first else { return total }
            if let known = LineEditor.knownWidth(first) { return total + known }
            if first.value < 0xA0 { return total }
            return total + (first.properties.generalCategory == .nonspacingMark ? 0 : 1)
        }
    }

    /// A value as a cell's text.
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "-"
        case .string(let text)?: TerminalText.escape(text, keepLayout: false)
        case let other?: TerminalText.escape(other.formatted(.compact), keepLayout: false)
        }
    }
}

/// The cells of a table as text, and how they fit a width.
private struct Grid {
    var titles: [String]
    var cells: [[String]]
    /// Per column: numbers, aligned right.
    var numeric: [Bool]

    private func widths() -> [Int] {
        titles.indices.map { column in
            cells.reduce(TableLayout.width(titles[column])) { max($0, TableLayout.width($1[column])) }
        }
    }

    private func total(_ widths: [Int]) -> Int { widths.reduce(0, +) + 2 * max(0, widths.count - 1) }

    /// Shortens ids, then cuts or leaves out columns from the right until the table fits `width`;
    /// returns the titles left out.
    mutating func fit(_ width: Int) -> [String] {
        if total(widths()) > width {
            for column in titles.indices where titles[column] == "id" || titles[column].hasSuffix("_id") {
                for row in cells.indices { cells[row][column] = TimelineView.shortID(cells[row][column]) }
            }
        }
        var dropped: [String] = []
        var current = widths()
        while total(current) > width {
            let room = width - (total(current) - current[current.count - 1])
            if room >= 10 || titles.count == 1 {
                truncateLast(to: max(4, room))
                break
            }
            dropped.insert(titles.removeLast(), at: 0)
            numeric.removeLast()
            for row in cells.indices { cells[row].removeLast() }
            current = widths()
        }
        return dropped
    }

    private mutating func truncateLast(to width: Int) {
        let last = titles.count - 1
        titles[last] = Self.cut(titles[last], width)
        for row in cells.indices { cells[row][last] = Self.cut(cells[row][last], width) }
    }

    private static func cut(_ text: String, _ width: Int) -> String {
        guard TableLayout.width(text) > width else { return text }
        var out = ""
        var used = 0
        for character in text {
            let w = TableLayout.width(String(character))
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// The header and rows, columns two spaces apart (numbers right-aligned).
    func text(color: Bool) -> String {
        let widths = widths()
        func line(_ row: [String], header: Bool) -> String {
            var parts: [String] = []
            for (column, text) in row.enumerated() {
                let gap = String(repeating: " ", count: max(0, widths[column] - TableLayout.width(text)))
                let last = column == row.count - 1
                var cell = numeric[column] && !header ? gap + text : (last ? text : text + gap)
                if color && header { cell = "\u{1B}[1m" + cell + "\u{1B}[0m" }
                if color && !header && text == "-" {
                    cell = cell.replacingOccurrences(of: "-", with: "\u{1B}[2m-\u{1B}[0m")
                }
                parts.append(cell)
            }
            return parts.joined(separator: "  ") + "\n"
        }
        return line(titles, header: true) + cells.map { line($0, header: false) }.joined()
    }
}

/// One column of `--columns a,b.c`: its name as written and the path it reads in each row.
public struct TableColumn: Sendable {
    public let name: String
    let path: JSONFilter?

    /// A top-level member.
    static func member(_ key: String) -> TableColumn { TableColumn(name: key, path: nil) }

    init(name: String, path: JSONFilter?) {
        self.name = name
        self.path = path
    }

    /// The cell's value in `row` (`nil` when the path leads nowhere).
    func value(in row: JSONValue) -> JSONValue? {
        guard let path else { return row[name] }
        return (try? path.apply(to: row))?.values.first
    }

    /// `id,display_name,health_status.status,handles[0].handle`: each a path from the row.
    static func parse(_ list: String) throws(ShellError) -> [TableColumn] {
        var columns: [TableColumn] = []
        for piece in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(piece).trimmingCharacters(in: " ")
            let example = "e.g. --columns id,display_name,health_status.status"
            guard !name.isEmpty else {
                throw ShellError.usage("--columns '\(list)': an empty column name (\(example))")
            }
            let written = name.hasPrefix(".") || name.hasPrefix("[") ? name : "." + name
            guard let path = try? JSONFilter(written), path.isPath else {
                throw ShellError.usage("--columns '\(list)': '\(name)' is not a member path (\(example))")
            }
            columns.append(TableColumn(name: name, path: path))
        }
        return columns
    }
}
