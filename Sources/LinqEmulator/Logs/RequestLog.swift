import Dispatch
import LinqJSON
import Synchronization

/// One API request the emulator served, to any client (a user's own app included).
public struct LoggedRequest: Sendable {
    public var id: Int64 = 0
    /// Real time, seconds since 1970.
    public var at: Double
    /// Who sent it (`127.0.0.1:52344`), `nil` in process.
    public var client: String?
    public var method: String
    /// The path and query as sent.
    public var target: String
    public var status: Int
    /// The Linq code of an error answer.
    public var code: Int?
    public var milliseconds: Double
    public var traceID: String?
    /// Bodies up to `RequestLog.bodyLimit` bytes of text (longer ones cut and said so).
    public var requestBody: String?
    public var responseBody: String?
    /// Headers as received and as answered, in order; secrets masked (`RequestLog.redacted`).
    public var requestHeaders: [(name: String, value: String)] = []
    public var responseHeaders: [(name: String, value: String)] = []

    /// As the control API shows it (`bodies`: with the request and response headers and bodies;
    /// headers as `[[name, value], …]`).
    func json(bodies: Bool) -> JSONValue {
        var object: JSONObject = [
            "id": .int(Int(id)), "at": .string(EmulatorClock.iso8601(at)),
            "client": client.map(JSONValue.string) ?? .null,
            "method": .string(method), "path": .string(target), "status": .int(status),
            "code": code.map { .int($0) } ?? .null, "ms": EmulatorStore.number((milliseconds * 10).rounded() / 10),
            "trace_id": traceID.map(JSONValue.string) ?? .null,
        ]
        if bodies {
            object["request_body"] = requestBody.map(JSONValue.string) ?? .null
            object["response_body"] = responseBody.map(JSONValue.string) ?? .null
            object["request_headers"] = RequestLog.json(requestHeaders)
            object["response_headers"] = RequestLog.json(responseHeaders)
        }
        return .object(object)
    }
}

/// Which logged requests to list: after an id, by status (`404` or a class `4xx`), method and
/// path prefix (`/v3/chats`), the first `limit` (or, `fromEnd`, the last), oldest first.
public struct RequestFilter: Sendable {
    public var after: Int64 = 0
    public var status: String?
    public var method: String?
    public var path: String?
    public var limit = 100
    /// The last `limit` that match rather than the first.
    public var fromEnd = false

    public init() {}

    func matches(_ entry: LoggedRequest) -> Bool {
        guard entry.id > after else { return false }
        if let method, entry.method.uppercased() != method.uppercased() { return false }
        if let path, !entry.target.hasPrefix(path) { return false }
        if let status {
            let text = String(entry.status)
            if status.count == 3 && status.hasSuffix("xx") {
                guard text.first == status.first else { return false }
            } else if text != status {
                return false
            }
        }
        return true
    }
}

/// The emulator's request log: every API request served, bounded to the last `limit`. With a
/// state database it lives there (table `requests`, shared by every process on the state and
/// readable with `sqlite3`), written in small batches off the request path; without one, in memory.
final class RequestLog: Sendable {
    /// How many requests are kept.
    static let limit: Int64 = 10_000
    /// How much of a body is kept (bytes of text).
    static let bodyLimit = 65_536

    private let memory = Mutex<[LoggedRequest]>([])
    private let nextID = Atomic<Int64>(1)
    private let store: LogDatabase?

    /// Keeps the logs in memory, or in the logs database of the state at `statePath` (shared by
    /// every process on that state; see `path(forState:)`).
    init(statePath: String?) throws(SQLiteDatabase.Failure) {
        store = try statePath.map { path throws(SQLiteDatabase.Failure) in
            try LogDatabase(path: Self.path(forState: path))
        }
    }

    /// The logs' own database next to the state (`state.sqlite` → `state.sqlite.logs`). Apart from
    /// the state: a log flush holding the state's write lock made every state write behind it
    /// wait (writes under load went from 17,000 to 5,600 a second, p99 from 22 to 48 ms), and a
    /// snapshot or reset of the state leaves the history of what was served alone.
    static func path(forState statePath: String) -> String { statePath + ".logs" }

    /// Notes one request (returns at once).
    func record(_ entry: LoggedRequest) {
        if let store {
            store.append(entry)
            return
        }
        var entry = entry
        memory.withLock { list in
            // Numbered under the lock: ids grow in the order entries are listed, so that a reader
            // following with `after=` never misses one numbered before another it already saw.
            entry.id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
            list.append(entry)
            // Trimmed in chunks: dropping one entry per request would move the whole array each time.
            if list.count > Int(Self.limit) + 1000 { list.removeFirst(list.count - Int(Self.limit)) }
        }
    }

