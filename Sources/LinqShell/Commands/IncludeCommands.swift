import LinqCore
import LinqJSON

/// Reusable scripts: `include FILE name=value …` runs a script with variables of its own (like a
/// function call), `export NAME` hands one back to the caller, and `vars FILE` reads variables
/// from a `.env`-style file. Paths resolve from the including script's folder; how a file runs
/// (scopes, cycles, `--echo`/`--step`) is `ShellRunner.include`'s.
enum IncludeCommands {
    static let commands: [CommandSpec] = [include, export, vars]

    static let file = CommandParameter.positional(
        "file", type: .file, completion: .file, help: "the .linq file (relative to this script)")
    static let assignments = CommandParameter.positional(
        "arguments", required: false, variadic: true, completion: .none,
        help: "name=value: $name inside the included script")

    static let include = CommandSpec(
        ["include"], group: .scripting,
        summary: "Run a .linq file with variables of its own: include FILE name=value …",
        details: """
            The included script sees a copy of the caller's variables with each name=value over them \
            (a value is text; write it in quotes to keep spaces: who='Ann Lee'). What it binds with \
            let stays inside: when it ends, the caller's variables are as they were, except the \
            names it marked with export NAME, which the caller gets with their last values. A \
            relative FILE resolves from the including script's folder (as source does); a file \
            that includes itself, directly or not, is an error. --echo, --type-speed and --step \
            apply inside it too. source FILE, by contrast, runs a file in the caller's variables.
            """,
        parameters: [file, assignments],
        examples: ["include setup.linq who=Ann 'greeting=Hello there'"],
        synopsis: "include FILE [name=value …]",
        run: { context throws(ShellError) in
            let usage = "usage: include FILE [name=value …]"
            var arguments: [String: JSONValue] = [:]
            for word in context.arguments.all(assignments) {
                guard let eq = word.firstIndex(of: "="), Tokenizer.isIdentifier(String(word[..<eq])),
                    !ScriptingCommands.reserved.contains(String(word[..<eq]))
                else {
                    throw ShellError.usage(
                        "include takes name=value after the file (a name of letters, digits and _), not '\(word)'",
                        usage)
                }
                arguments[String(word[..<eq])] = .string(String(word[word.index(after: eq)...]))
            }
            try context.runFile(context.arguments.required(file), arguments: arguments)
        })

    static let names = CommandParameter.positional(
        "name", variadic: true, completion: .none, help: "a variable bound in this script")

    static let export = CommandSpec(
        ["export"], group: .scripting,
        summary: "In an included script: give $NAME back to the caller when the script ends",
        details: """
            include runs a script with variables of its own; export NAME … marks the ones its caller \
            gets, with their values when the script ends. At the top level every variable is the \
            caller's already, so export only checks that $NAME is bound.
            """,
        parameters: [names], examples: ["let greeting = hello; export greeting"],
        synopsis: "export NAME …",
        run: { context throws(ShellError) in
            for word in context.arguments.all(names) {
                let name = word.hasPrefix("$") ? String(word.dropFirst()) : word
                guard Tokenizer.isIdentifier(name), context.session.variables[name] != nil else {
                    throw ShellError.usage("export \(word): no variable $\(name) is bound here (let \(name) = … first)")
                }
                _ = context.export(name)
            }
        })

    static let varsFile = CommandParameter.positional(
        "file", type: .file, completion: .file, help: "name=value lines (relative to this script)")

    static let vars = CommandSpec(
        ["vars"], group: .scripting,
        summary: "Bind variables from a file of name=value lines (.env style)",
        details: """
            One name=value per line; # starts a comment line (or, after a blank, the rest of an \
            unquoted value); blank lines are skipped; an export prefix is allowed. 'single quotes' \
            keep every character; "double quotes" read \\n, \\t, \\" and \\\\ as escapes. A malformed \
            line stops with FILE:LINE and what is wrong. linq --vars FILE does the same before a run.
            """,
        parameters: [varsFile], examples: ["vars demo.env"],
        run: { context throws(ShellError) in
            let written = context.arguments.required(varsFile)
            let path = context.resolvePath(written)
            for (name, value) in try VarsFile.load(path, shownAs: written) { context.bind(name, to: .string(value)) }
        })
}
