import LinqCore
import LinqJSON

/// `timeline`, `inspect`, `diff` and `replay`: the session's exchanges and webhook deliveries,
/// listed, opened whole, compared and sent again. All read the session's one `Timeline`.
enum TimelineCommands {
    static let commands: [CommandSpec] = [timeline, timelineClear, inspect, diff, replay]

    // MARK: timeline

    static let listCount = CommandParameter.positional(
        "count", required: false, completion: .none, help: "how many, from the end")
    static let failed = CommandParameter.flag("failed", help: "only exchanges that failed (error status, no answer)")
    static let status = CommandParameter.flag(
        "status", type: .string, completion: .values(["2xx", "4xx", "5xx", "400", "404", "409", "429"]),
        help: "only this status (404) or class (4xx)")
    static let path = CommandParameter.flag(
        "path", type: .string, completion: .none, help: "only requests whose path starts so (/v3/chats)")
    static let since = CommandParameter.flag(
        "since", type: .string, completion: .values(["30s", "5m", "1h"]), help: "only the last 30s, 5m, 2h, 1d")
    static let grepWords = CommandParameter.positional(
        "grep", required: false, variadic: true, completion: .none, help: "grep TEXT: only entries containing TEXT")

    static let timeline = CommandSpec(
        ["timeline"], aliases: [["tl"]], group: .debugging,
        summary: "Every exchange and webhook event of this session, numbered",
        details: """
            One line each: number, time, method, path (long ids shortened), status and Linq code, \
            duration, attempts when retried, trace id; webhook deliveries (from webhook listen) in \
            between, in the order they arrived. inspect N opens one whole, $tN is its JSON, diff A B \
            compares two, replay N sends one again. Filters combine: timeline --failed, --status 4xx, \
            --path /v3/chats, --since 5m, grep TEXT (command, URL, bodies, trace id), and N for the last N. \
            The last \(Timeline.limit) entries are kept (and \(Timeline.maxKeptBytes / 1_048_576) MiB of \
            bodies); an older exchange's body over \(Timeline.maxBodyKept / 1024) KiB is cut, and says so.
            """,
        parameters: [listCount, failed, status, path, since, grepWords],
        examples: [
            "card get; chat list --limit 1; timeline", "timeline 10", "timeline --failed",
            "chat list --limit 1; timeline --path /v3/chats --since 5m", "card get; timeline grep contact",
        ],
        traits: [.notRecorded], synopsis: "timeline [N] [--failed] [--status S] [--path P] [--since 5m] [grep TEXT]",
        run: { context throws(ShellError) in
            let filter = try Self.filter(context)
            let entries = context.session.timeline.entries
            var shown = entries.filter(filter.admits)
            if let last = filter.last { shown = Array(shown.suffix(last)) }
            guard !shown.isEmpty else {
                context.err(
                    context.errorRenderer.dim(
                        entries.isEmpty ? "the timeline is empty: nothing sent yet" : "no entry matches") + "\n")
                return
            }
            let width = String(shown.last?.number ?? 1).count
            let paths = shown.compactMap { entry -> Int? in
                guard case .exchange(let exchange) = entry.kind else { return nil }
                return TimelineView.shortened(TimelineView.apiPath(exchange.request.url)).count
            }
            let pathWidth = min(60, paths.max() ?? 20)
            context.page(
                shown.map {
                    TimelineView.line($0, renderer: context.renderer, numberWidth: width, pathWidth: pathWidth) + "\n"
                }.joined())
        })

    static let timelineClear = CommandSpec(
        ["timeline", "clear"], group: .debugging, summary: "Forget the timeline (numbering goes on)",
        parameters: [], examples: ["timeline clear"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            context.session.timeline.clear()
            context.err(context.errorRenderer.dim("timeline cleared") + "\n")
        })

