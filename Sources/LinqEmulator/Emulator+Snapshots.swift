import LinqJSON
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Stage snapshots: the whole state saved under a name and restored later (a demo's prepared
/// stage). With a state database a snapshot is a copy of it in `STATE.snapshots/NAME.sqlite`,
/// shared by every process on the state; without one, in memory.
///
/// Why a snapshot is whole (checked by `StageSnapshotTests`: two processes saving, restoring
/// and writing at once): `VACUUM INTO` reads the database in one read transaction, so it holds
/// every transaction committed before it began and none after, whatever other processes do; it
/// writes a file of its own (unique per save, so two processes saving one name never write the
/// same file), switched to rollback mode so that it is one self-contained file, which `rename`
/// then puts in place at once — a reader sees the old snapshot or the new one, never a part.
extension Emulator {
    /// One saved snapshot.
    public struct Snapshot: Sendable {
        public var name: String
        /// Real time it was saved, seconds since 1970.
        public var savedAt: Double
        public var bytes: Int?

        var json: JSONValue {
            [
                "name": .string(name), "saved_at": .string(EmulatorClock.iso8601(savedAt)),
                "bytes": bytes.map { .int($0) } ?? .null,
            ]
        }
    }

    /// Why a snapshot operation failed, for a person.
    public struct SnapshotFailure: Error, CustomStringConvertible {
        public var description: String
        /// No snapshot of that name (a 404).
        public var missing = false
    }

    /// Letters, digits, `.`, `_` and `-`, 1 to 64 of them (a file name of its own).
    static func checkSnapshotName(_ name: String) throws(SnapshotFailure) {
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard allowed, (1...64).contains(name.count), !name.hasPrefix(".") else {
            throw SnapshotFailure(
                description: "a snapshot name is 1–64 letters, digits, '.', '_' or '-', not '\(name)'")
        }
    }

    /// The folder of a database's snapshots.
    var snapshotFolder: String? { stateFile.map { $0 + ".snapshots" } }

    /// Saves the whole state as `name` (replacing a snapshot of that name).
    public func saveSnapshot(_ name: String) throws(SnapshotFailure) -> Snapshot {
        try Self.checkSnapshotName(name)
        let now = EmulatorClock.realNow()
        guard let folder = snapshotFolder else {
            store.withLock { store in
                memorySnapshots.withLock { $0[name] = (store, clock.currentOffset, now) }
            }
            return Snapshot(name: name, savedAt: now, bytes: nil)
        }
        mkdir(folder, 0o700)
        let path = folder + "/" + name + ".sqlite"
        let temporary = path + ".saving-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(temporary) }
        let outcome = store.withLock { _ -> Result<Void, SnapshotFailure> in
            do throws(SQLiteDatabase.Failure) {
                try database?.db.run("VACUUM INTO ?", [.text(temporary)])
                // One self-contained file (VACUUM INTO writes rollback mode; made sure of here), so no
                // -wal beside it can go stale once it is renamed, and readers open it read-only.
                try SQLiteDatabase(path: temporary, create: false).execute("PRAGMA journal_mode=DELETE")
                return .success(())
            } catch {
                return .failure(SnapshotFailure(description: "cannot save the snapshot \(name): \(error)"))
            }
        }
        try outcome.get()
        chmod(temporary, 0o600)
        guard rename(temporary, path) == 0 else {
            throw SnapshotFailure(description: "cannot save the snapshot \(name): \(String(cString: strerror(errno)))")
        }
        return Snapshot(name: name, savedAt: now, bytes: Self.size(of: path))
    }

    /// Puts the state back as it was saved under `name` (every process on the state sees it).
    public func restoreSnapshot(_ name: String) throws(SnapshotFailure) {
        try Self.checkSnapshotName(name)
        let (saved, offset) = try snapshotState(name)
        if case .failure(let error) = replaceState({ store in
            store = saved
            clock.currentOffset = offset
        }) {
            throw SnapshotFailure(description: "cannot restore the snapshot \(name): \(error)")
        }
    }

    /// The state and clock offset saved as `name`.
    private func snapshotState(_ name: String) throws(SnapshotFailure) -> (EmulatorStore, Double) {
        guard let folder = snapshotFolder else {
            guard let (saved, offset, _) = memorySnapshots.withLock({ $0[name] }) else {
                throw SnapshotFailure(description: "no snapshot '\(name)'", missing: true)
            }
            return (saved, offset)
        }
        let path = folder + "/" + name + ".sqlite"
        guard access(path, F_OK) == 0 else {
            throw SnapshotFailure(description: "no snapshot '\(name)'", missing: true)
        }
        // Read-only; a snapshot saved by an earlier version (in WAL mode) is opened as before.
        if let copy = try? StateDatabase(snapshotAt: path), let saved = try? copy.loadAll() {
            return (saved, copy.clockOffset)
        }
        do throws(SQLiteDatabase.Failure) {
            let copy = try StateDatabase(path: path)
            return (try copy.loadAll(), copy.clockOffset)
        } catch {
            throw SnapshotFailure(description: "cannot read the snapshot \(name): \(error)")
        }
    }

    /// Every snapshot, by name.
    public func snapshots() -> [Snapshot] {
        guard let folder = snapshotFolder else {
            return memorySnapshots.withLock { saved in
                saved.map { Snapshot(name: $0.key, savedAt: $0.value.2, bytes: nil) }.sorted { $0.name < $1.name }
            }
        }
        let names = (DirectoryListing.names(in: folder) ?? []).filter { $0.hasSuffix(".sqlite") && !$0.hasPrefix(".") }
        return names.sorted().map { file in
            let path = folder + "/" + file
            var info = stat()
            let saved = stat(path, &info) == 0 ? Double(info.st_mtim.tv_sec) : 0
            return Snapshot(name: String(file.dropLast(".sqlite".count)), savedAt: saved, bytes: Self.size(of: path))
        }
    }

    /// Deletes the snapshot `name`.
    public func deleteSnapshot(_ name: String) throws(SnapshotFailure) {
        try Self.checkSnapshotName(name)
        guard let folder = snapshotFolder else {
            guard memorySnapshots.withLock({ $0.removeValue(forKey: name) }) != nil else {
                throw SnapshotFailure(description: "no snapshot '\(name)'", missing: true)
            }
            return
        }
        guard unlink(folder + "/" + name + ".sqlite") == 0 else {
            throw SnapshotFailure(description: "no snapshot '\(name)'", missing: true)
        }
    }

    private static func size(of path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}
