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

    /// `--all`: every item of every page, printed as it arrives (one JSON document per item).
    func followAllPages(_ call: BoundCall) throws(ShellError) {
        guard let pagination = call.operation.pagination else { return }
        let key: String
        switch pagination {
        case .cursor(let itemsKey), .offset(let itemsKey): key = itemsKey
        }
        var renderer = self.renderer
        if let mode = call.output { renderer.output = mode }
        var current: BoundCall? = call
        var seenCursors = Set<String>()
        var pages = 0
        var items = 0
        while let page = current {
            if let cursor = page.arguments["cursor"]?.stringValue {
                guard seenCursors.insert(cursor).inserted else {
                    output.writeErr(errorRenderer.dim("stopped: the server repeated cursor \(cursor)") + "\n")
                    break
                }
            }
            guard let response = try fetch(prepare(page), idempotent: true, operation: page.operation) else { return }
            pages += 1
            for item in response.json?[key]?.arrayValue ?? [] {
                if renderer.output != .quiet && !bodiesHidden { output.writeOut(renderer.json(item)) }
                items += 1
            }
            if let cursor = response.json?["next_cursor"]?.stringValue, !cursor.isEmpty, seenCursors.contains(cursor) {
                output.writeErr(errorRenderer.dim("stopped: the server repeated cursor \(cursor)") + "\n")
                break
            }
            current = nextPage(after: page)
            if let max = call.maxPages, pages >= max, current != nil {
                session.listPosition = current
                output.writeErr(
                    errorRenderer.dim("stopped after \(pages) page(s) (--max-pages); `more` continues") + "\n")
                return
            }
        }
        session.listPosition = nil
        if terminal.stderrIsTTY || session.verbose.value {
            output.writeErr(errorRenderer.dim("\(items) item(s) in \(pages) page(s)") + "\n")
        }
    }
}