    /// The filter a `timeline` line asks for (a usage error naming a bad value).
    static func filter(_ context: CommandContext) throws(ShellError) -> TimelineFilter {
        let usage = "usage: " + HelpFormatter.synopsis(context.spec)
        var filter = TimelineFilter()
        filter.failed = context.arguments.flag(failed)
        if let value = context.arguments[status] {
            let ok =
                Int(value).map { (100...999).contains($0) } ?? false
                || (value.count == 3 && value.lowercased().hasSuffix("xx") && "12345".contains(value.first!))
            guard ok else {
                throw ShellError.usage("--status takes a status (404) or a class (4xx), not '\(value)'", usage)
            }
            filter.status = value
        }
        if let value = context.arguments[path] {
            guard value.hasPrefix("/") else {
                throw ShellError.usage("--path takes a path relative to the base URL, e.g. /v3/chats", usage)
            }
            filter.path = value
        }
        if let value = context.arguments[since] {
            guard let seconds = TimelineFilter.seconds(value) else {
                throw ShellError.usage("--since takes a duration such as 30s, 5m, 2h or 1d, not '\(value)'", usage)
            }
            filter.since = Timeline.wallClock() - seconds
        }
        var words = context.arguments.all(listCount) + context.arguments.all(grepWords)
        if let first = words.first, let n = Int(first) {
            guard n > 0 else { throw ShellError.usage("timeline N takes a positive count", usage) }
            filter.last = n
            words.removeFirst()
        }
        if let first = words.first {
            guard first == "grep", words.count >= 2 else {
                throw ShellError.usage("expected N or grep TEXT, not '\(first)'", usage)
            }
            filter.text = words.dropFirst().joined(separator: " ")
        }
        return filter
    }

    // MARK: inspect

    static let entryNumber = CommandParameter.positional(
        "number", required: false, completion: .none, help: "the timeline number (default: the last exchange)")
    static let copyAs = CommandParameter.flag(
        "as", type: .enumeration(CopyAs.languages),
        help: "the request as code: " + CopyAs.languages.joined(separator: ", "))
    static let output = CommonFlag.output.parameter
    static let filter = CommonFlag.filter.parameter

    static let inspect = CommandSpec(
        ["inspect"], group: .debugging, summary: "One exchange whole: request, attempts, timing, response",
        details: """
            inspect N shows timeline entry N (inspect alone the last exchange): the command that sent \
            it, the request as sent (key masked), every attempt with its outcome, where the time went, \
            the response's status line, headers and body, and each way the body departs from the \
            operation's documented shape. For a webhook delivery: its headers, body and signature check. \
            --as curl|httpie|python|node|go|swift prints the request as code instead; --output json (or \
            jsonl, yaml) the whole exchange as one document, and --filter picks from that document. \
            $tN is entry N's JSON in any command ($t7.chats[0].id).
            """,
        parameters: [entryNumber, copyAs, output, filter],
        examples: [
            "card get; inspect", "card get; chat list --limit 1; inspect 1",
            "chat list --limit 1; inspect 1 --as python",
            "card get; inspect 1 --output json", "card get; inspect --output yaml --filter .response",
        ],
        traits: [.notRecorded], synopsis: "inspect [N] [--as LANG] [--output json|jsonl|yaml] [--filter F]",
        run: { context throws(ShellError) in
            let choice = try context.outputChoice()
            let entry = try Self.entry(context.arguments[entryNumber], context)
            if let language = context.arguments[copyAs] {
                guard case .exchange(let exchange) = entry.kind else {
                    throw ShellError.usage(
                        "#\(entry.number) is a webhook delivery, not a request: --as needs an exchange")
                }
                context.out(
                    CopyAs.command(
                        language, for: exchange.request, operation: exchange.resolvedOperation,
                        session: context.session, secrets: context.knownKeys) + "\n")
                return
            }
            let shapes = ShapeWarnings.of(entry)
            // A format for data, or a filter: the exchange as one document. Otherwise the view for a person.
            if choice.filter != nil || [.json, .jsonl, .yaml, .raw].contains(choice.mode) {
                var renderer = context.renderer(for: choice)
                if renderer.output == .quiet || renderer.output == .table { renderer.output = .pretty }
                let document = InspectView.json(entry, renderer: context.renderer, shapes: shapes)
                context.emit(try renderer.render(document, listKey: nil))
                return
            }
            context.page(InspectView.text(entry, renderer: context.renderer, shapes: shapes))
        })