    /// The requests that match, oldest first (what was recorded before this call included).
    func entries(_ filter: RequestFilter) -> [LoggedRequest] {
        if let store { return store.requests(filter) }
        let matching = memory.withLock { $0.suffix(Int(Self.limit)).filter(filter.matches) }
        return Array(filter.fromEnd ? matching.suffix(filter.limit) : matching.prefix(filter.limit))
    }

    /// Where delivery attempts go: the database's log, when there is one (the dispatcher keeps
    /// its own recent history in memory for `GET /_emulator/deliveries`).
    var deliveryRecorder: (@Sendable (DeliveryAttempt) -> Void)? {
        guard let store else { return nil }
        return { attempt in store.append(attempt) }
    }

    /// Writes what waits for its batch now (an emulator stopping keeps its last requests).
    func flush() { store?.flushNow() }

    /// Forgets every request (`POST /_emulator/reset`).
    func clear() {
        memory.withLock { $0 = [] }
        store?.clear()
    }

    /// Headers as the log keeps them: the values of credential headers (`Authorization`,
    /// `X-API-Key`, `Cookie`, …) masked to their last four characters (`Bearer …acme`), so that
    /// neither the control API nor the database holds a key.
    static func redacted(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.map { header in
            guard isSecret(header.name) else { return header }
            let parts = header.value.split(separator: " ", maxSplits: 1).map(String.init)
            let masked = parts.count == 2 ? parts[0] + " " + mask(parts[1]) : mask(header.value)
            return (header.name, masked)
        }
    }

    /// Headers whose values are credentials (lowercase).
    static let secretHeaders = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// Whether a header's value is a credential: one of `secretHeaders`, or a name ending in
    /// `-key` or `-token`, in any case (compared byte by byte: every request's headers pass here).
    static func isSecret(_ name: String) -> Bool {
        let bytes = name.utf8
        // Every credential name ends in `e`, `n` or `y` (cookie, authorization, -token, -key):
        // most headers are ruled out by their last letter.
        guard let last = bytes.last.map({ $0 | 0x20 }),
            last == UInt8(ascii: "e") || last == UInt8(ascii: "n") || last == UInt8(ascii: "y")
        else { return false }
        if secretHeaders.contains(where: { Self.equalIgnoringCase(bytes, $0.utf8) }) { return true }
        return ["-key", "-token"].contains { suffix in
            bytes.count >= suffix.utf8.count && Self.equalIgnoringCase(bytes.suffix(suffix.utf8.count), suffix.utf8)
        }
    }

    /// Whether `text` equals `lowercase` (ASCII) in any case.
    private static func equalIgnoringCase<A: Collection<UInt8>, B: Collection<UInt8>>(_ text: A, _ lowercase: B)
        -> Bool
    {
        guard text.count == lowercase.count else { return false }
        return zip(text, lowercase).allSatisfy { pair in
            let byte = pair.0
            return (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == pair.1
        }
    }

    /// `…abcd`, or `…••••` for a secret of 8 characters or fewer (the shell masks keys the same way).
    static func mask(_ secret: String) -> String {
        secret.count <= 8 ? "…" + String(repeating: "•", count: 4) : "…" + secret.suffix(4)
    }

    /// `[[name, value], …]`.
    static func json(_ headers: [(name: String, value: String)]) -> JSONValue {
        .array(headers.map { .array([.string($0.name), .string($0.value)]) })
    }

    /// `json(headers)` as compact text (what the database keeps), written byte by byte: building
    /// the JSON values first, or strings piece by piece, cost more than the row's insert.
    static func jsonText(_ headers: [(name: String, value: String)]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(headers.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 8 })
        out.append(UInt8(ascii: "["))
        for (index, header) in headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            appendQuoted(header.name, to: &out)
            out.append(UInt8(ascii: ","))
            appendQuoted(header.value, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal, escaped as `JSONValue.quoted` escapes it.
    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        let backslash = UInt8(ascii: "\\")
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\""), backslash: escaped = byte
            case 0x0A: escaped = UInt8(ascii: "n")
            case 0x0D: escaped = UInt8(ascii: "r")
            case 0x09: escaped = UInt8(ascii: "t")
            case 0x08: escaped = UInt8(ascii: "b")
            case 0x0C: escaped = UInt8(ascii: "f")
            case 0x00..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
                continue
            default:
                out.append(byte)
                continue
            }
            out.append(backslash)
            out.append(escaped)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Headers back from `json` (what the database keeps).
    static func headers(_ text: String?) -> [(name: String, value: String)] {
        guard let text, let list = (try? JSONValue.parse(text))?.arrayValue else { return [] }
        return list.compactMap { pair in
            guard let name = pair[0]?.stringValue, let value = pair[1]?.stringValue else { return nil }
            return (name, value)
        }
    }

