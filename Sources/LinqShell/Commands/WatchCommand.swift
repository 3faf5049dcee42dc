import LinqCore
import LinqJSON

/// `watch [--every 2s] [--times N] COMMAND`: runs a command again and again (like psql's
/// `\watch`), showing its response and, from the second run on, the fields that changed.
enum WatchCommand {
    static let commands: [CommandSpec] = [watch]

    static let watch = CommandSpec(
        ["watch"], group: .debugging, summary: "Run a command on a timer and show what changed (Ctrl-C stops)",
        details: """
            Runs COMMAND every 2 s (--every), printing its response; from the second run on the fields \
            that changed are listed under it (path: old → new, highlighted). On a terminal the screen \
            is redrawn each time. --times N stops after N runs; Ctrl-C stops at any time.
            """,
        parameters: [
            .flag("every", type: .string, default: "2s", completion: .none, help: "the pause between runs"),
            .flag("times", type: .integer, default: "until Ctrl-C", completion: .none, help: "stop after N runs"),
            .positional("command", variadic: true, completion: .command, help: "the command to repeat"),
        ],
        examples: ["watch --times 2 --every 0.1s card get"],
        synopsis: "watch [--every 2s] [--times N] COMMAND",
        grammar: FormGrammar(
            wrappedCommandStart: { words in
                // Its own flags come first, each with a value.
                var index = 0
                while index < words.count, words[index].hasPrefix("--") { index += 2 }
                return index <= words.count ? index : nil
            },
            ownCompletions: { words, _ in
                switch words.last {
                case "--every"?: ["1s", "2s", "5s", "10s"]
                case "--times"?: []
                default: nil
                }
            }),
        run: run)

    static func run(_ context: CommandContext) throws(ShellError) {
        var words = context.words
        var every = 2.0
        var times: Int?
        while let flag = words.first?.literal, flag.hasPrefix("--") {
            guard words.count >= 2, let value = words[1].literal else {
                throw ShellError.usage("\(flag) needs a value", "usage: watch [--every 2s] [--times N] COMMAND")
            }
            switch flag {
            case "--every":
                guard let seconds = EventExpectation.duration(value), seconds >= 0.05, seconds <= 3600 else {
                    throw ShellError.usage("--every takes a duration like 2s or 500ms, not '\(value)'")
                }
                every = seconds
            case "--times":
                guard let n = Int(value), n > 0 else { throw ShellError.usage("--times takes a positive count") }
                times = n
            default:
                throw ShellError.usage("unknown flag \(flag) for watch (--every, --times)")
            }
            words.removeFirst(2)
        }
        guard !words.isEmpty else { throw ShellError.usage("watch needs a command, e.g. watch message get ID") }
        // Only what reads: repeating a write every few seconds is never what watching means.
        if let names = try? context.expander.expand(Array(words.prefix(2))),
            let (spec, _) = try? CommandRegistry.resolve(names), let operation = spec.operation,
            operation.method != "GET"
        {
            throw ShellError.usage(
                "watch repeats commands that read; '\(spec.name)' changes state (\(operation.method)), so it is not repeated"
            )
        }
        let shown = words.map(\.display).joined(separator: " ")
        var previous: [(String, String)]?
        var run = 0
        while times.map({ run < $0 }) ?? true {
            run += 1
            try context.hidingBodies { () throws(ShellError) in _ = try context.execute(words) }
            let value = context.lastShownValue ?? context.session.lastResponse?.json ?? .null
            // The command's own --output applies; its --filter already chose `value`.
            var renderer = context.lastShownRenderer ?? context.renderer
            renderer.filter = nil
            let leaves = Self.leaves(value)
            let header = "every \(DurationText.short(seconds: every)): \(shown) · run \(run) · Ctrl-C stops"
            if context.terminal.stdoutIsTTY && !context.capturing {
                context.out(
                    Self.screen(header, value, leaves: leaves, previous: previous, first: run == 1, renderer: renderer))
            } else {
                context.out(Self.appended(header, value, leaves: leaves, previous: previous, renderer: renderer))
            }
            previous = leaves
            if let times, run >= times { break }
            guard Blocking.sleep(seconds: every) else { break }
        }
    }