    /// Timeline entry `word` (`7`, `#7`, `t7`; `nil`: the last exchange), or a usage error saying
    /// which numbers there are.
    static func entry(_ word: String?, _ context: CommandContext) throws(ShellError) -> TimelineEntry {
        let timeline = context.session.timeline
        guard let word else {
            guard let number = timeline.lastExchangeNumber, let entry = timeline.entry(number) else {
                throw ShellError.usage("nothing sent yet: the timeline is empty")
            }
            return entry
        }
        var digits = Substring(word)
        if digits.hasPrefix("#") || digits.hasPrefix("t") { digits = digits.dropFirst() }
        guard let number = Int(digits), number > 0 else {
            throw ShellError.usage("'\(word)' is not a timeline number: use the numbers timeline lists, e.g. inspect 3")
        }
        guard let entry = timeline.entry(number) else { throw ShellError.usage(timeline.missing(number)) }
        return entry
    }

    // MARK: diff

    static let first = CommandParameter.positional(
        "a", required: false, completion: .none, help: "a timeline number (default: the last exchange)")
    static let second = CommandParameter.positional(
        "b", required: false, completion: .none,
        help: "another (default: the answer before A to the same request)")
    static let all = CommandParameter.flag("all", help: "also list ids, timestamps and trace ids that differ")

    static let diff = CommandSpec(
        ["diff"], group: .debugging, summary: "Compare two answers, JSON-aware (exit 1 when they differ)",
        details: """
            diff A B lists what changed from timeline entry A to B: + added, - removed, ~ changed, \
            each path with its values, in document order. Lists of objects with ids are matched by \
            id. Ids, timestamps and trace ids are left out unless --all. diff A compares A with the \
            answer before it to the same request; diff alone does that for the last exchange. It \
            fails (exit status 1) when they differ, and $diff keeps the result for expect: \
            try diff 3 5; expect $diff.changes length == 1.
            """,
        parameters: [first, second, all],
        examples: [
            "chat list --limit 1; chat list --limit 1; diff",
            "chat list --limit 1; chat list --limit 2; try diff 1 2; expect $diff.equal == false",
        ],
        traits: [.notRecorded], synopsis: "diff [A [B]] [--all]",
        run: { context throws(ShellError) in
            let (older, newer) = try Self.pair(context)
            let diff = JSONDiff(
                older.json ?? Self.text(older), newer.json ?? Self.text(newer), all: context.arguments.flag(all))
            let statuses = (Self.status(older), Self.status(newer))
            var lines: [String] = []
            let r = context.renderer
            if let a = statuses.0, let b = statuses.1, a != b {
                lines.append(r.yellow("~ status: \(a) → \(b)"))
            }
            lines += diff.changes.map { DiffView.line($0, renderer: r) }
            let header = r.dim("#\(older.number) → #\(newer.number)")
            var summary = lines.isEmpty ? "no differences" : "\(lines.count) difference\(lines.count == 1 ? "" : "s")"
            if diff.ignored > 0 {
                summary +=
                    " (\(diff.ignored) id or timestamp value\(diff.ignored == 1 ? "" : "s") left out: --all lists them)"
            }
            var json = diff.json
            if case .object(var object) = json, lines.count > diff.changes.count {
                object["equal"] = false
                object["status"] = ["old": .int(statuses.0 ?? 0), "new": .int(statuses.1 ?? 0)]
                json = .object(object)
            }
            context.bind("diff", to: json)
            context.out(([header] + lines).joined(separator: "\n") + "\n")
            guard lines.isEmpty else {
                // Like diff(1): a difference is a failure (exit status 1); `try diff` takes it.
                throw ShellError(.request, "#\(older.number) and #\(newer.number) differ: \(summary)")
            }
            context.err(r.dim(summary) + "\n")
        })

