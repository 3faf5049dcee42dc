import Foundation
import LinqJSON
import Synchronization
import TestSupport
import Testing

@testable import LinqEmulator

/// The `--state` database: shared by several emulators (each with its own connection, as separate
/// processes have), written before the answer, readable with `sqlite3`; a state file of the
/// previous format (one JSON document) is checked field by field and imported once.
@Suite(.ownThread) struct StateFileTests {
    func request(_ method: String, _ target: String, _ body: String = "") -> EmulatorRequest {
        EmulatorRequest(
            method: method, target: target, headers: [("Authorization", "Bearer \(SeedData.acmeKey)")],
            body: Array(body.utf8))
    }

    func blocked(_ emulator: Emulator) async -> Set<String> {
        let list = await emulator.handle(request("GET", "/v3/blocked_handles"))
        return Set((list.json?["blocked_handles"]?.arrayValue ?? []).compactMap { $0["handle"]?.stringValue })
    }

    static let damaged: [(document: String, field: String)] = [
        (#"{"format":"linq-emulator-state/1","partners":[]}"#, "partners: must list at least one partner"),
        (
            #"{"format":"linq-emulator-state/1","partners":[{"id":"p","api_key":"k","lines":[]}]}"#,
            "partners[0].lines: must list at least one line"
        ),
        (
            #"{"format":"linq-emulator-state/1","clock_offset":1e20,"partners":[{"id":"p","api_key":"k","#
                + #""lines":[{"id":"l","phone_number":"+15551230001"}]}]}"#,
            "clock_offset: must be a number of seconds within"
        ),
        (
            #"{"format":"linq-emulator-state/1","partners":[{"id":"p","api_key":"k","#
                + #""lines":[{"id":"l","phone_number":"5551230001"}]}]}"#,
            "partners[0].lines[0].phone_number: must be an E.164 number"
        ),
        (
            #"{"format":"linq-emulator-state/1","partners":[{"id":"p","api_key":"k","#
                + #""lines":[{"id":"l","phone_number":"+15551230001"}]}],"card_calls":{"+15551230001":[1e300]}}"#,
            #"card_calls["+15551230001"][0]: must be a time"#
        ),
        (#"{"format":"other"}"#, "is not an emulator state file (format"),
        ("[1,2]", "is not an emulator state file (the document is a array"),
    ]

    @Test(arguments: damaged)
    func aDamagedStateFileIsOneLineNamingTheFileAndTheField(document: String, field: String) throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        writeTextFile(path, document)
        #expect {
            try Emulator(stateFile: path)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(path) && text.contains(field) && !text.contains("\n")
        }
    }

