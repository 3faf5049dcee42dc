import Dispatch
import LinqJSON
import Synchronization

/// The built-in emulator of the Linq Partner API V3: a store, one route file per resource,
/// fault injection and a movable clock. Call `handle(_:)` directly (in-process mode, for unit
/// tests) or serve it over loopback HTTP with `EmulatorServer`.
///
/// Every request runs as one `transaction` on the store: with a `--state` file, changes are saved
/// (atomically, under a lock shared with other processes) before the response exists.
public final class Emulator: Sendable {
    public let clock: EmulatorClock
    /// Where state is persisted after every change (`--state FILE`), if anywhere.
    public let stateFile: String?
    let store: Mutex<EmulatorStore>
    let faults = Mutex<[Fault]>([])
    let stats = Mutex<RequestStats>(RequestStats())
    /// Sends (and retries) the webhook deliveries that state changes emit.
    let webhooks: WebhookDispatcher
    /// Every API request served (and, with a database, every delivery attempt).
    let log: RequestLog
    /// Snapshots of an emulator without a database: state, clock offset, when saved.
    let memorySnapshots = Mutex<[String: (EmulatorStore, Double, Double)]>([:])
    let router = Router(
        routes: ContactCardRoutes.routes + ChatRoutes.routes + MessageRoutes.routes + AttachmentRoutes.routes
            + NumberRoutes.routes + BlockedHandleRoutes.routes + CapabilityRoutes.routes + WebhookRoutes.routes
            + ExperienceRoutes.routes + PaymentRoutes.routes)
    /// The state database shared with other processes, when there is one (used under `store`'s lock).
    let database: StateDatabase?
    /// Transactions wait for the file lock and fsync: they run here, off Swift's few cooperative threads.
    let queue = DispatchQueue(label: "linq.emulator.state")
    /// Requests waiting for the state queue, taken in batches (`Emulator+Batching.swift`).
    let waiting = Mutex(StateWork())
    /// The batch being run on the state queue, if one is: its transactions share one commit.
    let batch = Mutex<GroupCommit?>(nil)
    /// Whether a batch's changes may be in the store but not yet committed (from before its first
    /// job until its commit or rollback): a read does not answer from the store then.
    let uncommitted = Atomic<Bool>(false)

    /// Counts of API requests seen (control requests excluded), so tests can check that a dry
    /// run sent nothing.
    struct RequestStats {
        var count = 0
        var recent: [(method: String, path: String, status: Int)] = []
    }

    /// A fresh emulator with the seed data, or the state saved in `stateFile` when it exists. A
    /// damaged state file throws an error that names the file and the field. Tests pass
    /// `EmulatorClock.manual()` as `clock` to make time move only when they move it.
    /// `legacyState` is a JSON state file of the previous format to import into a new database
    /// (the zero-config shell's old `emulator.json`).
    public init(stateFile: String? = nil, legacyState: String? = nil, clock: EmulatorClock = EmulatorClock()) throws {
        self.clock = clock
        self.stateFile = stateFile
        if let stateFile {
            // The state first: it makes the file (0600) or imports one of the previous format.
            let opened = try StateDatabase.open(path: stateFile, legacy: legacyState) {
                SeedData.store(now: clock.now())
            }
            clock.currentOffset = opened.clockOffset
            database = opened.database
            store = Mutex(opened.store)
        } else {
            database = nil
            store = Mutex(SeedData.store(now: clock.now()))
        }
        let log = try RequestLog(statePath: stateFile)
        self.log = log
        webhooks = WebhookDispatcher(clock: clock, onAttempt: log.deliveryRecorder)
    }

    /// The state as a state file of the previous format (one JSON document) would hold it.
    func legacyStateDocument() -> String {
        store.withLock { $0.json(clockOffset: clock.currentOffset).formatted(.pretty) + "\n" }
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

    /// Back to the seed data, real time, no faults, zero requests (saved to the state file).
    public func reset() { _ = resetState() }

    /// `reset()`, reporting a state file that could not be written.
    func resetState() -> Result<Void, StateFailure> {
        faults.withLock { $0 = [] }
        stats.withLock { $0 = RequestStats() }
        webhooks.reset()
        return replaceState { store in
            clock.currentOffset = 0
            store = SeedData.store(now: clock.now())
        }
    }

    /// Writes the request and delivery logs' last entries (they wait up to 100 ms for their batch
    /// in memory): for a process about to exit.
    public func flushLogs() { log.flush() }

    /// Answers one request.
    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let traceID = Identifiers.traceID()
        let started = ContinuousClock.now
        var response = await respond(request, traceID: traceID)
        response.headers.append(("X-Trace-ID", traceID))
        if !Self.isControl(request.path) { logRequest(request, response, traceID: traceID, since: started) }
        return response
    }