    /// A body as the log keeps it: text up to `bodyLimit` bytes, `nil` when empty.
    static func text(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        guard bytes.count > bodyLimit else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.prefix(bodyLimit), as: UTF8.self) + "… (\(bytes.count) bytes, cut)"
    }
}

/// The logs' own connection to the state database: entries are written in batches (every 100 ms,
/// or at `batchSize`) on a thread of their own, so that a request pays for an append to memory
/// only. Reading the log (`requests`) writes what is pending and queries on the reader's thread,
/// under the same lock as a batch: it never waits for the low-priority thread's backlog.
final class LogDatabase: @unchecked Sendable {
    /// Used only under `writer`'s lock.
    private let db: SQLiteDatabase
    /// The lock on `db`, and how many batches were written (every tenth prunes the tables).
    private let writer = Mutex<Int>(0)
    /// Where batches are written: a thread of its own at a lower priority (`BackgroundQueue`).
    private let queue = BackgroundQueue()
    private let pending = Mutex<(requests: [LoggedRequest], deliveries: [DeliveryAttempt], scheduled: Flush)>(
        ([], [], .none))
    /// Whether a flush is coming: none, at once (a full batch), or after 100 ms (the first entry).
    private enum Flush { case none, now, later }
    private let checkpointer: WALCheckpointer
    /// How many entries make a batch written at once: a commit costs as much as a few hundred
    /// inserts (at 256, commits were a quarter of the log's cost under load).
    static let batchSize = 1024

    init(path: String) throws(SQLiteDatabase.Failure) {
        do throws(JSONFile.Failure) {
            try StateDatabase.createPrivately(path)
        } catch {
            throw SQLiteDatabase.Failure(code: 14, message: error.description)
        }
        db = try SQLiteDatabase(path: path)
        // Checkpointed a little at a time, as the state is (`WALCheckpointer`): SQLite's automatic
        // checkpoint copies 1,000 pages at once, a burst of CPU that writes waited behind.
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        let checkpointer = try WALCheckpointer(path: path, on: queue)
        checkpointer.watch(db)
        self.checkpointer = checkpointer
        try db.execute(StateDatabase.schema)
        try addMissingColumns()
    }

    /// A database made before the logs kept request headers and delivery numbers gains their
    /// columns (two processes may race to add one: the loser's error is ignored, the column is there).
    private func addMissingColumns() throws(SQLiteDatabase.Failure) {
        let wanted = [
            ("requests", "request_headers TEXT"), ("requests", "response_headers TEXT"),
            ("deliveries", "delivery_id INTEGER"), ("deliveries", "redelivery INTEGER"),
        ]
        for table in ["requests", "deliveries"] {
            var columns: Set<String> = []
            try db.run("PRAGMA table_info(\(table))") { row in columns.insert(row.text(1) ?? "") }
            for (named, column) in wanted where named == table {
                guard let name = column.split(separator: " ").first, !columns.contains(String(name)) else { continue }
                try? db.execute("ALTER TABLE \(table) ADD COLUMN \(column)")
            }
        }
    }

    func append(_ entry: LoggedRequest) { enqueue { $0.requests.append(entry) } }

    func append(_ attempt: DeliveryAttempt) { enqueue { $0.deliveries.append(attempt) } }

    private func enqueue(
        _ add: (inout (requests: [LoggedRequest], deliveries: [DeliveryAttempt], scheduled: Flush)) -> Void
    ) {
        let next = pending.withLock { state -> Flush in
            add(&state)
            // What waits is bounded as the log is: older entries would be pruned once written
            // (trimmed in chunks, not an entry per request).
            if state.requests.count > Int(RequestLog.limit) + 1000 {
                state.requests.removeFirst(state.requests.count - Int(RequestLog.limit))
            }
            let full = state.requests.count + state.deliveries.count >= Self.batchSize
            switch state.scheduled {
            case .now: return .none
            case .later where !full: return .none
            case .none, .later:
                state.scheduled = full ? .now : .later
                return state.scheduled
            }
        }
        switch next {
        case .none: return
        case .now: queue.async { self.flush() }
        case .later: queue.asyncAfter(milliseconds: 100) { self.flush() }
        }
    }

    /// Writes what is pending (on `queue`).
    private func flush() { writer.withLock { flushes in writePending(&flushes) } }

    /// Writes what is pending, on the caller's thread.
    func flushNow() { flush() }

