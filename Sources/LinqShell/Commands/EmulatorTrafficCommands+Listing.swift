import LinqCore
import LinqJSON

extension EmulatorTrafficCommands {
    /// Whether entries print as JSON (one line each): the command's `--output`, else the session's.
    static func wantsJSON(_ context: CommandContext) -> Bool {
        let mode = context.arguments[output].flatMap(OutputMode.init(rawValue:)) ?? context.renderer.output
        return mode == .json || mode == .raw
    }

    /// `GET path?query` on the control API: its JSON answer.
    static func fetch(_ context: CommandContext, _ path: String, _ query: [(String, String)]) throws(ShellError)
        -> JSONValue?
    {
        let text = query.map { "\($0.0)=\(RequestBuilder.encodeQueryComponent($0.1))" }.joined(separator: "&")
        return try EmulatorCommands.control(context, "GET", text.isEmpty ? path : path + "?" + text)
    }

    /// Lists the last N entries of a log (`key` in the answer of `path`) and, with `--follow`,
    /// asks for newer ones (`after=` the last id seen) every 200 ms until Ctrl-C, which ends the
    /// command normally. `widths` fits the columns to a list; a follow keeps the default ones.
    static func list(
        _ context: CommandContext, path: String, key: String, query: [(String, String)], usage: String, none: String,
        widths: ([JSONValue]) -> TrafficView.Widths, show: ([JSONValue], TrafficView.Widths) -> Void
    ) throws(ShellError) {
        var last = defaultCount
        if let word = context.arguments[count] {
            guard let n = Int(word), (1...1000).contains(n) else {
                throw ShellError.usage("N is how many to list, from 1 to 1000, not '\(word)'", usage)
            }
            last = n
        }
        let following = context.arguments.flag(follow)
        let answer = try fetch(context, path, query + [("last", String(last))])
        let items = answer?[key]?.arrayValue ?? []
        if !items.isEmpty { show(items, following ? TrafficView.Widths() : widths(items)) }
        guard following else {
            if items.isEmpty { context.err(context.errorRenderer.dim(none) + "\n") }
            return
        }
        let origin = EmulatorCommands.origin(of: context.session.baseURL.value)
        context.err(context.errorRenderer.dim("following \(origin)\(path) (Ctrl-C stops)") + "\n")
        let before = Interrupts.count
        var after = answer?["last_id"]?.intValue ?? 0
        var full = false
        while true {
            if !full, Blocking.wait(upTo: 0.2, until: { Interrupts.count != before }) != .timedOut { return }
            let page: JSONValue?
            do {
                page = try fetch(context, path, query + [("after", String(after)), ("limit", "1000")])
            } catch {
                if error.kind == .interrupted || Interrupts.count != before { return }
                throw error
            }
            let new = page?[key]?.arrayValue ?? []
            if !new.isEmpty { show(new, TrafficView.Widths()) }
            after = page?["last_id"]?.intValue ?? after
            full = new.count == 1000
        }
    }
}
