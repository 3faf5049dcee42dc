import LinqCore
import LinqJSON

/// A rehearsal's answers, step by step (`linq run demo.linq --rehearse` writes `demo.linq.tape`;
/// `--perform` falls back on it). A step is one command of the run (included scripts' commands
/// too) that sent requests or waited for events; it keeps every answer its requests got and
/// every event it waited for. A performance finds a step's twin by the command's text and how
/// many times that text ran before — not by its position — so a line added, removed or skipped
/// (`--step`) moves nothing else. The file is JSON, holds no key or secret (the session's keys
/// and every secret known by shape or name keep only their last four characters; no request
/// header is kept) and is written 0600.
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

    /// Which run of which command a step is: its text (keys masked) and how many times that
    /// text ran before it, plus one.
    struct Key: Hashable {
        var command: String
        var occurrence: Int
    }

    /// One step that sent requests or waited for events.
    struct Step {
        /// Its number in the rehearsal (for people reading the file).
        var number: Int
        /// `demo.linq:5` (empty for a step with no script line).
        var location: String
        var key: Key
        var answers: [Answer] = []
        /// The webhook events the step's `expect event` took, as received.
        var events: [JSONValue] = []
    }

    static let formatVersion = 1

    var script: String
    /// A hash of the script's bytes when it was rehearsed (a performance says when it changed).
    var scriptHash: String
    var steps: [Key: Step] = [:]

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

    /// FNV-1a (64 bits) of a script's bytes, in hex: enough to notice that it changed.
    static func hash(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "fnv1a64:" + String(hash, radix: 16)
    }

    // MARK: The file

    /// The tape as its file holds it, steps in the rehearsal's order.
    func json() -> JSONValue {
        let steps = self.steps.values.sorted { $0.number < $1.number }.map { step -> JSONValue in
            .object([
                "step": .int(step.number), "at": .string(step.location), "command": .string(step.key.command),
                "occurrence": .int(step.key.occurrence), "answers": .array(step.answers.map(Self.json)),
                "events": .array(step.events),
            ])
        }
        return .object([
            "linq_tape": .int(Self.formatVersion), "script": .string(script), "script_hash": .string(scriptHash),
            "steps": .array(steps),
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
        var tape = Tape(script: value["script"]?.stringValue ?? "", scriptHash: value["script_hash"]?.stringValue ?? "")
        for item in value["steps"]?.arrayValue ?? [] {
            guard let number = item["step"]?.intValue, let command = item["command"]?.stringValue else { continue }
            let key = Key(command: command, occurrence: item["occurrence"]?.intValue ?? 1)
            var step = Step(number: number, location: item["at"]?.stringValue ?? "", key: key)
            step.answers = (item["answers"]?.arrayValue ?? []).compactMap(answer(from:))
            step.events = item["events"]?.arrayValue ?? []
            tape.steps[key] = step
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

    /// Headers not kept: those named like a secret, cookies, and those that describe the
    /// connection or the body's bytes (a played body is written anew).
    static let unkept: Set<String> = ["set-cookie", "content-length", "transfer-encoding", "connection"]

    /// An answer as the tape keeps it: secrets masked in headers and body (`masking`).
    static func answer(_ response: LinqResponse, request: String, masking: Redactor) -> Answer {
        let headers = response.headers.filter {
            !Redactor.isSecretName($0.name) && !unkept.contains($0.name.lowercased())
        }.map { HTTPHeader($0.name, masking.maskingSecretsOnly($0.value)) }
        let text = response.json.map { $0.formatted(.compact) } ?? response.text
        return Answer(
            request: request, status: response.status, headers: headers,
            body: Array(masking.maskingSecretsOnly(text).utf8))
    }
}