    /// Whether a path is the control API's (not logged: it is how the log is read).
    static func isControl(_ path: String) -> Bool {
        path.hasPrefix("/_emulator") || path.hasPrefix("/api/partner/_emulator")
    }

    /// The base path the API is served under (`http://HOST:PORT/api/partner`).
    static let basePath = "/api/partner"

    /// A request's target as the log keeps it: relative to the base URL (`/v3/chats?limit=1`), as
    /// the shell's `request` command and the reference write paths.
    static func logTarget(_ target: String) -> String {
        target.hasPrefix(basePath + "/") ? String(target.dropFirst(basePath.count)) : target
    }

    /// Notes a served request in the request log.
    private func logRequest(
        _ request: EmulatorRequest, _ response: EmulatorResponse, traceID: String,
        since started: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - started
        let code = response.status >= 400 ? response.json?["error"]?["code"]?.intValue : nil
        log.record(
            LoggedRequest(
                at: EmulatorClock.realNow(), client: request.client, method: request.method,
                target: Self.logTarget(request.target ?? request.path), status: response.status, code: code,
                milliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000,
                traceID: traceID, requestBody: RequestLog.text(request.body),
                responseBody: RequestLog.text(response.body), requestHeaders: RequestLog.redacted(request.headers),
                responseHeaders: RequestLog.redacted(response.headers)))
    }

