import LinqCore
import LinqJSON

/// What the output stages made of a body: the text for stdout and, when there is something to
/// say about it (a filter found nothing, table columns were left out), a note for stderr.
public struct Rendered: Sendable {
    /// For stdout (through the pager stage).
    public var text: String
    /// For stderr, dimmed and in parentheses.
    public var note: String?

    public init(text: String, note: String? = nil) {
        self.text = text
        self.note = note
    }
}

/// The stages every printed body passes, in order: the filter (`--filter`) picks values, the
/// format (`--output`) prints them. The pager is the last stage, where the text is written
/// (`Interpreter.emit`). Without a filter, `pretty`, `json` and `raw` print the body as they
/// always did (nothing more is done on that path).
extension Renderer {
    /// A response body through the stages; `operation` tells where its list is.
    public func render(_ response: LinqResponse, operation: APIOperation?) throws(ShellError) -> Rendered {
        if filter == nil, output.printsBodyAsIs { return Rendered(text: body(of: response)) }
        guard !response.body.isEmpty, output != .quiet else { return Rendered(text: "") }
        guard let json = response.json else {
            if let filter {
                throw ShellError(.request, "--filter '\(filter.text)' reads JSON, and this body is not JSON")
            }
            return Rendered(text: body(of: response))
        }
        return try render(json, listKey: operation?.listKey)
    }

    /// A JSON document through the stages (`listKey`: the member holding its list, if it is one).
    public func render(_ document: JSONValue, listKey: String?) throws(ShellError) -> Rendered {
        if let filter { return try values(filtering: document, with: filter) }
        let items = document.arrayValue ?? listKey.flatMap { document[$0]?.arrayValue }
        switch output {
        case .jsonl: return Rendered(text: (items ?? [document]).map { $0.formatted(.compact) + "\n" }.joined())
        case .table: return table(items ?? [document])
        default: return values([document])
        }
    }

    /// The values `filter` yields from `document`, in the format; a note when it found nothing,
    /// or only `null` for a member that is not there.
    func values(filtering document: JSONValue, with filter: JSONFilter) throws(ShellError) -> Rendered {
        let result: FilterResult
        do {
            result = try filter.apply(to: document)
        } catch {
            throw ShellError(.request, "--filter '\(filter.text)': \(error.message)")
        }
        var rendered = values(result.values)
        if result.values.isEmpty {
            rendered.note = "--filter '\(filter.text)' found nothing"
        } else if let miss = result.miss, result.values.allSatisfy(\.isNull) {
            rendered.note = "--filter '\(filter.text)': \(miss)"
        }
        return rendered
    }

    /// Values printed each on its own in the format (as jq prints several results); `continuing`
    /// when earlier values of the same stream were printed (YAML puts `---` between documents).
    /// A table takes them as its rows (one array: its elements).
    public func values(_ values: [JSONValue], continuing: Bool = false) -> Rendered {
        switch output {
        case .quiet: return Rendered(text: "")
        case .table:
            if values.count == 1, let items = values[0].arrayValue { return table(items) }
            return table(values)
        case .yaml:
            guard !values.isEmpty else { return Rendered(text: "") }
            return Rendered(text: (continuing ? "---\n" : "") + YAMLWriter.documents(values))
        case .raw:
            // Text as text, like jq -r; on a terminal its control characters are escaped.
            return Rendered(
                text: values.map { value in
                    guard case .string(let text) = value else { return value.formatted(.compact) + "\n" }
                    return withNewline(terminal ? TerminalText.escape(text, keepLayout: true) : text)
                }.joined())
        case .pretty, .json, .jsonl:
            return Rendered(text: values.map(json).joined())
        }
    }

    /// Rows as a table (`--columns`, fitted to `tableWidth`).
    func table(_ rows: [JSONValue]) -> Rendered {
        // Columns are measured on what will show, so redaction comes first here.
        let rows = redaction.map { state in rows.map { state.apply($0) } } ?? rows
        let (text, note) = TableLayout(columns: columns, width: tableWidth, color: color).render(rows)
        return Rendered(text: text, note: note)
    }

    /// The body of an API error for stdout, so that a pipeline reading JSON, JSON lines or YAML
    /// sees the error too (the error block itself goes to stderr); `nil` for the other formats.
    public func errorEnvelope(_ response: LinqResponse) -> String? {
        switch output {
        case .json, .raw: return body(of: response)
        case .jsonl: return response.json.map { $0.formatted(.compact) + "\n" } ?? body(of: response)
        case .yaml: return response.json.map(YAMLWriter.document) ?? body(of: response)
        case .pretty, .table, .quiet: return nil
        }
    }
}

extension OutputMode {
    /// Whether the body prints as it always did (no filter): pretty, json, raw, quiet.
    var printsBodyAsIs: Bool {
        switch self {
        case .pretty, .json, .raw, .quiet: true
        case .jsonl, .yaml, .table: false
        }
    }
}
