import Dispatch

/// Copies the state database's write-ahead log back into the database file every 200 ms, on a
/// connection and queue of its own. A checkpoint syncs the file (about 10 ms on a virtual disk):
/// done by the writing request, as SQLite does by default every 1,000 pages, it was the p99 of
/// writes under load. A passive checkpoint never blocks readers or writers; the writer's own
/// automatic checkpoint stays as a safety net, at `safetyNetPages`.
final class WALCheckpointer: @unchecked Sendable {
    private let db: SQLiteDatabase
    private let timer: any DispatchSourceTimer
    /// The writer checkpoints by itself only past this many pages of log (about 40 MB).
    static let safetyNetPages = 10_000

    init(path: String) throws(SQLiteDatabase.Failure) {
        let db = try SQLiteDatabase(path: path)
        self.db = db
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "linq.emulator.checkpoint"))
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { try? db.execute("PRAGMA wal_checkpoint(PASSIVE)") }
        timer.resume()
    }

    deinit { timer.cancel() }
}