    private func respond(_ request: EmulatorRequest, traceID: String) async -> EmulatorResponse {
        let path =
            request.path.hasPrefix("/api/partner/")
            ? String(request.path.dropFirst("/api/partner".count)) : request.path
        if path == "/_emulator" || path.hasPrefix("/_emulator/") {
            guard request.allowsControl else {
                return failure(
                    APIFailure(
                        2005,
                        message: "The control API is off: this emulator listens beyond loopback "
                            + "(start it with --control-on-all-interfaces to allow it)"),
                    traceID: traceID)
            }
            return await onStateQueue(traceID: traceID) {
                ControlRoutes.handle(request, path: path, emulator: self, traceID: traceID)
            }
        }
        if path.hasPrefix("/_uploads/") {
            // Presigned attachment uploads: no bearer token, the URL itself is the credential.
            return await onStateQueue(batched: true, traceID: traceID) {
                self.transacted(writing: true, traceID: traceID) { store in
                    let response = AttachmentRoutes.upload(
                        request, path: path, store: &store, now: self.clock.now(), traceID: traceID)
                    return (response, save: response.status < 300)
                }
            }
        }
        let method = request.method.uppercased()
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            EmulatorRequest.percentDecode($0, plusAsSpace: false)
        }
        let normalizedPath = "/" + segments.joined(separator: "/")
        let fault = takeFault(method: method, path: normalizedPath)
        if let fault, fault.delayMilliseconds > 0 {
            // Bounded: a fault made in process (not through the control API) is not range-checked.
            try? await Task.sleep(
                for: .milliseconds(min(fault.delayMilliseconds, Fault.Limits.delayMilliseconds.upperBound)))
        }
        let response: EmulatorResponse
        switch routed(request, method: method, segments: segments, fault: fault, traceID: traceID) {
        case .answer(let answer):
            response = answer
        case .handler(let handle):
            // A read is answered at once when the state is free (no thread hop: a third of a
            // GET's cost); otherwise, and for every write, it waits its turn on the state queue.
            if method == "GET", fault == nil, let answer = readIfFree({ handle(&$0).0 }) {
                response = answer
            } else {
                response = await onStateQueue(batched: true, traceID: traceID) {
                    self.transacted(writing: method != "GET", traceID: traceID, handle)
                }
            }
        }
        stats.withLock { stats in
            stats.count += 1
            stats.recent.append((method, normalizedPath, response.status))
            if stats.recent.count > 100 { stats.recent.removeFirst(stats.recent.count - 100) }
        }
        return response
    }

    /// What an API request comes to once routed: an answer that needs no state (a dropped
    /// connection, 404, 405), or the work it does on the state.
    private enum Routed {
        case answer(EmulatorResponse)
        case handler(@Sendable (inout EmulatorStore) -> (EmulatorResponse, save: Bool))
    }

    /// Routes an API request (once, wherever its handler then runs).
    private func routed(
        _ request: EmulatorRequest, method: String, segments: [String], fault: Fault?, traceID: String
    ) -> Routed {
        if fault?.drop == true { return .answer(EmulatorResponse(status: 0, drop: true)) }
        let route: Route
        let params: [String: String]
        switch router.match(method: method, segments: segments) {
        case .notFound:
            return .answer(failure(APIFailure(2001, message: "Resource not found", status: 404), traceID: traceID))
        case .methodNotAllowed(let allowed):
            var response = failure(APIFailure(1005, message: "Method not allowed", status: 405), traceID: traceID)
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return .answer(response)
        case .found(let r, let p):
            route = r
            params = p
        }
        return .handler { [self] (store: inout EmulatorStore) -> (EmulatorResponse, save: Bool) in
            guard let partner = self.authenticate(request, store) else {
                return (failure(APIFailure(2004), traceID: traceID), save: false)
            }
            var routeFault: Fault?
            if let fault {
                if let code = fault.code, route.handlesFaults.contains(code) || (fault.async && route.sends) {
                    routeFault = fault
                } else if let code = fault.code {
                    let error = APIFailure(code, retryAfter: fault.retryAfter, status: fault.status)
                    return (failure(error, traceID: traceID), save: false)
                } else if let status = fault.status {
                    let page = EmulatorResponse(
                        status: status, headers: [("Content-Type", "text/html")],
                        body: Array("<html><body><h1>\(status)</h1>upstream error</body></html>".utf8))
                    return (page, save: false)
                }
            }
            let context = RouteContext(
                request: request, params: params, partner: partner, now: clock.now(), fault: routeFault,
                origin: "http://" + (request.header("Host") ?? "127.0.0.1"), traceID: traceID)
            store.traceID = traceID
            let result = Result { () throws(APIFailure) -> Reply in try route.handler(context, &store) }
            // A handler may change the store before it fails (e.g. a card left inactive by a fault).
            let save = method != "GET"
            switch result {
            case .success(.json(let status, let value)): return (.json(status, value), save)
            case .success(.jsonWithHeaders(let status, let value, let headers)):
                return (.json(status, value, headers: headers.map { (name: $0.0, value: $0.1) }), save)
            case .success(.empty(let status)): return (EmulatorResponse(status: status), save)
            case .failure(let error):
                store.outbox = []
                return (self.failure(error, traceID: traceID), save)
            }
        }
    }

    // MARK: Transactions

    /// Runs `body` on the state, holding the store lock. With a state database: a `writing`
    /// transaction holds the database's write lock (other processes wait); what other processes
    /// committed is applied first; when `body` asks to save, what it changed is committed before
    /// this returns. A failed commit rolls the change back and is returned as the failure.
    func transaction<T: Sendable>(writing: Bool, _ body: (inout EmulatorStore) -> (T, save: Bool))
        -> Result<T, StateFailure>
    {
        store.withLock { store -> Result<T, StateFailure> in
            guard let database else {
                let value = body(&store).0
                dispatchOutbox(&store)
                return .success(value)
            }
            if let grouped = batch.withLock({ $0 }) {
                return grouped.run(writing: writing, store: &store, database: database, emulator: self, body)
            }
            // No copy of the store is kept for a rollback: holding one would make the first change
            // of each table copy it whole. A failed transaction reloads the database's state instead.
            let clockBefore = clock.currentOffset
            do throws(SQLiteDatabase.Failure) {
                if writing { try database.beginWrite() }
                // Another process's clock move is taken; a move made here (in process) is kept.
                let clockBefore = database.clockOffset
                if try database.refresh(&store) || database.clockOffset != clockBefore {
                    clock.currentOffset = database.clockOffset
                }
                let (value, save) = body(&store)
                guard writing else {
                    store.outbox = []
                    return .success(value)
                }
                if save {
                    try database.writeChanges(of: &store, clockOffset: clock.currentOffset)
                } else {
                    store.discardChanges()
                    store.outbox = []
                }
                try database.commit()
                dispatchOutbox(&store)
                return .success(value)
            } catch {
                if writing { database.rollback() }
                clock.currentOffset = clockBefore
                reload(&store, from: database)
                return .failure(StateFailure(description: error.description))
            }
        }
    }

    /// Runs a read at once on the caller's thread — `nil`, for the caller to queue it instead,
    /// when the state is busy: its lock held (a queued job runs, or waits for another process's
    /// write lock), a batch's changes not yet committed (a read must never show a change that
    /// may still be rolled back), or, with a state database, anything committed since this
    /// process last looked (applying it reads the database: that is the state queue's work, not
    /// a cooperative thread's). So a read answered here never calls SQLite.
    func readIfFree<T: Sendable>(_ body: (inout EmulatorStore) -> T) -> T? {
        let outcome = store.withLockIfAvailable { store -> T? in
            guard !uncommitted.load(ordering: .sequentiallyConsistent) else { return nil }
            if let database, database.mayHaveNewCommits { return nil }
            let value = body(&store)
            store.outbox = []
            return value
        }
        return outcome ?? nil
    }

    /// After a failed transaction: the store as the database holds it (no copy is kept for a
    /// rollback), nothing pending.
    func reload(_ store: inout EmulatorStore, from database: StateDatabase) {
        if let saved = try? database.loadAll() {
            store = saved
            clock.currentOffset = database.clockOffset
        }
        store.discardChanges()
        store.outbox = []
    }

    /// Replaces the whole state (reset, restore) and saves it as a new epoch.
    func replaceState(_ change: (inout EmulatorStore) -> Void) -> Result<Void, StateFailure> {
        store.withLock { store -> Result<Void, StateFailure> in
            change(&store)
            store.outbox = []
            guard let database else {
                store.discardChanges()
                return .success(())
            }
            do throws(SQLiteDatabase.Failure) {
                try database.replace(&store, clockOffset: clock.currentOffset)
                return .success(())
            } catch {
                return .failure(StateFailure(description: error.description))
            }
        }
    }

    /// Hands the deliveries a transaction emitted to the dispatcher (they start at once, off this
    /// thread) and empties the outbox.
    private func dispatchOutbox(_ store: inout EmulatorStore) {
        store.emittedTypes = []
        guard !store.outbox.isEmpty else { return }
        webhooks.enqueue(store.outbox)
        store.outbox = []
    }

    /// `transaction` for a request: a state-file failure becomes a `500` (code 3006) that says what
    /// went wrong (and is printed on stderr), so no change is acknowledged unless it is saved.
    func transacted(
        writing: Bool, traceID: String, _ body: (inout EmulatorStore) -> (EmulatorResponse, save: Bool)
    ) -> EmulatorResponse {
        switch transaction(writing: writing, body) {
        case .success(let response): return response
        case .failure(let error): return stateFailure(error, traceID: traceID)
        }
    }

    /// The 500/3006 answer of a request whose transaction failed (said on stderr too).
    private func stateFailure(_ error: StateFailure, traceID: String) -> EmulatorResponse {
        printError("linq emulator: \(error.description)")
        return failure(
            APIFailure(3006, message: "The emulator could not use its state file: \(error)"), traceID: traceID)
    }

    /// Runs `work` on the transaction queue and waits for it without blocking a cooperative thread.
    /// `batched` work (an API request) may share its commit with the requests waiting beside it
    /// (`Emulator+Batching.swift`); its answer is sent only once that commit is done, and becomes
    /// a 3006 failure if it fails.
    func onStateQueue(batched: Bool = false, traceID: String, _ work: @escaping @Sendable () -> EmulatorResponse) async
        -> EmulatorResponse
    {
        await withCheckedContinuation { continuation in
            enqueue(
                StateJob(batched: batched, traceID: traceID, work: work, reply: { continuation.resume(returning: $0) }))
        }
    }

    private func authenticate(_ request: EmulatorRequest, _ store: EmulatorStore) -> EmulatedPartner? {
        guard let header = request.header("Authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return store.partner(forKey: String(parts[1]).trimmingSpaces())
    }

    /// An error answer with a fresh trace id (in the body and the `X-Trace-ID` header).
    func failureWithTrace(_ error: APIFailure) -> EmulatorResponse {
        let traceID = Identifiers.traceID()
        var response = failure(error, traceID: traceID)
        response.headers.append(("X-Trace-ID", traceID))
        return response
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
}

/// A state file that could not be read or written (its message names the file).
struct StateFailure: Error, CustomStringConvertible {
    var description: String
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
