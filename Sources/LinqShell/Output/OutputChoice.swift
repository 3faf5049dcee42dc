/// What one command asks of its output — `--output`, `--filter`, `--columns` — parsed and
/// checked before anything is sent. The renderer applies it (`Renderer.applying`).
public struct OutputChoice: Sendable {
    /// `--output` (`nil`: the session's).
    public var mode: OutputMode?
    /// `--filter`, parsed.
    public var filter: JSONFilter?
    /// `--columns` (implies `--output table`).
    public var columns: [TableColumn]?

    public init(mode: OutputMode? = nil, filter: JSONFilter? = nil, columns: [TableColumn]? = nil) {
        self.mode = mode
        self.filter = filter
        self.columns = columns
    }

    /// The choice a built-in command's flags make (`last`, `request`, `replay`, …).
    static func parse(output: String?, filter: String?, columns: String?) throws(ShellError) -> OutputChoice {
        var choice = OutputChoice(mode: output.flatMap(OutputMode.init(rawValue:)))
        if let filter { choice.filter = try parseFilter(filter) }
        if let columns { choice.columns = try TableColumn.parse(columns) }
        try choice.check()
        return choice
    }

    /// `--filter TEXT`, or the one-line usage error naming the column where it went wrong.
    static func parseFilter(_ text: String) throws(ShellError) -> JSONFilter {
        do {
            return try JSONFilter(text)
        } catch {
            throw ShellError.usage("--filter '\(text)' \(error.description) (help filters)")
        }
    }

    /// `--columns` lays out a table: it implies `--output table`, and goes with no other.
    mutating func check() throws(ShellError) {
        guard columns != nil else { return }
        if let mode, mode != .table {
            throw ShellError.usage("--columns lays out --output table, not --output \(mode.rawValue)")
        }
        mode = .table
    }
}

extension Renderer {
    /// This renderer with a command's choice applied.
    public func applying(_ choice: OutputChoice) -> Renderer {
        var renderer = self
        if let mode = choice.mode { renderer.output = mode }
        renderer.filter = choice.filter
        renderer.columns = choice.columns
        return renderer
    }
}