    /// The entries `diff` compares (older first).
    static func pair(_ context: CommandContext) throws(ShellError) -> (TimelineEntry, TimelineEntry) {
        let a = context.arguments[first]
        let b = context.arguments[second]
        let newer = try entry(b ?? a, context)
        if b != nil { return (try entry(a, context), newer) }
        guard case .exchange(let exchange) = newer.kind else {
            throw ShellError.usage(
                "diff A alone compares requests: #\(newer.number) is a webhook delivery; give two numbers")
        }
        let earlier = context.session.timeline.entries.last { candidate in
            guard candidate.number < newer.number, case .exchange(let other) = candidate.kind else { return false }
            return other.request.method == exchange.request.method && other.request.url == exchange.request.url
        }
        guard let earlier else {
            throw ShellError.usage(
                "no earlier answer to \(exchange.request.method) \(TimelineView.apiPath(exchange.request.url)) before #\(newer.number): give two numbers (diff A B)"
            )
        }
        return (earlier, newer)
    }

    static func text(_ entry: TimelineEntry) -> JSONValue {
        switch entry.kind {
        case .exchange(let exchange): .string(exchange.response?.text ?? exchange.error?.message ?? "")
        case .event(let event): .string(String(decoding: event.body, as: UTF8.self))
        }
    }

    static func status(_ entry: TimelineEntry) -> Int? {
        if case .exchange(let exchange) = entry.kind { return exchange.status }
        return nil
    }

    // MARK: replay

    static let replayNumber = CommandParameter.positional(
        "number", required: false, completion: .none, help: "the timeline number (default: the last exchange)")
    static let set = CommandParameter.flag(
        "set", type: .string, repeatable: true, completion: .none,
        help: "name=value: change a body field (a.b[0].c), query or path parameter, or flag")
    static let header = CommandParameter.flag(
        "header", aliases: ["H"], type: .string, repeatable: true, completion: .none, secret: true,
        help: "'Name: value': set a header")

    static let replay = CommandSpec(
        ["replay"], group: .debugging, summary: "Send an exchange again, optionally changed",
        details: """
            replay N sends timeline entry N's request again as it was sent (its headers included), \
            and prints the answer like any command; it becomes a new entry. --set name=value changes \
            it first: a parameter of the operation by its API name or flag (first_name, --first-name \
            spelled first-name), a body field by path (message.parts[0].value), or a query parameter. \
            The value is JSON when it reads as JSON (3, true, null, {"a":1}), else text. -H 'Name: value' \
            sets a header. A new Idempotency-Key is made (a replay is a new request). The production \
            guard asks as for any write.
            """,
        parameters: [replayNumber, set, header, output, filter, CommonFlag.columns.parameter],
        examples: [
            "card get; replay", "chat list --limit 1; replay 1 --set limit=2",
            "message send 7b3c3a10-0001-4c2e-9a51-000000000001 --text hi; replay 1 --set 'message.parts[0].value=again'",
        ],
        traits: [.notRecorded], synopsis: "replay [N] [--set name=value]… [-H 'Name: value']…",
        run: { context throws(ShellError) in
            let choice = try context.outputChoice()
            let entry = try Self.entry(context.arguments[replayNumber], context)
            guard case .exchange(let exchange) = entry.kind else {
                throw ShellError.usage(
                    "#\(entry.number) is a webhook delivery: replay sends requests (webhook replay re-delivers events)")
            }
            var request = try ReplayEdit.apply(
                context.arguments.all(set), to: exchange.request, operation: exchange.resolvedOperation)
            request = try ReplayEdit.headers(context.arguments.all(header), on: request)
            request.headers.removeAll { $0.name.lowercased() == "idempotency-key" }
            let method = request.method.uppercased()
            let idempotent =
                exchange.resolvedOperation?.isIdempotent ?? ["GET", "HEAD", "PUT", "DELETE"].contains(method)
            try context.send(request, idempotent: idempotent, output: choice, operation: exchange.resolvedOperation)
        })
}