    /// On a terminal: the screen redrawn in place (cleared only the first time, so nothing
    /// flickers), the leaves that changed since the last run highlighted, their old values listed.
    static func screen(
        _ header: String, _ value: JSONValue, leaves: [(String, String)], previous: [(String, String)]?, first: Bool,
        renderer: Renderer
    ) -> String {
        let changed = previous.map { Set(changedPaths(from: $0, to: leaves)) } ?? []
        var lines = [renderer.dim(header)]
        // Indented JSON shows what changed in place; other formats print as they would.
        let body =
            renderer.output == .pretty || renderer.output == .quiet
            ? highlighted(value, changed: changed, renderer: renderer) : renderer.values([value]).text
        lines += body.split(separator: "\n").map(String.init)
        if let previous {
            let changes = Self.changes(from: previous, to: leaves)
            lines.append(
                changes.isEmpty
                    ? renderer.dim("no change")
                    : changes.map { renderer.yellow("changed " + $0) }.joined(separator: "\u{1B}[K\n"))
        }
        return (first ? "\u{1B}[H\u{1B}[2J" : "\u{1B}[H") + lines.joined(separator: "\u{1B}[K\n") + "\u{1B}[K\n\u{1B}[J"
    }

    /// Into a pipe or file: the value once, then one line per run — `no change`, or what changed.
    static func appended(
        _ header: String, _ value: JSONValue, leaves: [(String, String)], previous: [(String, String)]?,
        renderer: Renderer
    ) -> String {
        guard let previous else {
            var renderer = renderer
            if renderer.output == .quiet { renderer.output = .pretty }
            return header + "\n" + renderer.values([value]).text
        }
        let changes = Self.changes(from: previous, to: leaves)
        return header + "\n" + (changes.isEmpty ? "no change" : changes.map { "changed " + $0 }.joined(separator: "\n"))
            + "\n"
    }

    /// The paths whose value changed, appeared or went away.
    static func changedPaths(from old: [(String, String)], to new: [(String, String)]) -> [String] {
        let before = Dictionary(old, uniquingKeysWith: { first, _ in first })
        return new.filter { before[$0.0] != $0.1 }.map(\.0)
    }

    /// The value as indented JSON with the leaves at `changed` paths in reverse video.
    static func highlighted(_ value: JSONValue, changed: Set<String>, renderer: Renderer) -> String {
        var out = ""
        write(value, path: "", indent: 0, changed: changed, renderer: renderer, into: &out)
        return out + "\n"
    }

    private static func write(
        _ value: JSONValue, path: String, indent: Int, changed: Set<String>, renderer: Renderer, into out: inout String
    ) {
        let pad = String(repeating: "  ", count: indent + 1)
        switch value {
        case .object(let object) where !object.isEmpty:
            out += "{\n"
            for (index, member) in object.enumerated() {
                out += pad + JSONValue.string(member.key).formatted(.compact) + ": "
                write(
                    member.value, path: path + "." + member.key, indent: indent + 1, changed: changed,
                    renderer: renderer, into: &out)
                out += index < object.count - 1 ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                write(
                    item, path: path + "[\(index)]", indent: indent + 1, changed: changed, renderer: renderer,
                    into: &out)
                out += index < items.count - 1 ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        default:
            let text = TerminalText.escape(value.formatted(.compact), keepLayout: false)
            let leaf = path.isEmpty ? "." : path
            out += changed.contains(leaf) && renderer.color ? "\u{1B}[7m" + text + "\u{1B}[27m" : text
        }
    }

    /// Every leaf of a JSON value as (path, compact value), in document order.
    static func leaves(_ value: JSONValue, path: String = "") -> [(String, String)] {
        switch value {
        case .object(let object):
            if object.isEmpty { return [(path, "{}")] }
            return object.flatMap { leaves($0.value, path: path + "." + $0.key) }
        case .array(let items):
            if items.isEmpty { return [(path, "[]")] }
            return items.enumerated().flatMap { leaves($0.element, path: path + "[\($0.offset)]") }
        default:
            return [(path.isEmpty ? "." : path, value.formatted(.compact))]
        }
    }

    /// `path: old → new` for each leaf that changed, appeared or went away.
    static func changes(from old: [(String, String)], to new: [(String, String)]) -> [String] {
        let before = Dictionary(old, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for (path, value) in new where before[path] != value {
            lines.append("\(path): \(before[path] ?? "(none)") → \(value)")
        }
        for (path, value) in old where after[path] == nil { lines.append("\(path): \(value) → (gone)") }
        return lines
    }
}
