import LinqCore
import LinqJSON

extension CopyAs {
    /// Go literals for values the params structs cannot type: `map[string]any{…}`, `[]any{…}`.
    static let goStyle = LiteralStyle(
        null: "nil", yes: "true", no: "false", string: { quoted($0, control: unicodeEscape) },
        key: { quoted($0, control: unicodeEscape) }, arrayOpen: "[]any{", arrayClose: "}",
        objectOpen: "map[string]any{", objectClose: "}", indentUnit: "\t", width: 100, alignsValues: true)

    /// `last --as go`: a program with the official Go SDK (`github.com/linq-team/linq-go`, package
    /// `linqgo`), which reads `LINQ_API_V3_API_KEY` by itself. Names follow Stainless's Go rules
    /// (`SDKNames.go`): `client.ContactCard.New(ctx, linqgo.ContactCardNewParams{…})`. Scalars and
    /// string lists are typed fields (required ones plain, optional ones `linqgo.String(…)`,
    /// `linqgo.Int(…)`, …); nested objects, and whatever the method has no field for, go in as
    /// request options (`option.WithJSONSet`, `option.WithQuery`, `option.WithHeader`), which the
    /// SDK applies to the request as built — so the program sends the same JSON however the SDK
    /// names the nested types. A request with no SDK method goes through `client.Post(…)` & co.
    static func go(_ call: Call, notes: [String]) -> String {
        var program = GoProgram()
        let client = goClient(call, &program)
        let body = call.sdk.map { goSDKCall($0, call, &program) } ?? goGeneric(call, &program)
        var lines = ["// go get github.com/linq-team/linq-go"] + notes.map { "// " + $0 }
        if let reason = call.genericReason { lines.append("// sent as is, not through its SDK method: \(reason)") }
        lines += ["package main", "", "import ("]
        lines += program.standardImports.sorted().map { "\t\"\($0)\"" }
        lines += ["", "\t\"github.com/linq-team/linq-go\""]
        if program.usesOption { lines.append("\t\"github.com/linq-team/linq-go/option\"") }
        lines += [")", "", "func main() {"] + client + body + ["}"]
        return lines.joined(separator: "\n")
    }

    /// What a Go program uses, for its imports.
    struct GoProgram {
        var standardImports: Set<String> = ["context"]
        var usesOption = false
    }

    /// `client := linqgo.NewClient(…)`.
    static func goClient(_ call: Call, _ program: inout GoProgram) -> [String] {
        var options: [String] = []
        if case .literal(let key, let note) = call.credential {
            options.append("option.WithAPIKey(\(goStyle.string(key))), // \(note)")
        }
        if let base = call.baseURL { options.append("option.WithBaseURL(\(goStyle.string(base + "/"))),") }
        let environment = " // the key from \(LinqConfiguration.apiKeyVariable)"
        guard !options.isEmpty else { return ["\tclient := linqgo.NewClient()" + environment] }
        program.usesOption = true
        if call.credential == .environment {
            return ["\tclient := linqgo.NewClient(" + options.joined().dropLast() + ")" + environment]
        }
        return ["\tclient := linqgo.NewClient("] + options.map { "\t\t" + $0 } + ["\t)"]
    }

    /// The SDK method's call, its error check and the printed result.
    static func goSDKCall(_ sdk: SDKCall, _ call: Call, _ program: inout GoProgram) -> [String] {
        var arguments = ["context.TODO()"] + sdk.positional.map { goStyle.string($0.stringValue ?? "") }
        var options: [String] = []
        var fields: [(name: String, value: String)] = []
        for (argument, value) in sdk.keywords {
            if argument.location != .header, let typed = goTyped(value, argument) {
                fields.append((SDKNames.pascal(argument.python), typed))
            } else {
                options.append(goOption(argument.location, argument.wire, value))
            }
        }
        options += sdk.extraQuery.map { "option.WithQuery(\(goStyle.string($0.name)), \(goStyle.string($0.value)))" }
        options += sdk.extraBody.map { goOption(.body, $0.key, $0.value) }
        options += goHeaders(call.headers, &program)
        if !options.isEmpty { program.usesOption = true }
        if sdk.method.takesParams {
            let width = fields.map(\.name.count).max() ?? 0
            let lines = fields.map { "\t\t" + ($0.name + ":").padding(to: width + 1) + " " + $0.value + "," }
            let type = "linqgo." + SDKNames.goParams(sdk.method)
            arguments.append(lines.isEmpty ? type + "{}" : type + "{\n" + lines.joined(separator: "\n") + "\n\t}")
        }
        let head = "client." + SDKNames.go(sdk.method)
        let nothing = sdk.method.returns == .nothing
        var lines = [goCall((nothing ? "\terr := " : "\tresult, err := ") + head, arguments + options)]
        lines += ["\tif err != nil {", "\t\tpanic(err.Error())", "\t}"]
        if !nothing {
            program.standardImports.insert("fmt")
            lines.append("\tfmt.Println(result.RawJSON())")
        }
        return lines
    }

