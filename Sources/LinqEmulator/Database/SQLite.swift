import VaporCSQLite

/// A thin synchronous wrapper over the SQLite C API (the copy sqlite-nio vendors: nothing to
/// install). The emulator runs its writes on a queue of its own, off Swift's cooperative pool, so
/// blocking calls are fine there; a read answered at once on the pool only reads (never waits for
/// a lock in WAL mode). Statements are prepared once and cached by their text.
/// Not thread-safe: one connection per owner, used under the owner's lock.
final class SQLiteDatabase: @unchecked Sendable {
    /// A failed SQLite call: the code and the library's message.
    struct Failure: Error, CustomStringConvertible {
        var code: Int32
        var message: String
        var description: String { message }
    }

    /// One value of a row or a parameter.
    enum Value: Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    let path: String

    /// Opens (creating when `create`) the database at `path`; `readOnly` for inspection.
    init(path: String, create: Bool = true, readOnly: Bool = false) throws(Failure) {
        self.path = path
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let result = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite_nio_sqlite3_close(handle)
            handle = nil
            throw Failure(code: result, message: "\(path): \(message)")
        }
        // Another process's write lock is waited for (up to 10 s), not reported as busy.
        sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close(handle)
    }

    /// What `onCommit` installed (kept alive while the connection is).
    private var commitHook: CommitHook?

    /// Calls `body` after each commit with the write-ahead log's size in pages and the connection
    /// (SQLite's WAL hook: it replaces SQLite's automatic checkpoint). A later call replaces it.
    func onCommit(_ body: @escaping (Int, OpaquePointer) -> Void) {
        let hook = CommitHook(body: body)
        commitHook = hook
        sqlite_nio_sqlite3_wal_hook(
            handle,
            { context, connection, _, pages in
                guard let context, let connection else { return SQLITE_OK }
                Unmanaged<CommitHook>.fromOpaque(context).takeUnretainedValue().body(Int(pages), connection)
                return SQLITE_OK
            }, Unmanaged.passUnretained(hook).toOpaque())
    }

    /// The closure behind `onCommit`, in a box SQLite can hold.
    private final class CommitHook {
        let body: (Int, OpaquePointer) -> Void
        init(body: @escaping (Int, OpaquePointer) -> Void) { self.body = body }
    }

    /// The main database's open file (its VFS object), for `WALHeader`; `nil` when unavailable.
    func mainFile() -> UnsafeMutablePointer<sqlite3_file>? {
        var file: UnsafeMutableRawPointer?
        guard sqlite_nio_sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK else {
            return nil
        }
        return file?.assumingMemoryBound(to: sqlite3_file.self)
    }

    /// Whether no transaction is open (each statement is its own).
    var isAutocommit: Bool { sqlite_nio_sqlite3_get_autocommit(handle) != 0 }

    /// Runs `body` in one read transaction (unless one is open already), so that every statement
    /// in it reads the same committed state whatever other processes commit meanwhile.
    func reading<T>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        guard isAutocommit else { return try body() }
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs SQL that returns no rows (several statements allowed).
    func execute(_ sql: String) throws(Failure) {
        var error: UnsafeMutablePointer<CChar>?
        let result = sqlite_nio_sqlite3_exec(handle, sql, nil, nil, &error)
        if result != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "error \(result)"
            sqlite_nio_sqlite3_free(error)
            throw Failure(code: result, message: "\(path): \(message)")
        }
    }

    /// Runs one statement with `parameters`, calling `row` for each result row.
    func run(_ sql: String, _ parameters: [Value] = [], row: ((Row) throws(Failure) -> Void)? = nil) throws(Failure) {
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, value) in parameters.enumerated() { try bind(value, at: Int32(index + 1), in: statement) }
        while true {
            let result = sqlite_nio_sqlite3_step(statement)
            if result == SQLITE_DONE { return }
            guard result == SQLITE_ROW else { throw failure(result) }
            try row?(Row(statement: statement))
        }
    }

    /// The rows of a query, each as its values.
    func rows(_ sql: String, _ parameters: [Value] = []) throws(Failure) -> [[Value]] {
        var out: [[Value]] = []
        try run(sql, parameters) { row in out.append(row.values) }
        return out
    }

    /// The first column of the first row, if any.
    func scalar(_ sql: String, _ parameters: [Value] = []) throws(Failure) -> Value? {
        try rows(sql, parameters).first?.first
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite_nio_sqlite3_changes(handle)) }

    private func prepared(_ sql: String) throws(Failure) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let result = sqlite_nio_sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else { throw failure(result) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ value: Value, at index: Int32, in statement: OpaquePointer) throws(Failure) {
        let result: Int32
        switch value {
        case .null: result = sqlite_nio_sqlite3_bind_null(statement, index)
        case .integer(let n): result = sqlite_nio_sqlite3_bind_int64(statement, index, n)
        case .real(let d): result = sqlite_nio_sqlite3_bind_double(statement, index, d)
        case .text(let s):
            // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
            result = sqlite_nio_sqlite3_bind_text(
                statement, index, s, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
        guard result == SQLITE_OK else { throw failure(result) }
    }

    private func failure(_ code: Int32) -> Failure {
        Failure(code: code, message: "\(path): " + String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    /// One result row.
    struct Row {
        let statement: OpaquePointer

        /// Every column's value, in order.
        var values: [Value] { (0..<sqlite_nio_sqlite3_column_count(statement)).map { self[$0] } }

        subscript(_ column: Int32) -> Value {
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .integer(sqlite_nio_sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: return .real(sqlite_nio_sqlite3_column_double(statement, column))
            case SQLITE_NULL: return .null
            default:
                guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .null }
                return .text(String(cString: text))
            }
        }

        /// A text column (`nil` when null).
        func text(_ column: Int32) -> String? {
            if case .text(let s) = self[column] { return s }
            return nil
        }

        /// An integer column (0 when null).
        func integer(_ column: Int32) -> Int64 {
            switch self[column] {
            case .integer(let n): return n
            case .real(let d): return Int64(d)
            default: return 0
            }
        }

        /// A number column (0 when null).
        func real(_ column: Int32) -> Double {
            switch self[column] {
            case .integer(let n): return Double(n)
            case .real(let d): return d
            default: return 0
            }
        }
    }
}

extension SQLiteDatabase.Value {
    var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    var integer: Int64? {
        switch self {
        case .integer(let n): return n
        case .real(let d): return Int64(d)
        default: return nil
        }
    }
}