    /// Writes what is pending in one transaction (under `writer`'s lock); logs are best effort: a
    /// failure drops the batch rather than stopping the emulator.
    private func writePending(_ flushes: inout Int) {
        let (requests, deliveries) = pending.withLock { state -> ([LoggedRequest], [DeliveryAttempt]) in
            defer { state = ([], [], .none) }
            return (state.requests, state.deliveries)
        }
        guard !requests.isEmpty || !deliveries.isEmpty else { return }
        do throws(SQLiteDatabase.Failure) {
            try db.execute("BEGIN IMMEDIATE")
            for entry in requests { try insert(entry) }
            for attempt in deliveries { try insert(attempt) }
            flushes += 1
            if flushes % 10 == 0 {
                try db.run(
                    "DELETE FROM requests WHERE id <= (SELECT MAX(id) FROM requests) - ?", [.integer(RequestLog.limit)])
                try db.run(
                    "DELETE FROM deliveries WHERE id <= (SELECT MAX(id) FROM deliveries) - ?",
                    [.integer(RequestLog.limit)])
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
        }
    }

    private func insert(_ entry: LoggedRequest) throws(SQLiteDatabase.Failure) {
        try db.run(
            """
            INSERT INTO requests(at, client, method, path, status, code, ms, trace_id, request_body, response_body,
                request_headers, response_headers)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .real(entry.at), entry.client.map { .text($0) } ?? .null, .text(entry.method), .text(entry.target),
                .integer(Int64(entry.status)), entry.code.map { .integer(Int64($0)) } ?? .null,
                .real(entry.milliseconds),
                entry.traceID.map { .text($0) } ?? .null, entry.requestBody.map { .text($0) } ?? .null,
                entry.responseBody.map { .text($0) } ?? .null,
                .text(RequestLog.jsonText(entry.requestHeaders)), .text(RequestLog.jsonText(entry.responseHeaders)),
            ])
    }

    private func insert(_ attempt: DeliveryAttempt) throws(SQLiteDatabase.Failure) {
        try db.run(
            """
            INSERT INTO deliveries(at, subscription_id, url, event_type, event_id, webhook_id, attempt, status, error,
                outcome, ms, next_retry_at, delivery_id, redelivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .real(attempt.at), .text(attempt.subscriptionID), .text(attempt.url), .text(attempt.eventType),
                .text(attempt.eventID), .text(attempt.webhookID), .integer(Int64(attempt.attempt)),
                attempt.status.map { .integer(Int64($0)) } ?? .null, attempt.error.map { .text($0) } ?? .null,
                .text(attempt.outcome), .null, attempt.nextRetryAt.map { .real($0) } ?? .null,
                .integer(Int64(attempt.deliveryID)), .integer(attempt.redelivery ? 1 : 0),
            ])
    }

    /// The requests that match (what is pending is written first).
    func requests(_ filter: RequestFilter) -> [LoggedRequest] {
        writer.withLock { flushes in
            writePending(&flushes)
            var out: [LoggedRequest] = []
            var sql =
                "SELECT id, at, client, method, path, status, code, ms, trace_id, request_body, response_body, "
                + "request_headers, response_headers FROM requests WHERE id > ? "
                // The last `limit` only: older rows wait for the next pruning.
                + "AND id > (SELECT MAX(id) FROM requests) - \(RequestLog.limit)"
            var parameters: [SQLiteDatabase.Value] = [.integer(filter.after)]
            if let method = filter.method {
                sql += " AND method = ?"
                parameters.append(.text(method.uppercased()))
            }
            if let path = filter.path {
                sql += " AND substr(path, 1, ?) = ?"
                parameters += [.integer(Int64(path.utf8.count)), .text(path)]
            }
            if let status = filter.status {
                if status.hasSuffix("xx"), let first = Int64(status.prefix(1)) {
                    sql += " AND status / 100 = ?"
                    parameters.append(.integer(first))
                } else {
                    sql += " AND status = ?"
                    parameters.append(.integer(Int64(status) ?? -1))
                }
            }
            sql += filter.fromEnd ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?"
            parameters.append(.integer(Int64(filter.limit)))
            try? db.run(sql, parameters) { row in
                out.append(
                    LoggedRequest(
                        id: row.integer(0), at: row.real(1), client: row.text(2), method: row.text(3) ?? "",
                        target: row.text(4) ?? "", status: Int(row.integer(5)),
                        code: row[6] == .null ? nil : Int(row.integer(6)), milliseconds: row.real(7),
                        traceID: row.text(8), requestBody: row.text(9), responseBody: row.text(10),
                        requestHeaders: RequestLog.headers(row.text(11)),
                        responseHeaders: RequestLog.headers(row.text(12))))
            }
            return filter.fromEnd ? out.reversed() : out
        }
    }

    /// Empties both logs.
    func clear() {
        writer.withLock { _ in
            pending.withLock { $0 = ([], [], .none) }
            try? db.execute("DELETE FROM requests; DELETE FROM deliveries;")
        }
    }
}