    /// A typed params field's value, or `nil` when the value is not of the argument's kind (or
    /// is a nested object): then it goes in as a request option.
    static func goTyped(_ value: JSONValue, _ argument: SDKArgument) -> String? {
        let plain = argument.required || argument.location == .path
        switch (argument.kind, value) {
        case (.string, .string(let text)):
            return plain ? goStyle.string(text) : "linqgo.String(\(goStyle.string(text)))"
        case (.enumeration, .string(let text)): return goStyle.string(text)
        case (.integer, .number(let text)) where Int(text) != nil: return plain ? text : "linqgo.Int(\(text))"
        case (.number, .number(let text)): return plain ? text : "linqgo.Float(\(text))"
        case (.boolean, .bool(let flag)): return plain ? "\(flag)" : "linqgo.Bool(\(flag))"
        case (.strings, .array(let items)) where items.allSatisfy({ $0.stringValue != nil }):
            return "[]string{" + items.map { goStyle.string($0.stringValue!) }.joined(separator: ", ") + "}"
        default: return nil
        }
    }

    /// A value as a request option: a query item, or a member set on the JSON body.
    static func goOption(_ location: SDKArgument.Location, _ name: String, _ value: JSONValue) -> String {
        switch location {
        case .query, .path:
            let text = value.arrayValue.map { $0.compactMap(\.stringValue).joined(separator: ",") } ?? value.stringValue
            return "option.WithQuery(\(goStyle.string(name)), \(goStyle.string(text ?? value.formatted(.compact))))"
        case .header:
            return "option.WithHeader(\(goStyle.string(name)), \(goStyle.string(value.stringValue ?? "")))"
        case .body:
            let head = "option.WithJSONSet(\(goStyle.string(name)), "
            return head + goStyle.literal(value, indent: "\t", used: head.count) + ")"
        }
    }

    /// `option.WithHeader("Name", "value")` for each header (a session key from the environment).
    static func goHeaders(_ headers: [(name: String, value: [Piece])], _ program: inout GoProgram) -> [String] {
        headers.map { header in
            let value = header.value.map { piece -> String in
                switch piece {
                case .text(let text): return goStyle.string(text)
                case .environment:
                    program.standardImports.insert("os")
                    return "os.Getenv(\"\(LinqConfiguration.apiKeyVariable)\")"
                }
            }.joined(separator: " + ")
            return "option.WithHeader(\(goStyle.string(header.name)), \(value))"
        }
    }

    /// `head(a, b, c)` on one line, hugging a last multi-line argument, when that first line fits;
    /// else one argument a line.
    static func goCall(_ head: String, _ arguments: [String]) -> String {
        let inline = head + "(" + arguments.joined(separator: ", ") + ")"
        let firstLine = inline.prefix { $0 != "\n" }
        if arguments.dropLast().allSatisfy({ !$0.contains("\n") }), firstLine.count <= goStyle.width {
            return inline
        }
        let lines = arguments.map { "\t\t" + $0.replacingOccurrences(of: "\n", with: "\n\t") + "," }
        return head + "(\n" + lines.joined(separator: "\n") + "\n\t)"
    }

    /// The client's generic call: `client.Post(ctx, "v3/…", body, &result, options…)`.
    static func goGeneric(_ call: Call, _ program: inout GoProgram) -> [String] {
        program.standardImports.formUnion(["encoding/json", "fmt"])
        let path = goStyle.string(String(call.path.drop { $0 == "/" }))
        var body = "nil"
        switch call.body {
        case .json(let value)?: body = goStyle.literal(value, indent: "\t")
        case .text(let text)?: body = "[]byte(\(goStyle.string(text)))"
        case nil: break
        }
        var options = call.query.map { "option.WithQuery(\(goStyle.string($0.name)), \(goStyle.string($0.value)))" }
        options += goHeaders(call.headers, &program)
        if !options.isEmpty { program.usesOption = true }
        let verbs = ["GET": "Get", "POST": "Post", "PUT": "Put", "PATCH": "Patch", "DELETE": "Delete"]
        let head: String
        var arguments = ["context.TODO()"]
        if let verb = verbs[call.method] {
            head = "\terr := client." + verb
        } else {
            head = "\terr := client.Execute"
            arguments.append(goStyle.string(call.method))
        }
        arguments += [path, body, "&result"] + options
        return [
            "\tvar result any", goCall(head, arguments), "\tif err != nil {", "\t\tpanic(err.Error())", "\t}",
            "\tout, _ := json.MarshalIndent(result, \"\", \"  \")", "\tfmt.Println(string(out))",
        ]
    }
}
