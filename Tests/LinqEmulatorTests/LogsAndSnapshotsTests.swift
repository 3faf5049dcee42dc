import Foundation
import LinqJSON
import TestSupport
import Testing

@testable import LinqEmulator

/// The request log (every request served, to any client) and stage snapshots, in memory and in
/// the state database (issue 19, items 2 and 3).
@Suite struct LogsAndSnapshotsTests {
    func request(_ method: String, _ target: String, _ body: String = "") -> EmulatorRequest {
        EmulatorRequest(
            method: method, target: target, headers: [("Authorization", "Bearer \(SeedData.acmeKey)")],
            body: Array(body.utf8))
    }

    func control(_ emulator: Emulator, _ method: String, _ target: String, _ body: String = "") async
        -> EmulatorResponse
    {
        await emulator.handle(EmulatorRequest(method: method, target: target, body: Array(body.utf8)))
    }

    func blocked(_ emulator: Emulator) async -> Set<String> {
        let list = await emulator.handle(request("GET", "/v3/blocked_handles"))
        return Set((list.json?["blocked_handles"]?.arrayValue ?? []).compactMap { $0["handle"]?.stringValue })
    }

    @Test(arguments: [false, true])
    func everyRequestIsLoggedWithItsOutcome(inDatabase: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: inDatabase ? dir.file("state.sqlite") : nil)
        _ = await emulator.handle(request("GET", "/v3/chats?limit=1"))
        _ = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550001111"}"#))
        _ = await emulator.handle(request("GET", "/v3/nowhere"))
        // Over HTTP the target carries the base path; the log keeps it relative to the base URL.
        _ = await emulator.handle(request("GET", "/api/partner/v3/phone_numbers"))
        _ = await control(emulator, "GET", "/_emulator/faults")
        let all = await control(emulator, "GET", "/_emulator/logs?bodies=true")
        let logged = all.json?["requests"]?.arrayValue ?? []
        #expect(
            logged.map { $0["path"]?.stringValue ?? "" } == [
                "/v3/chats?limit=1", "/v3/blocked_handles", "/v3/nowhere", "/v3/phone_numbers",
            ],
            "control requests are not logged: \(logged)")
        #expect(logged.map { $0["status"]?.intValue ?? 0 } == [200, 200, 404, 200])
        #expect(logged[2]["code"] == 2001)
        #expect(logged[1]["request_body"]?.stringValue?.contains("+15550001111") == true)
        let failed = await control(emulator, "GET", "/_emulator/logs?status=4xx")
        #expect(failed.json?["requests"]?.arrayValue?.count == 1)
        let posts = await control(emulator, "GET", "/_emulator/logs?method=post&path=/v3/blocked")
        #expect(posts.json?["requests"]?.arrayValue?.count == 1)
        let after = await control(emulator, "GET", "/_emulator/logs?after=\(logged[1]["id"]?.intValue ?? 0)")
        #expect(
            after.json?["requests"]?.arrayValue?.map { $0["path"]?.stringValue } == [
                "/v3/nowhere", "/v3/phone_numbers",
            ])
        let phones = await control(emulator, "GET", "/_emulator/logs?path=/v3/phone")
        #expect(phones.json?["requests"]?.arrayValue?.count == 1)
    }

    @Test func theDatabaseLogIsSharedAndReadableWithSQLite() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let first = try Emulator(stateFile: path)
        let second = try Emulator(stateFile: path)
        _ = await first.handle(request("GET", "/v3/chats"))
        _ = await second.handle(request("GET", "/v3/phone_numbers"))
        // Another process's entries are written in batches (within 100 ms).
        let both = await waitUntil {
            await self.control(first, "GET", "/_emulator/logs").json?["requests"]?.arrayValue?.count == 2
        }
        #expect(both, "both emulators' requests")
        let rows = try sqliteQuery(
            RequestLog.path(forState: path), "SELECT method, path, status FROM requests ORDER BY id")
        #expect(rows == [["GET", "/v3/chats", "200"], ["GET", "/v3/phone_numbers", "200"]], "\(rows)")
    }

    @Test(arguments: [false, true])
    func aSnapshotPutsTheStateBack(inDatabase: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: inDatabase ? dir.file("state.sqlite") : nil)
        _ = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550002222"}"#))
        let saved = await control(emulator, "POST", "/_emulator/snapshots", #"{"name":"stage"}"#)
        #expect(saved.status == 201)
        let before = await blocked(emulator)
        _ = await emulator.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550003333"}"#))
        _ = await emulator.handle(request("DELETE", "/v3/blocked_handles", #"{"handle":"+15550002222"}"#))
        #expect(await blocked(emulator) != before)
        #expect(await control(emulator, "POST", "/_emulator/snapshots/stage/restore").status == 200)
        #expect(await blocked(emulator) == before, "the API answers as before the change")
        let listed = await control(emulator, "GET", "/_emulator/snapshots")
        #expect(listed.json?["snapshots"]?.arrayValue?.map { $0["name"]?.stringValue } == ["stage"])
        #expect(await control(emulator, "POST", "/_emulator/snapshots/missing/restore").status == 404)
        #expect(await control(emulator, "POST", "/_emulator/snapshots", #"{"name":"../up"}"#).status == 400)
        #expect(await control(emulator, "DELETE", "/_emulator/snapshots/stage").status == 204)
        #expect(await control(emulator, "GET", "/_emulator/snapshots").json?["snapshots"]?.arrayValue?.isEmpty == true)
    }

    @Test func aRestoreIsSeenByEveryProcessOnTheState() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let first = try Emulator(stateFile: path)
        let second = try Emulator(stateFile: path)
        _ = await control(first, "POST", "/_emulator/snapshots", #"{"name":"clean"}"#)
        let clean = await blocked(second)
        _ = await second.handle(request("POST", "/v3/blocked_handles", #"{"handle":"+15550004444"}"#))
        #expect(await blocked(first).contains("+15550004444"))
        _ = await control(first, "POST", "/_emulator/snapshots/clean/restore")
        #expect(await blocked(second) == clean, "the other emulator reloads the restored state")
    }
}
