import LinqCore
import LinqJSON

/// A rehearsal's answers, step by step (`linq run demo.linq --rehearse` writes `demo.linq.tape`;
/// `--perform` falls back on it). A step is one command of the run, numbered in the order the
/// commands ran (included scripts' commands too); a step keeps every answer its requests got and
/// every event it waited for. The file is JSON, holds no key or secret (keys the session used are
/// masked, members named like a secret keep their last four characters) and is written 0600.
struct Tape {
    /// One answer as the rehearsal got it.
    struct Answer {
        /// What it answered, to match the request asked at the same point of a performance: the
        /// catalog operation (`contact_card.create`) or, off the catalog, `METHOD /path`.
        var request: String
        var status: Int
        var headers: [HTTPHeader]
        var body: [UInt8]
    }

    /// One step that sent requests or waited for events.
    struct Step {
        var number: Int
        /// `demo.linq:5` (empty for a step with no script line).
        var location: String
        /// The command as written (keys masked): a performance uses a step only while it matches.
        var command: String
        var answers: [Answer] = []
        /// The webhook events the step's `expect event` took, as received.
        var events: [JSONValue] = []
    }

    static let formatVersion = 1

    var script: String
    var steps: [Int: Step] = [:]

    /// The tape's default path: the script's, with `.tape` added.
    static func defaultPath(for script: String) -> String { script + ".tape" }

    /// What an answer answers: the operation's id, or `METHOD /path` (no query).
    static func requestKey(method: String, url: String) -> String {
        if let operation = APICatalog.operation(method: method, url: url) { return operation.id }
        var path = Substring(url)
        if let scheme = path.firstRange(of: "://") {
            path = path[scheme.upperBound...]
            path = path.firstIndex(of: "/").map { path[$0...] } ?? "/"
        }
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        return method + " " + path
    }

    // MARK: The file

    /// The tape as its file holds it.
    func json() -> JSONValue {
        let steps = self.steps.keys.sorted().compactMap { self.steps[$0] }.map { step -> JSONValue in
            .object([
                "step": .int(step.number), "at": .string(step.location), "command": .string(step.command),
                "answers": .array(step.answers.map(Self.json)), "events": .array(step.events),
            ])
        }
        return .object([
            "linq_tape": .int(Self.formatVersion), "script": .string(script), "steps": .array(steps),
        ])
    }

    private static func json(_ answer: Answer) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("request", .string(answer.request)), JSONMember("status", .int(answer.status)),
            JSONMember("headers", .object(JSONObject(answer.headers.map { JSONMember($0.name, .string($0.value)) }))),
        ]
        if let value = try? JSONValue.parse(answer.body) {
            members.append(JSONMember("body", value))
        } else if !answer.body.isEmpty {
            members.append(JSONMember("text", .string(String(decoding: answer.body, as: UTF8.self))))
        }
        return .object(JSONObject(members))
    }

    /// Reads a tape file; a usage error naming what is wrong (missing, not a tape, another version).
    static func load(_ path: String, rehearseHint: String) throws(ShellError) -> Tape {
        let read: [UInt8]?
        do throws(JSONFile.Failure) {
            read = try JSONFile.readBytes(path)
        } catch {
            throw ShellError.usage("cannot read the tape: \(error.description)")
        }
        guard let bytes = read else { throw ShellError.usage("no tape \(path): rehearse first (\(rehearseHint))") }
        guard let value = try? JSONValue.parse(bytes), let version = value["linq_tape"]?.intValue else {
            throw ShellError.usage("\(path) is not a linq tape (rehearse again: \(rehearseHint))")
        }
        guard version == formatVersion else {
            throw ShellError.usage(
                "\(path) is a tape of format \(version), this linq reads \(formatVersion): rehearse again")
        }
        var tape = Tape(script: value["script"]?.stringValue ?? "")
        for item in value["steps"]?.arrayValue ?? [] {
            guard let number = item["step"]?.intValue else { continue }
            var step = Step(
                number: number, location: item["at"]?.stringValue ?? "", command: item["command"]?.stringValue ?? "")
            step.answers = (item["answers"]?.arrayValue ?? []).compactMap(answer(from:))
            step.events = item["events"]?.arrayValue ?? []
            tape.steps[number] = step
        }
        return tape
    }

    private static func answer(from item: JSONValue) -> Answer? {
        guard let request = item["request"]?.stringValue, let status = item["status"]?.intValue else { return nil }
        let headers = (item["headers"]?.objectValue?.members ?? []).compactMap { member in
            member.value.stringValue.map { HTTPHeader(member.key, $0) }
        }
        let body: [UInt8] =
            if let value = item["body"] {
                value.compactBytes
            } else {
                Array((item["text"]?.stringValue ?? "").utf8)
            }
        return Answer(request: request, status: status, headers: headers, body: body)
    }

    /// Writes the tape (0600, replacing the file whole); a usage error when the path is unsafe.
    func save(to path: String) throws(ShellError) {
        if let problem = SafeFile.problem(path) { throw ShellError.usage("refusing the tape \(path): \(problem)") }
        do throws(JSONFile.Failure) {
            try AtomicFile.replace(path, with: Array((json().formatted(.pretty) + "\n").utf8))
        } catch {
            throw ShellError.usage("cannot write the tape: \(error.description)")
        }
    }

    // MARK: Keeping secrets out

    /// An answer as the tape keeps it: no header named like a secret (nor cookies), every known
    /// key masked, JSON members named like a secret masked to their last four characters.
    static func answer(
        _ response: LinqResponse, request: String, scrub: (String) -> String
    ) -> Answer {
        let headers = response.headers.filter {
            !Redactor.isSecretName($0.name) && !unkept.contains($0.name.lowercased())
        }.map { HTTPHeader($0.name, scrub($0.value)) }
        let body: [UInt8] =
            if let json = response.json {
                Array(scrub(masked(json).formatted(.compact)).utf8)
            } else {
                Array(scrub(response.text).utf8)
            }
        return Answer(request: request, status: response.status, headers: headers, body: body)
    }

    /// Headers not kept: cookies, and those that describe the connection or the body's bytes
    /// (a played body is written anew).
    static let unkept: Set<String> = ["set-cookie", "content-length", "transfer-encoding", "connection"]

    /// `value` with every string under a secret's name (and every `whsec_…`) masked.
    static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where Redactor.secretPrefixes.contains(where: text.hasPrefix):
            return .string(Redactor.maskSecret(text))
        case .array(let items):
            return .array(items.map(masked))
        case .object(let members):
            return .object(
                JSONObject(
                    members.members.map { member in
                        if Redactor.isSecretName(member.key), case .string(let secret) = member.value {
                            return JSONMember(member.key, .string(Redactor.maskSecret(secret)))
                        }
                        return JSONMember(member.key, masked(member.value))
                    }))
        default:
            return value
        }
    }
}
