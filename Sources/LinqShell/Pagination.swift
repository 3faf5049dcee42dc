import LinqCore
import LinqJSON

/// Following pages of list commands: `--all` streams every item of every page (stopping on a
/// repeated cursor or at `--max-pages`), and `more` fetches the page after the last one shown.
extension Interpreter {
    /// The call for the page after the last response of `call`, or `nil` on the last page.
    func nextPage(after call: BoundCall) -> BoundCall? {
        guard let pagination = call.operation.pagination, let json = session.lastResponse?.json else { return nil }
        var next = call
        next.all = false
        switch pagination {
        case .cursor:
            guard let cursor = json["next_cursor"]?.stringValue, !cursor.isEmpty else { return nil }
            if call.arguments["cursor"]?.stringValue == cursor { return nil }
            next.arguments["cursor"] = .string(cursor)
        case .offset(let key):
            guard json["has_more"]?.boolValue == true, let count = json[key]?.arrayValue?.count, count > 0 else {
                return nil
            }
            let offset = call.arguments["offset"]?.intValue ?? 0
            next.arguments["offset"] = .int(offset + count)
        }
        return next
    }

    /// `--all`: every item of every page, printed as it arrives (each item on its own in the
    /// format, after `--filter`); a table, or output the pager will show, is printed once the last
    /// page is in.
    func followAllPages(_ call: BoundCall) throws(ShellError) {
        guard let key = call.operation.listKey else { return }
        let renderer = self.renderer(for: call.outputChoice)
        var stream = ItemStream(renderer: renderer, buffered: pages || renderer.output == .table, hidden: bodiesHidden)
        var current: BoundCall? = call
        var seenCursors = Set<String>()
        var pageCount = 0
        defer { emit(stream.finish()) }
        while let page = current {
            if let cursor = page.arguments["cursor"]?.stringValue {
                guard seenCursors.insert(cursor).inserted else {
                    output.writeErr(errorRenderer.dim("stopped: the server repeated cursor \(cursor)") + "\n")
                    break
                }
            }
            let response: LinqResponse
            do {
                guard let fetched = try fetch(prepare(page), idempotent: true, operation: page.operation) else {
                    return
                }
                response = fetched
            } catch {
                emit(stream.finish())
                showEnvelope(of: error, renderer: renderer)
                throw error
            }
            pageCount += 1
            for item in response.json?[key]?.arrayValue ?? [] {
                if let text = try stream.add(item) { output.writeOut(text) }
            }
            if let cursor = response.json?["next_cursor"]?.stringValue, !cursor.isEmpty, seenCursors.contains(cursor) {
                output.writeErr(errorRenderer.dim("stopped: the server repeated cursor \(cursor)") + "\n")
                break
            }
            current = nextPage(after: page)
            if let max = call.maxPages, pageCount >= max, current != nil {
                session.listPosition = current
                emit(stream.finish())
                output.writeErr(
                    errorRenderer.dim("stopped after \(pageCount) page(s) (--max-pages); `more` continues") + "\n")
                return
            }
        }
        session.listPosition = nil
        emit(stream.finish())
        if terminal.stderrIsTTY || session.verbose.value {
            output.writeErr(errorRenderer.dim("\(stream.items) item(s) in \(pageCount) page(s)") + "\n")
        }
    }
}

/// The items `--all` prints: each through the filter and the format, written at once or kept
/// for the end (a table needs every row for its widths; the pager needs the whole text).
struct ItemStream {
    let renderer: Renderer
    /// Keep the text (or the rows) until `finish`.
    let buffered: Bool
    /// `let` binds the response: nothing prints.
    let hidden: Bool
    private(set) var items = 0
    private var printed = 0
    private var kept = ""
    private var rows: [JSONValue] = []
    private var finished = false

    init(renderer: Renderer, buffered: Bool, hidden: Bool) {
        self.renderer = renderer
        self.buffered = buffered
        self.hidden = hidden
    }

    /// Adds one item; the text to print now, if any.
    mutating func add(_ item: JSONValue) throws(ShellError) -> String? {
        items += 1
        guard !hidden, renderer.output != .quiet else { return nil }
        var values = [item]
        if let filter = renderer.filter {
            do {
                values = try filter.apply(to: item).values
            } catch {
                throw ShellError(.request, "--filter '\(filter.text)': \(error.message)")
            }
        }
        if renderer.output == .table {
            rows += values
            return nil
        }
        let text = renderer.values(values, continuing: printed > 0).text
        printed += values.count
        guard buffered else { return text }
        kept += text
        return nil
    }

    /// What is left to print, with a note when a filter found nothing in any item (once: later
    /// calls give nothing).
    mutating func finish() -> Rendered {
        defer {
            kept = ""
            rows = []
            finished = true
        }
        if finished || hidden || renderer.output == .quiet { return Rendered(text: "") }
        if renderer.output == .table { return renderer.table(rows) }
        if let filter = renderer.filter, printed == 0, items > 0 {
            return Rendered(text: kept, note: "--filter '\(filter.text)' found nothing")
        }
        return Rendered(text: kept)
    }
}
