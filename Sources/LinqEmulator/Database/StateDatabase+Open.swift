import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

extension StateDatabase {
    /// What opening a state gave: the database, the state in it and its clock offset.
    struct Opened: Sendable {
        var database: StateDatabase
        var store: EmulatorStore
        var clockOffset: Double
    }

    /// Opens the state at `path`, under a lock shared with every process opening it:
    /// - a JSON state file of the previous format at `path` is converted in place (the JSON kept
    ///   as `path.json-backup`);
    /// - a new database imports `legacy` (the zero-config's old `emulator.json`) when it exists —
    ///   kept as `legacy.imported` — or else starts from `seed()`.
    static func open(path: String, legacy: String? = nil, seed: () -> EmulatorStore) throws(JSONFile.Failure)
        -> Opened
    {
        let lock = try FileLock(path: path + ".lock")
        return try lock.withLock { () throws(JSONFile.Failure) -> Opened in
            var imported: (EmulatorStore, Double)?
            var backup: (from: String, to: String)?
            try createPrivately(path)
            if StateFile.isLegacy(path) {
                let bytes = try AtomicFile.read(path) ?? []
                imported = try StateFile.decode(bytes, path: path)
                backup = (path, path + ".json-backup")
            } else if fileSize(path) == 0, let legacy, StateFile.isLegacy(legacy) {
                imported = try StateFile.decode(try AtomicFile.read(legacy) ?? [], path: legacy)
                backup = (legacy, legacy + ".imported")
            }
            if let backup {
                guard rename(backup.from, backup.to) == 0 else {
                    throw JSONFile.Failure(
                        description: "cannot keep \(backup.from) as \(backup.to): \(String(cString: strerror(errno)))")
                }
                try createPrivately(path)
            }
            do throws(SQLiteDatabase.Failure) {
                let database = try StateDatabase(path: path)
                if let (store, offset) = imported {
                    var store = store
                    try database.replace(&store, clockOffset: offset)
                    return Opened(database: database, store: store, clockOffset: offset)
                }
                if try database.isEmpty {
                    var store = seed()
                    try database.replace(&store, clockOffset: 0)
                    return Opened(database: database, store: store, clockOffset: 0)
                }
                let store = try database.loadAll()
                return Opened(database: database, store: store, clockOffset: database.clockOffset)
            } catch {
                throw JSONFile.Failure(description: error.description)
            }
        }
    }

    /// Creates the database file 0600 when missing (SQLite gives its WAL files the same mode);
    /// never through a symbolic link.
    static func createPrivately(_ path: String) throws(JSONFile.Failure) {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            throw JSONFile.Failure(description: "refusing the state file \(path): it is a symbolic link")
        }
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JSONFile.Failure(
                description: "cannot open the state file \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
    }

    /// The size of a file (0 when missing).
    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// `writeAll` in a transaction of its own.
    func replace(_ store: inout EmulatorStore, clockOffset: Double) throws(SQLiteDatabase.Failure) {
        try beginWrite()
        do {
            try writeAll(&store, clockOffset: clockOffset)
            try commit()
        } catch {
            rollback()
            throw error
        }
    }
}
