import LinqJSON

/// The emulator's state in one SQLite database (WAL mode), shared by every process that names it
/// (several `linq` shells on the zero-config state, `linq emulator --state FILE` next to them):
///
/// - Each request is one transaction; a write holds SQLite's write lock (`BEGIN IMMEDIATE`), so
///   processes never interleave their changes, and it writes only the records it changed.
/// - A process notices another's commits from the WAL index's header (`WALHeader`, no SQLite call
///   when nothing changed), then `PRAGMA data_version`, and reads only what changed since the
///   revision it last saw, from the `changes` table; after a reset or a restore
///   (a new `epoch`) or when it fell too far behind, it reloads everything.
/// - With `synchronous=NORMAL`, every acknowledged write survives `kill -9` of any process (the
///   WAL is in the operating system's hands once the commit returns); a power cut may lose the
///   last moments of writes.
///
/// Tables (for `sqlite3 STATE 'select …'`): `records(tbl, id, position, body)` — every resource
/// (`chats`, `messages`, `contact_cards`, …) as the JSON the API returns, members starting with
/// `_` internal; one view per resource (`SELECT * FROM messages`); `partners`, `card_calls`,
/// `last_share`, `meta`; `changes`; and the logs `requests` and `deliveries`.
///
/// Not thread-safe: the emulator uses it only under its store's lock (hence `@unchecked Sendable`).
final class StateDatabase: @unchecked Sendable {
    let db: SQLiteDatabase
    /// The revision this process's store reflects.
    private(set) var revision: Int64 = 0
    /// The epoch this process's store belongs to (a reset or restore starts a new one).
    private(set) var epoch: Int64 = 0
    /// `PRAGMA data_version` when this process last looked: another process's commit changes it.
    private var dataVersion: Int64 = -1
    /// The clock offset as last written or read.
    private(set) var clockOffset: Double = 0

    /// The `format` value in `meta`.
    static let format = "linq-emulator-state/2"
    /// How many revisions of `changes` are kept (a process further behind reloads everything).
    static let keptRevisions: Int64 = 5000

    /// Moves the write-ahead log into the database file off the request path (none for a snapshot).
    private let checkpointer: WALCheckpointer?

    /// Opens (creating) the database and its schema. Requests never checkpoint the log themselves
    /// (a checkpoint syncs the file: the slowest moment of a write); `WALCheckpointer` does, on a
    /// thread of its own, with a large automatic checkpoint left as the safety net.
    init(path: String) throws(SQLiteDatabase.Failure) {
        db = try SQLiteDatabase(path: path)
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        try db.execute(Self.schema)
        let checkpointer = try WALCheckpointer(path: path)
        checkpointer.watch(db)
        self.checkpointer = checkpointer
    }

    /// Opens a stage snapshot to read it: read-only, its journal mode left as it is (a snapshot is
    /// saved in rollback mode, so reading it makes no `-wal` or `-shm` file beside it).
    init(snapshotAt path: String) throws(SQLiteDatabase.Failure) {
        db = try SQLiteDatabase(path: path, create: false, readOnly: true)
        checkpointer = nil
    }

