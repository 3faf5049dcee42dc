import LinqJSON

/// What a route handler returns on success.
enum Reply {
    case json(Int, JSONValue)
    /// A JSON answer with extra response headers (e.g. `X-Emulator-Note`).
    case jsonWithHeaders(Int, JSONValue, [(String, String)])
    case empty(Int)
}

/// What a handler sees: the request, the path parameters, the caller's partner, the clock and any
/// injected fault aimed at this request that the route handles itself (e.g. contact-card 2022).
struct RouteContext {
    let request: EmulatorRequest
    let params: [String: String]
    let partner: EmulatedPartner
    let now: Double
    let fault: Fault?
    /// `http://host:port` as the client reached this emulator (for URLs it hands out, e.g. uploads).
    var origin: String = "http://127.0.0.1"
    /// The response's trace id (also in `X-Trace-ID`), for bodies that carry a `trace_id`.
    var traceID: String = ""

    /// The path parameter `name` (always present when the route matched).
    func param(_ name: String) -> String { params[name] ?? "" }

    /// The body as a JSON object; an empty body is `{}`. Not an object → 400/1003.
    func body() throws(APIFailure) -> JSONObject {
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return JSONObject() }
        guard let value = try? JSONValue.parse(request.body), let object = value.objectValue else {
            throw APIFailure(1003)
        }
        return object
    }
}

/// A route: method, path pattern (`/v3/chats/{chatId}/messages`) and handler.
struct Route: Sendable {
    let method: String
    let segments: [Segment]
    /// Runs with the store locked.
    let handler: @Sendable (RouteContext, inout EmulatorStore) throws(APIFailure) -> Reply
    /// Injected error codes this route turns into state changes itself instead of a canned answer.
    let handlesFaults: Set<Int>
    /// Whether this route sends a message or poll (an `async` delivery-failure fault then lets the
    /// send succeed and fails it by webhook).
    let sends: Bool

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    init(
        _ method: String, _ pattern: String, handlesFaults: Set<Int> = [], sends: Bool = false,
        _ handler: @escaping @Sendable (RouteContext, inout EmulatorStore) throws(APIFailure) -> Reply
    ) {
        self.method = method
        self.segments = pattern.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}")
                ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        self.handler = method == "GET" ? handler : Self.applyingDueChanges(handler)
        self.handlesFaults = handlesFaults
        self.sends = sends
    }

    /// `handler`, then — when it succeeded — the changes that fell due as emulated time passed
    /// (payment requests expiring, with their `payment.expired`). They wait for a successful write
    /// because a read saves nothing and sends no webhooks, and a failed write drops its webhooks.
    static func applyingDueChanges(
        _ handler: @escaping @Sendable (RouteContext, inout EmulatorStore) throws(APIFailure) -> Reply
    ) -> @Sendable (RouteContext, inout EmulatorStore) throws(APIFailure) -> Reply {
        { context, store throws(APIFailure) in
            let reply = try handler(context, &store)
            PaymentRoutes.expireDueRequests(now: context.now, &store)
            return reply
        }
    }

    /// The path parameters if `pathSegments` (already percent-decoded) fit the pattern.
    func match(_ pathSegments: [String]) -> [String: String]? {
        guard pathSegments.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (segment, actual) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal): if literal != actual { return nil }
            case .parameter(let name):
                if actual.isEmpty { return nil }
                params[name] = actual
            }
        }
        return params
    }
}

/// Finds the route for a method and path: `.found`, `.methodNotAllowed` (with the allowed
/// methods) or `.notFound`.
struct Router: Sendable {
    let routes: [Route]

    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    func match(method: String, segments: [String]) -> Match {
        var allowed: [String] = []
        for route in routes {
            guard let params = route.match(segments) else { continue }
            if route.method == method { return .found(route, params) }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }
}