    @Test func aNewStateStartsWithTheSeedSoEveryProcessSharesOne() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let first = try Emulator(stateFile: path)
        let keys = try sqliteQuery(path, "SELECT api_key FROM partners ORDER BY position").map { $0[0] }
        #expect(keys.contains(SeedData.acmeKey), "written at start: \(keys)")
        let second = try Emulator(stateFile: path)
        let created = { (emulator: Emulator) async in
            await emulator.handle(self.request("GET", "/v3/chats/\(SeedData.chatID(1))")).json?["created_at"]
        }
        #expect(await created(first) == created(second))
    }

    @Test func anAcknowledgedWriteIsInTheDatabaseBeforeTheAnswer() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let emulator = try Emulator(stateFile: path)
        let answer = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550001234"}"#))
        #expect(answer.status == 200)
        // Another connection (another process: Python's sqlite3) sees it at once.
        let rows = try sqliteQuery(path, "SELECT json_extract(body, '$.handle') FROM blocked_handles")
        #expect(rows.contains(["+15550001234"]), "\(rows)")
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            #expect(fileMode(file) == 0o600, "\(file)")
        }
    }

    @Test func theLogIsCopiedIntoTheDatabaseALittleAtATime() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let emulator = try Emulator(stateFile: path)
        func size(_ file: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        }
        /// Pages in the write-ahead log (a 32-byte header, then frames of a page and 24 bytes).
        func walPages() -> Int { max(0, size(path + "-wal") - 32) / (4096 + 24) }
        let start = size(path)
        var handles: [String] = []
        // Writes until the log holds a little more than one checkpoint's worth (its file never
        // shrinks), far below the 1,000 pages at which SQLite's own checkpoint would copy it.
        while walPages() < WALCheckpointer.pagesPerCheckpoint + 50 && size(path) == start {
            let handle = "+1555\(String(format: "%07d", handles.count))"
            handles.append(handle)
            #expect(
                await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"\#(handle)"}"#)).status
                    == 200)
        }
        let copied = await waitUntil(seconds: 30) { size(path) > start }
        #expect(copied, "the log reached \(walPages()) pages and was never copied into the database")
        #expect(walPages() < 1000, "the log grew to \(walPages()) pages")
        #expect(await blocked(emulator).isSuperset(of: handles))
    }

    /// "Where did my message go?": the state answers with `sqlite3`, one view per resource.
    @Test func theDatabaseSaysWhereAMessageWent() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let emulator = try Emulator(stateFile: path)
        let sent = await emulator.handle(
            request(
                "POST", "/v3/chats/\(SeedData.chatID(1))/messages",
                #"{"message":{"parts":[{"type":"text","value":"where am I"}]}}"#))
        #expect(sent.status == 202)
        let rows = try sqliteQuery(
            path,
            "SELECT id, json_extract(body, '$.chat_id') FROM messages WHERE body LIKE '%where am I%'")
        #expect(rows.count == 1 && rows[0].last == SeedData.chatID(1), "\(rows)")
    }

    @Test func twoEmulatorsOnOneFileSeeEachOthersWrites() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        let first = try Emulator(stateFile: path)
        let second = try Emulator(stateFile: path)
        _ = await first.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550000001"}"#))
        _ = await second.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550000002"}"#))
        _ = await first.handle(request("POST", "/_emulator/clock", #"{"advance_seconds":120}"#))
        let expected: Set = ["+15550000001", "+15550000002", SeedData.IDs.blockedHandle]
        #expect(await blocked(first) == expected, "a read sees the other emulator's write")
        #expect(await blocked(second) == expected)
        let clock = await second.handle(request("GET", "/_emulator/clock"))
        #expect(clock.json?["offset_seconds"] == .number("120.0"), "the clock is part of the shared state")
        #expect(try await blocked(Emulator(stateFile: path)) == expected, "and a restart loads both")
    }

    @Test func manyConcurrentWritersOnTwoEmulatorsLoseNothing() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        let emulators = [try Emulator(stateFile: path), try Emulator(stateFile: path)]
        let handles = (0..<40).map { String(format: "+1555000%04d", $0) }
        await withTaskGroup(of: Void.self) { group in
            for (i, handle) in handles.enumerated() {
                group.addTask {
                    let answer = await emulators[i % 2].handle(
                        self.request("POST", "/v3/blocked_handles", #"{"handle":"\#(handle)"}"#))
                    #expect(answer.status == 200)
                }
            }
        }
        let restarted = try Emulator(stateFile: path)
        #expect(await blocked(restarted).isSuperset(of: handles))
    }

    /// A write that cannot be committed (another process holds the database's write lock past
    /// the 10-s wait) is answered 500/3006 naming the file and rolled back in memory.
    @Test func aFailedSaveIsNotAcknowledgedAndIsRolledBack() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let emulator = try Emulator(stateFile: path)
        #expect(
            await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550000001"}"#)).status == 200)
        let holder = try DatabaseLockHolder(path: path)
        defer { holder.release() }
        let failed = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550000002"}"#))
        holder.release()
        #expect(failed.status == 500)
        #expect(failed.json?["error"]?["code"] == 3006)
        #expect(failed.json?["error"]?["message"]?.stringValue?.contains("state.sqlite") == true)
        let after = await blocked(emulator)
        #expect(after.contains("+15550000001"))
        #expect(!after.contains("+15550000002"), "the change was rolled back")
    }

    /// A state file of the previous format is imported once into the database; the JSON is kept.
    @Test func aJSONStateOfThePreviousFormatIsImportedAndKept() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        // The previous format, as written by the emulator before the database: the seed plus a handle.
        let old = try Emulator()
        _ = await old.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550009999"}"#))
        writeTextFile(path, old.legacyStateDocument())
        let original = readTextFile(path)
        let imported = try Emulator(stateFile: path)
        #expect(await blocked(imported).contains("+15550009999"), "the old state is there")
        #expect(readTextFile(path + ".json-backup") == original, "and kept as it was")
        let header = try #require(readTextFile(path).map { String($0.prefix(15)) })
        #expect(header == "SQLite format 3")
        // Opened again, it is the database (not imported twice).
        #expect(await blocked(try Emulator(stateFile: path)).contains("+15550009999"))
    }

    @Test func aSymlinkedStateFileIsNotFollowedOnRead() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        writeTextFile(dir.file("elsewhere.json"), "{}")
        symlink(dir.file("elsewhere.json"), dir.file("state.json"))
        #expect(throws: (any Error).self) { try Emulator(stateFile: dir.file("state.json")) }
        #expect(readTextFile(dir.file("elsewhere.json")) == "{}", "untouched")
    }
}

/// Another process holding an SQLite database's write lock (Python's sqlite3, `BEGIN EXCLUSIVE`)
/// until released.
final class DatabaseLockHolder: @unchecked Sendable {
    private let child: ChildProcess
    /// The holder's stdin; -1 once released (closing a descriptor twice would close whatever
    /// took its number meanwhile — another test's socket).
    private let input: Mutex<Int32>

    init(path: String) throws {
        let program = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.read()
            """
        let stdin = ChildProcess.pipe()
        let stdout = ChildProcess.pipe()
        child = try ChildProcess(
            "/usr/bin/python3", ["-c", program, path], environment: ["PATH": "/usr/bin:/bin"], stdin: stdin.read,
            stdout: stdout.write)
        close(stdin.read)
        close(stdout.write)
        input = Mutex(stdin.write)
        var byte: UInt8 = 0
        while read(stdout.read, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
        close(stdout.read)
    }

    /// Ends the holder (its stdin closes; idempotent).
    func release() {
        let fd = input.withLock { fd -> Int32 in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return }
        close(fd)
        child.waitUntilExit()
    }
}
