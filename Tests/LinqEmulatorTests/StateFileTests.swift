import Foundation
import LinqEmulator
import LinqJSON
import TestSupport
import Testing

/// The `--state` file: checked field by field when loaded, shared by several emulators (each with
/// its own lock descriptor, as separate processes have), saved before the answer, cleaned of
/// temporary files that a killed process left.
@Suite struct StateFileTests {
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

    @Test func aNewStateFileStartsWithTheSeedSoEveryProcessSharesOne() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        let first = try Emulator(stateFile: path)
        #expect(readTextFile(path)?.contains(SeedData.acmeKey) == true, "written at start")
        let second = try Emulator(stateFile: path)
        let created = { (emulator: Emulator) async in
            await emulator.handle(self.request("GET", "/v3/chats/\(SeedData.chatID(1))")).json?["created_at"]
        }
        #expect(await created(first) == created(second))
    }

    @Test func anAcknowledgedWriteIsOnDiskBeforeTheAnswer() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        let emulator = try Emulator(stateFile: path)
        let answer = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550001234"}"#))
        #expect(answer.status == 200)
        // Read the file as another process would, right after the answer.
        #expect(readTextFile(path)?.contains("+15550001234") == true)
        #expect(fileMode(path) == 0o600)
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

    @Test func aFailedSaveIsNotAcknowledgedAndIsRolledBack() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let folder = dir.file("sub")
        mkdir(folder, 0o700)
        let emulator = try Emulator(stateFile: folder + "/state.json")
        #expect(
            await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550000001"}"#)).status == 200)
        // The folder disappears: the next save cannot create its temporary file.
        _ = system("rm -rf '\(folder)'")
        let failed = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550000002"}"#))
        #expect(failed.status == 500)
        #expect(failed.json?["error"]?["code"] == 3006)
        #expect(failed.json?["error"]?["message"]?.stringValue?.contains("state.json") == true)
        let after = await blocked(emulator)
        #expect(after.contains("+15550000001"))
        #expect(!after.contains("+15550000002"), "the change was rolled back")
    }

    @Test func staleTemporaryFilesAreRemovedAtStartAndAPlantedSymlinkIsNotFollowed() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        // A pid that certainly ran and is gone: a child that has exited.
        let child = try ChildProcess("/bin/true", environment: [:])
        child.waitUntilExit()
        let dead = child.processIdentifier
        writeTextFile("\(path).tmp.\(dead).0123456789abcdef", "{\"half\":")
        writeTextFile("\(path).tmp.\(dead)", "older naming")
        let target = dir.file("victim.txt")
        writeTextFile(target, "untouched")
        symlink(target, "\(path).tmp.\(getpid())")
        writeTextFile(dir.file("unrelated.tmp.1"), "kept")
        _ = try Emulator(stateFile: path)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == ["state.json", "state.json.lock", "unrelated.tmp.1", "victim.txt"])
        #expect(readTextFile(target) == "untouched")
    }

    @Test func aSymlinkedStateFileIsNotFollowedOnRead() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        writeTextFile(dir.file("elsewhere.json"), "{}")
        symlink(dir.file("elsewhere.json"), dir.file("state.json"))
        #expect(throws: (any Error).self) { try Emulator(stateFile: dir.file("state.json")) }
    }
}
