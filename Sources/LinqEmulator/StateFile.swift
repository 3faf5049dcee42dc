import LinqJSON
import Synchronization

/// The `--state` file, shared safely by every process that names it (several `linq` shells on the
/// zero-config `$XDG_STATE_HOME/linq/emulator.json`, or `linq emulator` processes):
///
/// - Writers take an advisory lock (`flock` on `<file>.lock`, next to it) around the whole
///   read–change–save of one request, so two processes never interleave their changes.
/// - Before applying a change (and before answering a read), a process compares the file's bytes
///   with the ones it last read or wrote; when another process changed the file, it loads that
///   state first. So every acknowledged write of every process survives.
/// - Saves are atomic (`AtomicFile.replace`: unique temporary file, fsync, rename, folder fsync)
///   and finish before the response is sent.
final class StateFile: Sendable {
    let path: String
    private let lock: FileLock
    /// The file's bytes as this process last read or wrote them (`nil`: none yet).
    private let seen = Mutex<[UInt8]?>(nil)

    /// A state read back from the file.
    struct Saved {
        var store: EmulatorStore
        var clockOffset: Double
    }

    /// Opens (creating if needed) the lock file `<path>.lock`.
    init(path: String) throws(JSONFile.Failure) {
        self.path = path
        lock = try FileLock(path: path + ".lock")
    }

    /// At start: removes temporary files that killed processes left, and reads the saved state.
    /// Without a file yet, writes `initial` (the seed) and answers `nil`: every process that starts
    /// on the same new file then shares one seed.
    func load(orCreate initial: JSONValue) throws(JSONFile.Failure) -> Saved? {
        try lock.withLock { () throws(JSONFile.Failure) -> Saved? in
            AtomicFile.removeStaleTemporaries(of: path)
            if let saved = try readIfChanged() { return saved }
            try save(initial)
            return nil
        }
    }

    /// The saved state when the file differs from what this process last read or wrote; `nil` when
    /// it is unchanged or missing (a deleted file is written again by the next change).
    func readIfChanged() throws(JSONFile.Failure) -> Saved? {
        guard let bytes = try AtomicFile.read(path), bytes != seen.withLock({ $0 }) else { return nil }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw JSONFile.Failure(description: "\(path) is not an emulator state file (not valid JSON: \(error))")
        }
        do {
            let (store, offset) = try EmulatorStore.decode(json)
            seen.withLock { $0 = bytes }
            return Saved(store: store, clockOffset: offset)
        } catch {
            if error.field.isEmpty || error.field == "format" {
                throw JSONFile.Failure(description: "\(path) is not an emulator state file (\(error))")
            }
            throw JSONFile.Failure(description: "\(path): \(error) (fix it, or delete the file to start from the seed)")
        }
    }

    /// Runs `body` holding the file lock (other processes' changes wait, and this one waits for theirs).
    func locked<T: Sendable>(_ body: () -> T) -> T {
        lock.withLock(body)
    }

    /// Saves `document` (the caller holds the lock), unless the file already holds exactly it.
    func save(_ document: JSONValue) throws(JSONFile.Failure) {
        let bytes = Array((document.formatted(.pretty) + "\n").utf8)
        guard bytes != seen.withLock({ $0 }) else { return }
        try AtomicFile.replace(path, with: bytes)
        seen.withLock { $0 = bytes }
    }
}
