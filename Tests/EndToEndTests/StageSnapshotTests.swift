import Foundation
import LinqCore
import Synchronization
import TestSupport
import Testing

/// Stage snapshots through the real binary (issue 23, item 2): `emulator snapshot save` →
/// change the state → restore gives the API's earlier answers back; `linq run --stage NAME`;
/// a missing snapshot; `linq emulator snapshot … --url` beside a standalone emulator; and a
/// snapshot taken while two processes write and save at once is whole.
@Suite(.ownThread) struct StageSnapshotTests {
    /// What the state looks like through the API: the cards and the blocked handles, as JSON.
    static let look = "card get --output json; blocked list --output json"

    @Test func restoreGivesTheEarlierAnswersBackInTheShellAndWithStage() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let saved = try f.run(["--fresh", "-c", "emulator snapshot save stage"])
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.stderr.contains("saved snapshot stage"), "\(saved.stderr)")
        let before = try f.run(["-c", Self.look])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("blocked_handles"), "\(before.stdout)")

        // Change the state in other processes: a card made, a handle blocked.
        let change = try f.run([
            "-c", "card create --first Zed --number +15551230002; blocked add +15557770666 --reason spam",
        ])
        #expect(change.status == 0, "\(change.stderr)")
        let changed = try f.run(["-c", Self.look])
        #expect(changed.stdout != before.stdout, "the change shows")
        #expect(changed.stdout.contains("Zed") && changed.stdout.contains("+15557770666"))

        // Restored in the shell: the same answers as before the change.
        let restored = try f.run(["-c", "emulator snapshot restore stage; " + Self.look])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout == before.stdout)

        // Changed again, then a script run with --stage starts from the stage.
        #expect(try f.run(["-c", "blocked add +15557770667"]).status == 0)
        let script = f.write("look.linq", Self.look.replacingOccurrences(of: "; ", with: "\n") + "\n")
        let staged = try f.run(["run", "--stage", "stage", script])
        #expect(staged.status == 0, "\(staged.stderr)")
        #expect(staged.stdout == before.stdout)
        #expect(staged.stderr.contains("look.linq: 2 commands"), "the restore is not one of the script's commands")

        // A dry run only checks that the stage exists: the state stays as it is.
        #expect(try f.run(["-c", "blocked add +15557770668"]).status == 0)
        let dry = try f.run(["run", "--dry-run", "--stage", "stage", f.write("none.linq", "echo hi\n")])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("(dry run) would restore snapshot stage"), "\(dry.stderr)")
        #expect(try f.run(["-c", "blocked list"]).stdout.contains("+15557770668"))
        #expect(try f.run(["run", "--dry-run", "--stage", "nope", f.home.file("none.linq")]).status == 2)
    }

    @Test func stageOnAMissingSnapshotIsOneLineNamingItAndTheOthers() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        #expect(try f.run(["--fresh", "-c", "emulator snapshot save ready"]).status == 0)
        let script = f.write("x.linq", "echo ran\n")
        let result = try f.run(["run", "--stage", "nope", script])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty, "nothing of the script ran")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("'nope'") && result.stderr.contains("saved: ready"), "\(result.stderr)")
        // The same in the shell, and a delete that makes it missing.
        let deleted = try f.run(["-c", "emulator snapshot delete ready; emulator snapshot restore ready"])
        #expect(deleted.status == 2)
        #expect(deleted.stderr.contains("no snapshot 'ready'"), "\(deleted.stderr)")
        #expect(deleted.stderr.contains("none is saved"), "\(deleted.stderr)")
    }

    @Test func besideAStandaloneEmulator() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(
            extra: ["--state", f.home.file("emu.sqlite")], environment: f.env)
        defer { emulator.stop() }
        let url = ["--url", emulator.root]
        let empty = try f.run(["emulator", "snapshot", "list"] + url)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.isEmpty && empty.stderr.contains("no snapshots"), "\(empty.stderr)")
        let saved = try f.run(["emulator", "snapshot", "save", "demo-1"] + url)
        #expect(saved.status == 0, "\(saved.stderr)")
        let listed = try f.run(["emulator", "snapshot", "list"] + url)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.hasPrefix("demo-1  "), "\(listed.stdout)")
        let json = try f.run(["--output", "json", "emulator", "snapshot", "list"] + url)
        let names = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(names?.compactMap { $0["name"] as? String } == ["demo-1"], "\(json.stdout)")

        // A client of the standalone emulator changes it; a restore there undoes it.
        let client = emulator.clientVariables
        let before = try f.run(["-c", "blocked list"], extra: client)
        #expect(try f.run(["-c", "blocked add +15557770999"], extra: client).status == 0)
        #expect(try f.run(["-c", "blocked list"], extra: client).stdout != before.stdout)
        #expect(try f.run(["emulator", "snapshot", "restore", "demo-1"] + url).status == 0)
        #expect(try f.run(["-c", "blocked list"], extra: client).stdout == before.stdout)
        #expect(try f.run(["emulator", "snapshot", "restore", "nope"] + url).status == 2)
        #expect(try f.run(["emulator", "snapshot", "save"] + url).status == 2, "save needs a name")
    }

    /// Two emulator processes on one state database: each saves the same snapshot name over and
    /// over while both serve writes (a chat made with its first message, one transaction each)
    /// and one restores. Every save and restore succeeds, and the snapshot file is a whole,
    /// self-contained SQLite database in which every chat has its first message.
    @Test func aSnapshotIsWholeWhileTwoProcessesWriteAndSave() async throws {
        let python = try #require(EmulatorTrafficTests.python, "a Python 3 to read the snapshot")
        let f = ScratchHome()
        defer { f.home.remove() }
        let state = f.home.file("shared.sqlite")
        let first = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: f.env)
        defer { first.stop() }
        let second = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: f.env)
        defer { second.stop() }
        let outcomes = await withTaskGroup(of: [String].self) { group in
            for (index, emulator) in [first, second].enumerated() {
                group.addTask {
                    var failures: [String] = []
                    for _ in 0..<15 {
                        let answer = try? await emulator.control("POST", "/_emulator/snapshots", json: #"{"name":"s"}"#)
                        if answer?.status != 201 {
                            failures.append("save: \(String(decoding: answer?.body ?? [], as: UTF8.self))")
                        }
                    }
                    return failures
                }
                group.addTask {
                    var failures: [String] = []
                    for n in 0..<25 {
                        let to = "+1555\(index + 4)\(String(format: "%06d", n))"
                        let body =
                            #"{"from":"+15551230001","to":["\#(to)"],"message":{"parts":[{"type":"text","value":"hi"}]}}"#
                        let answer = try? await AsyncHTTPTransport.shared.send(
                            HTTPRequestData(
                                method: "POST", url: emulator.baseURL + "/v3/chats",
                                headers: [
                                    HTTPHeader("Content-Type", "application/json"),
                                    HTTPHeader("Authorization", "Bearer linq-emulator-acme"),
                                ], body: Array(body.utf8)), timeouts: .init())
                        if answer.map({ (200..<300).contains($0.status) }) != true { failures.append("write \(to)") }
                    }
                    return failures
                }
            }
            group.addTask {
                var failures: [String] = []
                for _ in 0..<15 {
                    let answer = try? await first.control("POST", "/_emulator/snapshots/s/restore")
                    // Before the first save the snapshot may not exist yet.
                    if let status = answer?.status, status != 200 && status != 404 {
                        failures.append("restore: \(String(decoding: answer?.body ?? [], as: UTF8.self))")
                    }
                }
                return failures
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outcomes.isEmpty, "\(outcomes.prefix(5))")
        let check = """
            import sqlite3, sys, os
            path = sys.argv[1]
            db = sqlite3.connect("file:" + path + "?mode=ro", uri=True)
            print(db.execute("pragma integrity_check").fetchone()[0])
            print(db.execute("pragma journal_mode").fetchone()[0])
            missing = db.execute(\"\"\"select count(*) from records c where c.tbl = 'chats' and not exists
                (select 1 from records m where m.tbl = 'messages' and json_extract(m.body, '$.chat_id') = c.id)\"\"\").fetchone()[0]
            print("chats without a message:", missing)
            print(sorted(n for n in os.listdir(os.path.dirname(path))))
            """
        let result = try LinqBinary.runExecutable(
            python, ["-c", check, state + ".snapshots/s.sqlite"], environment: f.env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ok\ndelete\nchats without a message: 0\n['s.sqlite']\n", "\(result.stdout)")
    }

    /// After a restore every other process reloads the whole state; a write committed by a third
    /// party while it reloads must not be lost to it. Rounds of: restore on one process, then
    /// writes there while the other reads; at the end of each round both list the same blocked
    /// handles. (Reloading in several reads outside one transaction lost a write in 7 to 11 of 60
    /// rounds: the rows were read before it, the revision after, so it was never applied.)
    @Test func aProcessReloadingAfterARestoreMissesNoWrite() async throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let state = f.home.file("shared.sqlite")
        let writer = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: f.env)
        defer { writer.stop() }
        let reader = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: f.env)
        defer { reader.stop() }
        try #require(try await writer.control("POST", "/_emulator/snapshots", json: #"{"name":"base"}"#).status == 201)
        let key = HTTPHeader("Authorization", "Bearer linq-emulator-acme")
        @Sendable func blocked(_ emulator: LinqBinary.EmulatorProcess) async throws -> String {
            let answer = try await AsyncHTTPTransport.shared.send(
                HTTPRequestData(method: "GET", url: emulator.baseURL + "/v3/blocked_handles", headers: [key]),
                timeouts: .init())
            return String(decoding: answer.body, as: UTF8.self)
        }
        var stale = 0
        var number = 0
        for _ in 0..<60 {
            _ = try await writer.control("POST", "/_emulator/snapshots/base/restore")
            let done = Flag()
            let first = number
            number += 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { done.set() }
                    for n in first..<first + 8 {
                        let body = #"{"handle":"+1555\#(String(format: "%07d", n))"}"#
                        _ = try await AsyncHTTPTransport.shared.send(
                            HTTPRequestData(
                                method: "POST", url: writer.baseURL + "/v3/blocked_handles",
                                headers: [key, HTTPHeader("Content-Type", "application/json")],
                                body: Array(body.utf8)), timeouts: .init())
                    }
                }
                group.addTask {
                    while !done.isSet { _ = try await blocked(reader) }
                }
                try await group.waitForAll()
            }
            if try await blocked(writer) != blocked(reader) { stale += 1 }
        }
        #expect(stale == 0, "\(stale) of 60 rounds left the reading process without a write")
    }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
