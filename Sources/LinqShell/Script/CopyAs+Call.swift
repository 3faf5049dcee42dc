import LinqCore
import LinqJSON

extension CopyAs {
    /// A request taken apart for a language's snippet: where it goes, the credential, what it
    /// carries, and — when its operation has an SDK method and the request fits it — that method's
    /// arguments. Every language renders the same `Call`, so they all send the same request.
    struct Call {
        /// The base URL when it is not the production API's (`http://127.0.0.1:4010/api/partner`).
        var baseURL: String?
        var credential: Credential
        var method: String
        /// The path as sent (percent-encoded), relative to the base URL: `/v3/chats/…`.
        var path: String
        /// The query items, decoded.
        var query: [(name: String, value: String)] = []
        var body: Body?
        /// Headers the SDK would not send by itself (a session key among them written as the variable).
        var headers: [(name: String, value: [Piece])] = []
        /// The SDK method and its arguments, when the operation has one and the request fits it.
        var sdk: SDKCall?
        /// Why the request goes through the SDK's generic call although its operation is known.
        var genericReason: String?
    }

    /// Where the snippet's client gets its key.
    enum Credential: Equatable {
        /// `LINQ_API_V3_API_KEY`, which every SDK reads by itself (a key the session used).
        case environment
        /// Written out: the built-in emulator's public key, or a foreign key the user typed with -H.
        case literal(String, note: String)
    }

    /// A piece of a header value: text as sent, or the session's key (from the environment).
    enum Piece: Equatable {
        case text(String)
        case environment
    }

    /// A request body: JSON (nearly always), or text that is not JSON.
    enum Body {
        case json(JSONValue)
        case text(String)
    }

    /// An SDK method call: the method and the request's values for its arguments.
    struct SDKCall {
        var method: SDKMethod
        /// The arguments given, positional ones first, the rest in the request's order.
        var arguments: [(argument: SDKArgument, value: JSONValue)]
        /// Query items the method has no argument for.
        var extraQuery: [(name: String, value: String)]
        /// Body members the method has no argument for.
        var extraBody: JSONObject

        /// The positional arguments' values, in order.
        var positional: [JSONValue] { arguments.filter(\.argument.positional).map(\.value) }
        /// The other arguments.
        var keywords: [(argument: SDKArgument, value: JSONValue)] { arguments.filter { !$0.argument.positional } }
    }

    /// Takes `request` apart. `operation` (when known) picks the SDK method; `keys` says which
    /// keys are the session's (never written out) and which one is public.
    static func call(for request: HTTPRequestData, operation: APIOperation?, keys: Keys) -> Call {
        let (base, path, query) = split(request.url)
        var call = Call(
            baseURL: base == LinqConfiguration.defaultBaseURL ? nil : base, credential: .environment,
            method: request.method.uppercased(), path: path, query: query)
        if let bytes = request.body, !bytes.isEmpty {
            call.body = (try? JSONValue.parse(bytes)).map(Body.json) ?? .text(String(decoding: bytes, as: UTF8.self))
        }
        var idempotencyKey: String?
        for header in request.headers {
            let name = header.name.lowercased()
            // The SDKs send their own User-Agent, Accept and Content-Type (JSON).
            if name == "user-agent" { continue }
            if name == "accept" || name == "content-type", header.value.lowercased().hasPrefix("application/json") {
                continue
            }
            switch name {
            case "authorization":
                if let credential = credential(header.value, keys: keys) {
                    call.credential = credential
                    continue
                }
            case "idempotency-key": idempotencyKey = header.value
            default: break
            }
            call.headers.append((header.name, pieces(header.value, keys: keys)))
        }
        if let operation, let method = SDKNames.method(for: operation.id) {
            switch sdkCall(method, operation: operation, call: call, idempotencyKey: idempotencyKey) {
            case .success(let sdk):
                call.sdk = sdk
                if sdk.arguments.contains(where: { $0.argument.location == .header }) {
                    call.headers.removeAll { $0.name.lowercased() == Idempotency.headerName.lowercased() }
                }
            case .failure(let reason): call.genericReason = reason.text
            }
        }
        return call
    }

    /// `Bearer KEY` as the client's credential: the session's key from the environment, the
    /// emulator's public key or a foreign key written out; `nil` for any other form (kept as a header).
    static func credential(_ value: String, keys: Keys) -> Credential? {
        guard value.hasPrefix("Bearer "), !value.dropFirst(7).contains(" ") else { return nil }
        let key = String(value.dropFirst(7))
        if let emulator = keys.emulatorKey, key == emulator {
            return .literal(key, note: "the built-in emulator's public key")
        }
        if keys.secrets.contains(key) { return .environment }
        if keys.secrets.contains(where: { $0.count >= 4 && key.contains($0) }) { return nil }
        return .literal(key, note: "the key this request was sent with (-H)")
    }

    /// A header value with every key the session used cut out as `.environment` (as `headerWord`
    /// does for curl); the emulator's public key stays text.
    static func pieces(_ value: String, keys: Keys) -> [Piece] {
        let used = keys.secrets.filter { $0.count >= 4 && value.contains($0) && $0 != keys.emulatorKey }
            .sorted { $0.count > $1.count }
        guard !used.isEmpty else { return [.text(value)] }
        var marked = value
        for key in used { marked = marked.replacingOccurrences(of: key, with: "\u{0}") }
        var out: [Piece] = []
        for (index, part) in marked.split(separator: "\u{0}", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out.append(.environment) }
            if !part.isEmpty { out.append(.text(String(part))) }
        }
        return out
    }

    /// `http://h:1/api/partner/v3/chats?limit=2` → base, `/v3/chats` and the decoded query. The
    /// path starts at its `/v3/` (or, for another path, right after the host).
    static func split(_ url: String) -> (base: String, path: String, query: [(name: String, value: String)]) {
        var rest = Substring(url)
        var query: [(String, String)] = []
        if let mark = rest.firstIndex(of: "?") {
            for item in rest[rest.index(after: mark)...].split(separator: "&") where !item.isEmpty {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append(
                    (WriteBudget.percentDecoded(pair[0]), pair.count > 1 ? WriteBudget.percentDecoded(pair[1]) : ""))
            }
            rest = rest[..<mark]
        }
        if let start = rest.firstRange(of: "/v3/")?.lowerBound ?? hostEnd(rest) {
            return (String(rest[..<start]), String(rest[start...]), query)
        }
        return (String(rest), "/", query)
    }

    /// Where the path begins after `scheme://host[:port]`.
    private static func hostEnd(_ url: Substring) -> Substring.Index? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        return url[scheme.upperBound...].firstIndex(of: "/")
    }
}
