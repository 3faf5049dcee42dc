/// A minimal model of an xterm screen, enough to replay what a line editor writes and see what
/// a person would see: printable text (wide characters take two cells, combining marks join the
/// previous cell), CR, LF, BS, TAB, deferred wrapping at the last column (xterm's `xn`), and the
/// CSI sequences libedit uses with `TERM=xterm` — cursor moves (A B C D G H), erase (K J),
/// delete and insert characters (P @). Other escape sequences (colours, modes) are ignored.
public struct TerminalScreen {
    public let rows: Int
    public let columns: Int
    /// Each cell holds the text shown there; the right half of a wide character holds "".
    private var cells: [[String]]
    public private(set) var row = 0
    public private(set) var column = 0
    /// Set after writing into the last column: the next printable character wraps first.
    private var pendingWrap = false

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
    }

    /// Replays `bytes` (UTF-8 with escape sequences).
    public mutating func feed(_ bytes: [UInt8]) {
        var scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\u{1B}": escape(&scalars)
            case "\r":
                column = 0
                pendingWrap = false
            case "\n": lineFeed()
            case "\u{08}":
                if pendingWrap {
                    pendingWrap = false
                    column = max(0, columns - 2)
                } else {
                    column = max(0, column - 1)
                }
            case "\t":
                pendingWrap = false
                column = min(columns - 1, (column / 8 + 1) * 8)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                put(scalar)
            }
        }
    }

    /// The text of one row, trailing blanks removed.
    public func line(_ index: Int) -> String {
        var text = cells[index].joined()
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// Every row, trailing blank rows removed.
    public var lines: [String] {
        var all = (0..<rows).map(line)
        while all.last == "" { all.removeLast() }
        return all
    }

    /// The text left of the cursor on its row.
    public var textBeforeCursor: String { cells[row][0..<min(column, columns)].joined() }

    /// Columns a scalar takes on xterm: 0 for combining marks, 2 for East Asian wide and emoji.
    public static func width(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        switch v {
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F, 0x200B...0x200F,
            0xFE00...0xFE0F:
            return 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    private mutating func put(_ scalar: Unicode.Scalar) {
        let width = Self.width(scalar)
        if width == 0 {
            // Joins the character left of the cursor.
            let target = pendingWrap ? columns - 1 : column - 1
            guard target >= 0 else { return }
            var cell = target
            while cell > 0 && cells[row][cell].isEmpty { cell -= 1 }
            cells[row][cell].unicodeScalars.append(scalar)
            return
        }
        if pendingWrap || column + width > columns {
            pendingWrap = false
            column = 0
            lineFeed()
        }
        clearWide(at: column)
        cells[row][column] = String(scalar)
        if width == 2 {
            clearWide(at: column + 1)
            cells[row][column + 1] = ""
        }
        column += width
        if column >= columns {
            column = columns - 1
            pendingWrap = true
        }
    }

    /// Overwriting half of a wide character blanks its other half.
    private mutating func clearWide(at index: Int) {
        guard index < columns else { return }
        if cells[row][index].isEmpty, index > 0 { cells[row][index - 1] = " " }
        if index + 1 < columns, cells[row][index + 1].isEmpty { cells[row][index + 1] = " " }
    }

    private mutating func lineFeed() {
        pendingWrap = false
        if row == rows - 1 {
            cells.removeFirst()
            cells.append(Array(repeating: " ", count: columns))
        } else {
            row += 1
        }
    }

    private mutating func escape(_ scalars: inout ArraySlice<Unicode.Scalar>) {
        guard let kind = scalars.popFirst() else { return }
        guard kind == "[" else {
            if kind == "]" {  // OSC: up to BEL or ST
                while let c = scalars.popFirst(), c != "\u{07}" {
                    if c == "\u{1B}" {
                        _ = scalars.popFirst()
                        break
                    }
                }
            }
            return
        }
        var parameters = ""
        var final: Unicode.Scalar = "@"
        while let c = scalars.popFirst() {
            if c.value >= 0x40 && c.value <= 0x7E {
                final = c
                break
            }
            parameters.unicodeScalars.append(c)
        }
        if parameters.hasPrefix("?") || parameters.hasPrefix(">") { return }
        let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        let n = max(1, (numbers.first ?? nil) ?? 1)
        let raw = (numbers.first ?? nil) ?? 0
        switch final {
        case "A": move(toRow: row - n, column: column)
        case "B": move(toRow: row + n, column: column)
        case "C": move(toRow: row, column: column + n)
        case "D": move(toRow: row, column: (pendingWrap ? columns - 1 : column) - n)
        case "G": move(toRow: row, column: n - 1)
        case "H", "f":
            let r = numbers.count > 0 ? (numbers[0] ?? 1) : 1
            let c = numbers.count > 1 ? (numbers[1] ?? 1) : 1
            move(toRow: r - 1, column: c - 1)
        case "K":
            let from = raw == 0 ? column : 0
            let to = raw == 1 ? column : columns - 1
            if from <= to { for i in from...to { cells[row][i] = " " } }
        case "J":
            if raw == 2 {
                cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
            } else if raw == 0 {
                for i in column..<columns { cells[row][i] = " " }
                for r in (row + 1)..<rows { cells[r] = Array(repeating: " ", count: columns) }
            }
        case "P":
            pendingWrap = false
            for _ in 0..<min(n, columns - column) {
                cells[row].remove(at: column)
                cells[row].append(" ")
            }
        case "@":
            pendingWrap = false
            for _ in 0..<min(n, columns - column) {
                cells[row].insert(" ", at: column)
                cells[row].removeLast()
            }
        default: break
        }
    }

    private mutating func move(toRow r: Int, column c: Int) {
        pendingWrap = false
        row = min(max(0, r), rows - 1)
        column = min(max(0, c), columns - 1)
    }
}