    /// Every table, index and view, created when missing.
    static let schema = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
        CREATE TABLE IF NOT EXISTS records(tbl TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL,
            body TEXT NOT NULL, PRIMARY KEY(tbl, id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS records_order ON records(tbl, position);
        CREATE INDEX IF NOT EXISTS records_position ON records(position);
        CREATE TABLE IF NOT EXISTS partners(id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL,
            api_key TEXT NOT NULL, lines TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS card_calls(phone_number TEXT PRIMARY KEY, times TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS last_share(chat_id TEXT PRIMARY KEY, at REAL NOT NULL);
        CREATE TABLE IF NOT EXISTS changes(revision INTEGER NOT NULL, kind TEXT NOT NULL, tbl TEXT NOT NULL,
            id TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS changes_revision ON changes(revision);
        CREATE TABLE IF NOT EXISTS requests(id INTEGER PRIMARY KEY, at REAL NOT NULL, client TEXT, method TEXT,
            path TEXT, status INTEGER, code INTEGER, ms REAL, trace_id TEXT, request_body TEXT, response_body TEXT,
            request_headers TEXT, response_headers TEXT);
        CREATE TABLE IF NOT EXISTS deliveries(id INTEGER PRIMARY KEY, at REAL NOT NULL, subscription_id TEXT,
            url TEXT, event_type TEXT, event_id TEXT, webhook_id TEXT, attempt INTEGER, status INTEGER, error TEXT,
            outcome TEXT, ms REAL, next_retry_at REAL, delivery_id INTEGER, redelivery INTEGER);
        """

    /// The resource kinds with a view already (`SELECT * FROM messages`, for reading with `sqlite3`).
    private var viewed: Set<String> = []

    /// Makes the view of a resource kind when this process first writes one (names are the
    /// emulator's own: letters and `_`).
    private func ensureView(_ table: String) throws(SQLiteDatabase.Failure) {
        guard !viewed.contains(table), table.allSatisfy({ $0.isLetter || $0 == "_" }) else { return }
        try db.execute(
            "CREATE VIEW IF NOT EXISTS \(table) AS SELECT id, json(body) AS body FROM records WHERE tbl = '\(table)' ORDER BY position;"
        )
        viewed.insert(table)
    }

    // MARK: Reading

    /// Whether the database holds a state yet (a new file does not).
    var isEmpty: Bool {
        get throws(SQLiteDatabase.Failure) { try db.scalar("SELECT value FROM meta WHERE key = 'format'") == nil }
    }

    /// The whole state, and this process's revision and epoch set to the database's — read in
    /// one transaction, so that a commit by another process between the reads cannot leave the
    /// rows older than the revision noted (the change would never be applied here).
    func loadAll() throws(SQLiteDatabase.Failure) -> EmulatorStore {
        try db.reading { () throws(SQLiteDatabase.Failure) in try readAll() }
    }

    /// `loadAll`'s reads.
    private func readAll() throws(SQLiteDatabase.Failure) -> EmulatorStore {
        var partners: [EmulatedPartner] = []
        try db.run("SELECT id, name, api_key, lines FROM partners ORDER BY position") {
            row throws(SQLiteDatabase.Failure) in
            partners.append(try Self.partner(row, path: self.db.path))
        }
        var store = EmulatorStore(partners: partners)
        try db.run("SELECT tbl, id, body FROM records ORDER BY position") { row throws(SQLiteDatabase.Failure) in
            let table = row.text(0) ?? ""
            store.tables[table, default: Table()].place(
                row.text(1) ?? "", try Self.object(row.text(2), at: "\(table)/\(row.text(1) ?? "")", path: self.db.path)
            )
        }
        try db.run("SELECT phone_number, times FROM card_calls") { row in
            let times = (try? JSONValue.parse(row.text(1) ?? "[]"))?.arrayValue?.compactMap(\.doubleValue) ?? []
            store.cardCalls.place(row.text(0) ?? "", times)
        }
        try db.run("SELECT chat_id, at FROM last_share") { row in store.lastShare.place(row.text(0) ?? "", row.real(1))
        }
        store.partnersChanged = false
        try readMeta()
        return store
    }

    /// The WAL index's header, mapped when first needed (`nil` without a `-shm` file, e.g. a
    /// snapshot opened to read it).
    private lazy var walHeader = WALHeader(of: db)
    /// The header when this process last asked SQLite what changed.
    private var seenHeader: WALHeader.Words?
    /// How many times `refresh` asked SQLite (tests: an unchanged database is not asked).
    private(set) var fullChecks = 0

    /// Whether anything may have been committed since `refresh` last asked SQLite (always, when
    /// there is no WAL index to read): a read answered at once needs a `false` here.
    var mayHaveNewCommits: Bool {
        guard let header = walHeader?.current() else { return true }
        return header != seenHeader
    }

    /// Applies what other processes committed since this process last looked; `true` when the
    /// store was replaced whole (a reset, a restore, or too far behind). When the WAL index's
    /// header is as it was at the last look, nothing was committed since: no SQLite call at all.
    @discardableResult
    func refresh(_ store: inout EmulatorStore) throws(SQLiteDatabase.Failure) -> Bool {
        // Read before asking SQLite: a commit after this point changes it and is seen next time.
        let header = walHeader?.current()
        if let header, header == seenHeader { return false }
        let replaced = try applyCommitted(&store)
        seenHeader = header
        return replaced
    }

    /// `refresh` the slow way: `PRAGMA data_version`, then what changed.
    private func applyCommitted(_ store: inout EmulatorStore) throws(SQLiteDatabase.Failure) -> Bool {
        fullChecks += 1
        let version = try db.scalar("PRAGMA data_version")?.integer ?? 0
        guard version != dataVersion else { return false }
        dataVersion = version
        let (latest, latestEpoch, oldest) = try revisions()
        if latest == revision && latestEpoch == epoch { return false }
        if latestEpoch != epoch || revision < oldest {
            store = try loadAll()
            return true
        }
        try applyChanges(since: revision, to: &store)
        revision = latest
        clockOffset = try db.scalar("SELECT value FROM meta WHERE key = 'clock_offset'").flatMap(\.real) ?? 0
        return false
    }

    /// The database's revision, epoch and oldest kept revision.
    private func revisions() throws(SQLiteDatabase.Failure) -> (Int64, Int64, Int64) {
        var values: [String: Int64] = [:]
        try db.run("SELECT key, value FROM meta WHERE key IN ('revision', 'epoch', 'oldest_revision')") { row in
            values[row.text(0) ?? ""] = row.integer(1)
        }
        return (values["revision"] ?? 0, values["epoch"] ?? 0, values["oldest_revision"] ?? 0)
    }

    private func readMeta() throws(SQLiteDatabase.Failure) {
        let (latest, latestEpoch, _) = try revisions()
        revision = latest
        epoch = latestEpoch
        clockOffset = try db.scalar("SELECT value FROM meta WHERE key = 'clock_offset'").flatMap(\.real) ?? 0
        dataVersion = try db.scalar("PRAGMA data_version")?.integer ?? 0
    }

    /// Places every record, counter and partner changed after `revision` (new records in the
    /// order they were made).
    private func applyChanges(since revision: Int64, to store: inout EmulatorStore) throws(SQLiteDatabase.Failure) {
        var changed: [(kind: String, table: String, id: String)] = []
        try db.run("SELECT DISTINCT kind, tbl, id FROM changes WHERE revision > ?", [.integer(revision)]) { row in
            changed.append((row.text(0) ?? "", row.text(1) ?? "", row.text(2) ?? ""))
        }
        var placed: [(position: Int64, table: String, id: String, row: JSONObject?)] = []
        for change in changed {
            switch change.kind {
            case "record":
                var found: (Int64, JSONObject)?
                try db.run(
                    "SELECT position, body FROM records WHERE tbl = ? AND id = ?",
                    [.text(change.table), .text(change.id)]
                ) { row throws(SQLiteDatabase.Failure) in
                    found = (
                        row.integer(0),
                        try Self.object(row.text(1), at: "\(change.table)/\(change.id)", path: self.db.path)
                    )
                }
                placed.append((found?.0 ?? -1, change.table, change.id, found?.1))
            case "card_calls":
                let text = try db.scalar("SELECT times FROM card_calls WHERE phone_number = ?", [.text(change.id)])?
                    .text
                store.cardCalls.place(
                    change.id, text.flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(\.doubleValue))
            case "last_share":
                store.lastShare.place(
                    change.id,
                    try db.scalar("SELECT at FROM last_share WHERE chat_id = ?", [.text(change.id)]).flatMap(\.real))
            case "partners":
                var partners: [EmulatedPartner] = []
                try db.run("SELECT id, name, api_key, lines FROM partners ORDER BY position") {
                    row throws(SQLiteDatabase.Failure) in
                    partners.append(try Self.partner(row, path: self.db.path))
                }
                store.partners = partners
                store.partnersChanged = false
            default: break
            }
        }
        for change in placed.sorted(by: { $0.position < $1.position }) {
            store.tables[change.table, default: Table()].place(change.id, change.row)
        }
    }

    // MARK: Writing

    /// Starts a write transaction (waits for other processes' writes to end).
    func beginWrite() throws(SQLiteDatabase.Failure) { try db.execute("BEGIN IMMEDIATE") }

    /// Ends the transaction, keeping what it wrote. `data_version` is read before the commit,
    /// while nobody else can commit (this connection's own commit does not change it): read
    /// after, it could take in another process's commit made in between, never to be applied.
    func commit() throws(SQLiteDatabase.Failure) {
        let version = try db.scalar("PRAGMA data_version")?.integer ?? dataVersion
        try db.execute("COMMIT")
        dataVersion = version
    }

    /// Ends the transaction, dropping what it wrote.
    func rollback() { try? db.execute("ROLLBACK") }

    /// Writes what `store` changed since its changes were last taken (and the clock offset if it
    /// moved), as the next revision. In a transaction (`beginWrite`).
    func writeChanges(of store: inout EmulatorStore, clockOffset offset: Double) throws(SQLiteDatabase.Failure) {
        let next = revision + 1
        var wrote = false
        for name in store.tables.keys.sorted() {
            let ids = store.tables[name]?.takeChanges() ?? []
            for id in ids.sorted() {
                try writeRecord(name, id, store.tables[name]?[id], revision: next)
                wrote = true
            }
        }
        for key in store.cardCalls.takeChanges() {
            if let times = store.cardCalls[key] {
                let text = JSONValue.array(times.map(EmulatorStore.number)).formatted(.compact)
                try db.run(
                    "INSERT OR REPLACE INTO card_calls(phone_number, times) VALUES (?, ?)", [.text(key), .text(text)])
            } else {
                try db.run("DELETE FROM card_calls WHERE phone_number = ?", [.text(key)])
            }
            try noteChange(next, "card_calls", "", key)
            wrote = true
        }
        for key in store.lastShare.takeChanges() {
            if let at = store.lastShare[key] {
                try db.run("INSERT OR REPLACE INTO last_share(chat_id, at) VALUES (?, ?)", [.text(key), .real(at)])
            } else {
                try db.run("DELETE FROM last_share WHERE chat_id = ?", [.text(key)])
            }
            try noteChange(next, "last_share", "", key)
            wrote = true
        }
        if store.partnersChanged {
            try writePartners(store.partners)
            try noteChange(next, "partners", "", "")
            store.partnersChanged = false
            wrote = true
        }
        if offset != clockOffset {
            try setMeta("clock_offset", .real(offset))
            clockOffset = offset
            wrote = true
        }
        guard wrote else { return }
        try setMeta("revision", .integer(next))
        revision = next
        if next % 500 == 0 { try pruneChanges() }
    }

    /// Replaces the whole state (the seed, a reset, a restore, an import) as a new epoch: other
    /// processes reload everything.
    func writeAll(_ store: inout EmulatorStore, clockOffset offset: Double) throws(SQLiteDatabase.Failure) {
        try db.execute(
            "DELETE FROM records; DELETE FROM partners; DELETE FROM card_calls; DELETE FROM last_share; DELETE FROM changes;"
        )
        try writePartners(store.partners)
        var position: Int64 = 0
        for name in store.tables.keys.sorted() {
            guard let table = store.tables[name] else { continue }
            try ensureView(name)
            for id in table.order {
                guard let row = table[id] else { continue }
                position += 1
                try db.run(
                    "INSERT INTO records(tbl, id, position, body) VALUES (?, ?, ?, ?)",
                    [.text(name), .text(id), .integer(position), .text(JSONValue.object(row).formatted(.compact))])
            }
            store.tables[name]?.clearChanges()
        }
        for (key, times) in store.cardCalls {
            let text = JSONValue.array(times.map(EmulatorStore.number)).formatted(.compact)
            try db.run("INSERT INTO card_calls(phone_number, times) VALUES (?, ?)", [.text(key), .text(text)])
        }
        for (key, at) in store.lastShare {
            try db.run("INSERT INTO last_share(chat_id, at) VALUES (?, ?)", [.text(key), .real(at)])
        }
        _ = store.cardCalls.takeChanges()
        _ = store.lastShare.takeChanges()
        store.partnersChanged = false
        let (latest, latestEpoch, _) = try revisions()
        try setMeta("format", .text(Self.format))
        try setMeta("epoch", .integer(latestEpoch + 1))
        try setMeta("revision", .integer(latest + 1))
        try setMeta("oldest_revision", .integer(latest + 1))
        try setMeta("clock_offset", .real(offset))
        epoch = latestEpoch + 1
        revision = latest + 1
        clockOffset = offset
    }

    private func writeRecord(_ table: String, _ id: String, _ row: JSONObject?, revision next: Int64)
        throws(SQLiteDatabase.Failure)
    {
        try ensureView(table)
        if let row {
            let body = JSONValue.object(row).formatted(.compact)
            try db.run(
                """
                INSERT INTO records(tbl, id, position, body)
                VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM records), ?3)
                ON CONFLICT(tbl, id) DO UPDATE SET body = excluded.body
                """, [.text(table), .text(id), .text(body)])
        } else {
            try db.run("DELETE FROM records WHERE tbl = ? AND id = ?", [.text(table), .text(id)])
        }
        try noteChange(next, "record", table, id)
    }

    private func writePartners(_ partners: [EmulatedPartner]) throws(SQLiteDatabase.Failure) {
        try db.execute("DELETE FROM partners")
        for (position, partner) in partners.enumerated() {
            let lines = JSONValue.array(
                partner.lines.map { line in
                    [
                        "id": .string(line.id), "phone_number": .string(line.phoneNumber),
                        "line_type": .string(line.lineType),
                        "forwarding_number": line.forwardingNumber.map { .string($0) } ?? .null,
                    ]
                })
            try db.run(
                "INSERT INTO partners(id, position, name, api_key, lines) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(partner.id), .integer(Int64(position)), .text(partner.name), .text(partner.apiKey),
                    .text(lines.formatted(.compact)),
                ])
        }
    }

    private func noteChange(_ revision: Int64, _ kind: String, _ table: String, _ id: String) throws(SQLiteDatabase
        .Failure)
    {
        try db.run(
            "INSERT INTO changes(revision, kind, tbl, id) VALUES (?, ?, ?, ?)",
            [.integer(revision), .text(kind), .text(table), .text(id)])
    }

    private func setMeta(_ key: String, _ value: SQLiteDatabase.Value) throws(SQLiteDatabase.Failure) {
        try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [.text(key), value])
    }

    /// Drops changes older than `keptRevisions` (a process further behind reloads everything).
    private func pruneChanges() throws(SQLiteDatabase.Failure) {
        let oldest = max(0, revision - Self.keptRevisions)
        try db.run("DELETE FROM changes WHERE revision <= ?", [.integer(oldest)])
        try setMeta("oldest_revision", .integer(oldest))
    }

    // MARK: Decoding rows

    private static func object(_ text: String?, at place: String, path: String) throws(SQLiteDatabase.Failure)
        -> JSONObject
    {
        guard let text, let object = (try? JSONValue.parse(text))?.objectValue else {
            throw SQLiteDatabase.Failure(
                code: 0,
                message:
                    "\(path): the record \(place) is not a JSON object (fix it, or delete the file to start from the seed)"
            )
        }
        return object
    }

    private static func partner(_ row: SQLiteDatabase.Row, path: String) throws(SQLiteDatabase.Failure)
        -> EmulatedPartner
    {
        let lines = (try? JSONValue.parse(row.text(3) ?? ""))?.arrayValue ?? []
        guard !lines.isEmpty else {
            throw SQLiteDatabase.Failure(
                code: 0,
                message:
                    "\(path): partner \(row.text(0) ?? "?") has no lines (fix it, or delete the file to start from the seed)"
            )
        }
        return EmulatedPartner(
            id: row.text(0) ?? "", name: row.text(1) ?? "", apiKey: row.text(2) ?? "",
            lines: lines.map { line in
                EmulatedLine(
                    id: line["id"]?.stringValue ?? "", phoneNumber: line["phone_number"]?.stringValue ?? "",
                    lineType: line["line_type"]?.stringValue ?? "iMessage",
                    forwardingNumber: line["forwarding_number"]?.stringValue)
            })
    }
}

extension SQLiteDatabase.Value {
    var real: Double? {
        switch self {
        case .integer(let n): return Double(n)
        case .real(let d): return d
        default: return nil
        }
    }
}
