import LinqCore
import LinqJSON

/// A command of the shell itself (not an API operation): its name, aliases, usage and action.
public struct BuiltinCommand: Sendable {
    public var name: String
    public var aliases: [String]
    public var usage: String
    public var summary: String
    var run: @Sendable (Interpreter, [String]) throws(ShellError) -> Void
}

/// The shell's own commands.
public enum Builtins {
    public static let all: [BuiltinCommand] = [
        BuiltinCommand(
            name: "help", aliases: ["?"], usage: "help [command]", summary: "List commands, or show one command's help",
            run: help),
        BuiltinCommand(
            name: "request", aliases: ["req"], usage: "request METHOD PATH [json]",
            summary: "Send any request, e.g. request GET /v3/contact_card", run: request),
        BuiltinCommand(
            name: "last", aliases: [], usage: "last [--headers] [--request]", summary: "Print the last response again",
            run: last),
        BuiltinCommand(
            name: "more", aliases: ["next"], usage: "more", summary: "The next page of the last list command",
            run: Interpreter.more),
        BuiltinCommand(
            name: "set", aliases: [], usage: "set NAME VALUE",
            summary: "Change a setting (key, base-url, number, output, color, verbose, timing)",
            run: SessionCommands.set),
        BuiltinCommand(
            name: "unset", aliases: [], usage: "unset NAME", summary: "Put a setting back to its starting value",
            run: SessionCommands.unset),
        BuiltinCommand(
            name: "show", aliases: [], usage: "show",
            summary: "Show the settings (key masked) and where each came from",
            run: SessionCommands.show),
        BuiltinCommand(
            name: "verbose", aliases: [], usage: "verbose on|off",
            summary: "Print requests and response headers on stderr",
            run: SessionCommands.toggle("verbose")),
        BuiltinCommand(
            name: "timing", aliases: [], usage: "timing on|off", summary: "Print each request's duration",
            run: SessionCommands.toggle("timing")),
        BuiltinCommand(
            name: "profile", aliases: [], usage: "profile list|save|use|delete [NAME]",
            summary: "Saved connection settings", run: SessionCommands.profile),
        BuiltinCommand(
            name: "exit", aliases: ["quit"], usage: "exit [STATUS]", summary: "Leave the shell",
            run: SessionCommands.exit),
    ]

    /// Every built-in: the shell's own and the script commands.
    public static let everything: [BuiltinCommand] = all + ScriptCommands.builtins

    public static func command(named name: String) -> BuiltinCommand? {
        everything.first { $0.name == name || $0.aliases.contains(name) }
    }

    static func help(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        shell.output.writeOut(try HelpText.text(for: args) + "\n")
    }

    static func request(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        let usage = "usage: request METHOD PATH [json]   e.g. request GET /v3/contact_card?phone_number=%2B15551230001"
        guard args.count >= 2 else { throw ShellError.usage("request needs a method and a path", usage) }
        let method = args[0].uppercased()
        let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
        guard methods.contains(method) else {
            throw ShellError.usage("unknown method '\(args[0])'" + DidYouMean.hint(for: method, in: methods), usage)
        }
        var path = args[1]
        guard path.hasPrefix("/") else { throw ShellError.usage("the path must start with /, e.g. /v3/chats", usage) }
        // In a query a literal `+` would reach the API as a space: send it as %2B (and spaces as %20).
        if let q = path.firstIndex(of: "?") {
            let query = String(path[path.index(after: q)...]).replacingOccurrences(of: "+", with: "%2B")
                .replacingOccurrences(of: " ", with: "%20")
            path = String(path[..<q]) + "?" + query
        }
        var body: JSONValue?
        if args.count > 2 {
            let text = args[2...].joined(separator: " ")
            do {
                body = try JSONValue.parse(text)
            } catch {
                throw ShellError.usage("the body is not JSON: \(error)", usage)
            }
        }
        let request = RequestBuilder.request(
            method: method, path: path, body: body, configuration: shell.client.configuration)
        try shell.send(
            request, idempotent: ["GET", "HEAD", "PUT", "DELETE"].contains(method), output: nil, operation: nil)
    }

    static func last(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard let response = shell.session.lastResponse else {
            if let error = shell.session.lastError {
                shell.output.writeErr(shell.errorRenderer.error(error))
                return
            }
            throw ShellError.usage("no response yet")
        }
        let flags = Set(args)
        for flag in flags where !["--headers", "--request", "--body"].contains(flag) {
            throw ShellError.usage(
                "unknown flag \(flag) for 'last'"
                    + DidYouMean.hint(for: flag, in: ["--headers", "--request", "--body"]))
        }
        let renderer = shell.renderer
        if flags.contains("--request") { shell.output.writeOut(renderer.request(response.request)) }
        if flags.contains("--headers") { shell.output.writeOut(renderer.responseHead(response)) }
        if flags.isEmpty || flags.contains("--body") {
            let text = renderer.body(of: response)
            shell.output.writeOut(
                text.isEmpty ? "(\(response.status) \(Renderer.reason(response.status)), no body)\n" : text)
        }
    }
}

/// `help`, `help card`, `help card create`.
enum HelpText {
    static func text(for args: [String]) throws(ShellError) -> String {
        if args.isEmpty { return overview() }
        if let builtin = Builtins.command(named: args[0]), args.count == 1 {
            return "\(builtin.summary)\n\nusage: \(builtin.usage)"
        }
        guard let resource = APICatalog.resource(named: args[0]) else {
            let names = APICatalog.resources.map(\.name) + Builtins.everything.map(\.name)
            throw ShellError.usage("no help for '\(args[0])'" + DidYouMean.hint(for: args[0], in: names))
        }
        if args.count == 1 {
            var lines = [resource.summary, ""]
            let ops = APICatalog.operations(of: resource.name)
            let width = ops.map(\.commandName.count).max() ?? 0
            for op in ops { lines.append("  " + op.commandName.padding(to: width) + "  " + op.summary) }
            lines.append("")
            lines.append("help \(resource.name) <verb> shows a command's flags and an example.")
            return lines.joined(separator: "\n")
        }
        guard let operation = APICatalog.operation(resource: resource.name, verb: args[1]) else {
            let verbs = APICatalog.operations(of: resource.name).map(\.verb)
            throw ShellError.usage(
                "no command '\(resource.name) \(args[1])'"
                    + DidYouMean.hint(for: args[1], in: verbs, prefix: "\(resource.name) "))
        }
        return UsageFormatter.help(for: operation)
    }

    static func overview() -> String {
        var lines = ["API commands (help <group> for details):"]
        let width = APICatalog.operations.map(\.commandName.count).max() ?? 0
        for resource in APICatalog.resources {
            lines.append("")
            lines.append("  \(resource.name) — \(resource.summary)")
            for op in APICatalog.operations(of: resource.name) {
                lines.append("    " + op.commandName.padding(to: width) + "  " + op.summary)
            }
        }
        lines.append("")
        lines.append("Shell commands:")
        let usageWidth = 36
        for builtin in Builtins.everything {
            if builtin.usage.count > usageWidth {
                lines.append("    " + builtin.usage)
                lines.append("    " + "".padding(to: usageWidth) + "  " + builtin.summary)
            } else {
                lines.append("    " + builtin.usage.padding(to: usageWidth) + "  " + builtin.summary)
            }
        }
        return lines.joined(separator: "\n")
    }
}
