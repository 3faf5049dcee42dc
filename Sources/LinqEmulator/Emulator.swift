import LinqJSON
import Synchronization

/// The built-in emulator of the Linq Partner API V3: a store, one route file per resource,
/// fault injection and a movable clock. Call `handle(_:)` directly (in-process mode, for unit
/// tests) or serve it over loopback HTTP with `EmulatorServer`.
public final class Emulator: Sendable {
    public let clock: EmulatorClock
    /// Where state is persisted after every change (`--state FILE`), if anywhere.
    public let stateFile: String?
    let store: Mutex<EmulatorStore>
    let faults = Mutex<[Fault]>([])
    let stats = Mutex<RequestStats>(RequestStats())
    let router = Router(
        routes: ContactCardRoutes.routes + ChatRoutes.routes + MessageRoutes.routes + AttachmentRoutes.routes
            + NumberRoutes.routes + BlockedHandleRoutes.routes + CapabilityRoutes.routes + WebhookRoutes.routes
            + ExperienceRoutes.routes + PaymentRoutes.routes)

    /// Counts of API requests seen (control requests excluded), so tests can check that a dry
    /// run sent nothing.
    struct RequestStats {
        var count = 0
        var recent: [(method: String, path: String, status: Int)] = []
    }

    /// A fresh emulator with the seed data, or the state saved in `stateFile` when it exists.
    public init(stateFile: String? = nil) throws {
        clock = EmulatorClock()
        self.stateFile = stateFile
        var initial = SeedData.store(now: EmulatorClock.realNow())
        if let stateFile, let bytes = try JSONFile.readBytes(stateFile) {
            guard let json = try? JSONValue.parse(bytes), let saved = EmulatorStore(json: json) else {
                throw JSONFile.Failure(description: "\(stateFile) is not an emulator state file")
            }
            initial = saved
            clock.currentOffset = json["clock_offset"]?.doubleValue ?? 0
        }
        store = Mutex(initial)
    }

    /// The partners and their keys and lines.
    public var partners: [EmulatedPartner] { store.withLock { $0.partners } }

    /// The seeded chats as (id, line) pairs, in order.
    public var chats: [(id: String, line: String)] {
        store.withLock { s in
            s[table: "chats"].all.compactMap { row in
                guard let id = row["id"]?.stringValue, let line = row["_line"]?.stringValue else { return nil }
                return (id, line)
            }
        }
    }

    /// Adds a fault for the next matching requests.
    public func inject(_ fault: Fault) { faults.withLock { $0.append(fault) } }

    /// Number of API requests handled so far.
    public var requestCount: Int { stats.withLock { $0.count } }

    /// Back to the seed data, real time, no faults, zero requests.
    public func reset() {
        store.withLock { $0 = SeedData.store(now: EmulatorClock.realNow()) }
        clock.currentOffset = 0
        faults.withLock { $0 = [] }
        stats.withLock { $0 = RequestStats() }
        persist()
    }

    /// Answers one request.
    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let traceID = Identifiers.traceID()
        var response = await respond(request, traceID: traceID)
        response.headers.append(("X-Trace-ID", traceID))
        return response
    }

    private func respond(_ request: EmulatorRequest, traceID: String) async -> EmulatorResponse {
        var path = request.path
        if path.hasPrefix("/api/partner/") { path.removeFirst("/api/partner".count) }
        if path == "/_emulator" || path.hasPrefix("/_emulator/") {
            return ControlRoutes.handle(request, path: path, emulator: self, traceID: traceID)
        }
        if path.hasPrefix("/_uploads/") {
            // Presigned attachment uploads: no bearer token, the URL itself is the credential.
            let response = store.withLock { store in
                AttachmentRoutes.upload(request, path: path, store: &store, now: clock.now(), traceID: traceID)
            }
            persist()
            return response
        }
        let method = request.method.uppercased()
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            EmulatorRequest.percentDecode($0, plusAsSpace: false)
        }
        let normalizedPath = "/" + segments.joined(separator: "/")
        let fault = takeFault(method: method, path: normalizedPath)
        if let fault, fault.delayMilliseconds > 0 {
            try? await Task.sleep(for: .milliseconds(fault.delayMilliseconds))
        }
        let response = answer(request, method: method, segments: segments, fault: fault, traceID: traceID)
        stats.withLock { stats in
            stats.count += 1
            stats.recent.append((method, normalizedPath, response.status))
            if stats.recent.count > 100 { stats.recent.removeFirst(stats.recent.count - 100) }
        }
        return response
    }

    private func answer(
        _ request: EmulatorRequest, method: String, segments: [String], fault: Fault?, traceID: String
    ) -> EmulatorResponse {
        if fault?.drop == true { return EmulatorResponse(status: 0, drop: true) }
        let route: Route
        let params: [String: String]
        switch router.match(method: method, segments: segments) {
        case .notFound:
            return failure(APIFailure(2001, message: "Resource not found", status: 404), traceID: traceID)
        case .methodNotAllowed(let allowed):
            var response = failure(APIFailure(1005, message: "Method not allowed", status: 405), traceID: traceID)
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return response
        case .found(let r, let p):
            route = r
            params = p
        }
        guard let partner = authenticate(request) else { return failure(APIFailure(2004), traceID: traceID) }
        var routeFault: Fault?
        if let fault {
            if let code = fault.code, route.handlesFaults.contains(code) {
                routeFault = fault
            } else if let code = fault.code {
                return failure(APIFailure(code, retryAfter: fault.retryAfter, status: fault.status), traceID: traceID)
            } else if let status = fault.status {
                return EmulatorResponse(
                    status: status, headers: [("Content-Type", "text/html")],
                    body: Array("<html><body><h1>\(status)</h1>upstream error</body></html>".utf8))
            }
        }
        let context = RouteContext(
            request: request, params: params, partner: partner, now: clock.now(), fault: routeFault,
            origin: "http://" + (request.header("Host") ?? "127.0.0.1"), traceID: traceID)
        let result = store.withLock { store -> Result<Reply, APIFailure> in
            Result { () throws(APIFailure) -> Reply in try route.handler(context, &store) }
        }
        if method != "GET" { persist() }
        switch result {
        case .success(.json(let status, let value)): return .json(status, value)
        case .success(.empty(let status)): return EmulatorResponse(status: status)
        case .failure(let error): return failure(error, traceID: traceID)
        }
    }

    private func authenticate(_ request: EmulatorRequest) -> EmulatedPartner? {
        guard let header = request.header("Authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = String(parts[1]).trimmingSpaces()
        return store.withLock { $0.partner(forKey: key) }
    }

    func failure(_ error: APIFailure, traceID: String) -> EmulatorResponse {
        var headers: [(name: String, value: String)] = []
        if let retryAfter = error.retryAfter { headers.append(("Retry-After", String(retryAfter))) }
        return .json(error.status, error.envelope(traceID: traceID), headers: headers)
    }

    private func takeFault(method: String, path: String) -> Fault? {
        faults.withLock { faults in
            guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
            let fault = faults[index]
            faults[index].remaining -= 1
            if faults[index].remaining <= 0 { faults.remove(at: index) }
            return fault
        }
    }

    /// Writes the state file, if there is one. Failures are reported on stderr, not to the client.
    func persist() {
        guard let stateFile else { return }
        let document = store.withLock { $0.json(clockOffset: clock.currentOffset) }
        do {
            try JSONFile.write(document, to: stateFile)
        } catch {
            printError("linq emulator: \(error)")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a line to stderr.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
