import VaporCSQLite

/// The header of a WAL-mode database's index (the first 48 bytes of its shared memory), read to
/// learn whether anything was committed since it was last read, without a read transaction —
/// `PRAGMA data_version` takes two file locks and releases them, a fifth of a GET's cost in the
/// emulator. The format is SQLite's documented one (walformat.html, "The WAL-Index Header"):
/// every commit rewrites it (its change counter, frame count and checksums) before the commit
/// returns, so a header equal to the one seen before means nothing was committed in between; a
/// header read while a writer changes it differs, and only makes the caller look the slow way.
///
/// The memory is the connection's own mapping, obtained through SQLite's VFS (`xShmMap`), valid
/// while the connection is open: opening the `-shm` file here and closing it would drop every
/// POSIX lock this process holds on it — SQLite's included (writes were lost that way).
final class WALHeader: @unchecked Sendable {
    /// The header's size in bytes (one of its two copies).
    static let size = 48
    /// The size of a WAL-index region (`WALINDEX_PGSZ`); the header is at the start of the first.
    private static let regionSize: Int32 = 32_768
    private let base: UnsafeRawPointer
    /// The connection the mapping belongs to (kept open while this lives).
    private let owner: SQLiteDatabase

    /// The header of `database`'s WAL index; `nil` when it has none (not in WAL mode, or the
    /// index not made yet): then the caller asks SQLite every time.
    init?(of database: SQLiteDatabase) {
        guard let file = database.mainFile(), let methods = file.pointee.pMethods,
            methods.pointee.iVersion >= 2, let map = methods.pointee.xShmMap
        else { return nil }
        var region: UnsafeMutableRawPointer?
        guard map(file, 0, Self.regionSize, 0, &region) == SQLITE_OK, let region else { return nil }
        base = UnsafeRawPointer(region)
        owner = database
    }

    /// The header's bytes as six words (compared, never interpreted).
    struct Words: Equatable {
        var w0, w1, w2, w3, w4, w5: UInt64
    }

    /// The header as it is now.
    func current() -> Words {
        func word(_ index: Int) -> UInt64 { base.load(fromByteOffset: index * 8, as: UInt64.self) }
        return Words(w0: word(0), w1: word(1), w2: word(2), w3: word(3), w4: word(4), w5: word(5))
    }
}
