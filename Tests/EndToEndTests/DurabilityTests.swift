import Foundation
import LinqJSON
import Synchronization
import TestSupport
import Testing

/// Nothing acknowledged is lost: `linq emulator --state` processes killed with SIGKILL in the
/// middle of concurrent writes, and many `linq` processes sharing one zero-config state file.
@Suite(.serialized, .ownThread) struct DurabilityTests {
    static let auth = [("Authorization", "Bearer linq-emulator-acme")]

    /// The handles blocked in the emulator at `port` (read through the API; blocking).
    static func blockedHandles(port: Int) throws -> Set<String> {
        let list = try RawConnection(port: port).request("GET", "/v3/blocked_handles", headers: auth)
        guard list.status == 200 else { throw RawConnection.Failure.malformed("status \(list.status)") }
        return Set((list.json?["blocked_handles"]?.arrayValue ?? []).compactMap { $0["handle"]?.stringValue })
    }

    /// What the trials saw: writes the emulator acknowledged, state-file reads that were not a
    /// whole valid document, and failed restarts.
    final class Tally: Sendable {
        let acknowledged = Mutex<[String]>([])
        let badReads = Mutex<[String]>([])
        let goodReads = Mutex(0)
    }

    @Test func sixteenWritersKilledTwentyTimesAtRandomMomentsLoseNoAcknowledgedWrite() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let state = dir.file("state.sqlite")
        let environment = LinqBinary.environment(home: dir.path)
        let tally = Tally()
        for trial in 0..<20 {
            // Every restart loads the state left by a SIGKILL (the banner only prints once it has).
            let emulator = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: environment)
            let port = RawConnection.port(of: emulator.baseURL)
            let present = try await onDedicatedThread { Result { try Self.blockedHandles(port: port) } }.get()
            let missing = Set(tally.acknowledged.withLock { $0 }).subtracting(present)
            #expect(missing.isEmpty, "trial \(trial): acknowledged writes lost: \(missing.sorted().prefix(5))")

            let stop = Mutex(false)
            // A random moment in the writers' progress (not in time: a loaded machine writes less).
            let killAfterWrites = tally.acknowledged.withLock { $0.count } + Int.random(in: 10...60)
            await onThreads(18) { index in
                switch index {
                case 16:
                    // A reader of the database itself (another program: Python's sqlite3): every
                    // read sees a whole, valid state.
                    while !stop.withLock({ $0 }) {
                        let rows = try? sqliteQuery(
                            state,
                            "SELECT (SELECT value FROM meta WHERE key = 'format'), (SELECT count(*) FROM partners)")
                        if rows == [["linq-emulator-state/2", "2"]] {
                            tally.goodReads.withLock { $0 += 1 }
                        } else {
                            tally.badReads.withLock { $0.append("\(String(describing: rows))") }
                        }
                    }
                case 17:
                    blockUntil(seconds: 60) { tally.acknowledged.withLock { $0.count } >= killAfterWrites }
                    kill(emulator.process.processIdentifier, SIGKILL)
                    emulator.process.waitUntilExit()
                    stop.withLock { $0 = true }
                default:
                    // A writer with its own keep-alive connection, until the emulator dies.
                    guard let connection = try? RawConnection(port: port, timeout: 10) else { return }
                    for sequence in 0..<10_000 {
                        let handle = String(format: "+1555%02d%02d%04d", trial, index, sequence)
                        let body = Array(#"{"handle":"\#(handle)"}"#.utf8)
                        guard
                            let answer = try? connection.request(
                                "POST", "/v3/blocked_handles", headers: Self.auth, body: body),
                            answer.status == 200
                        else { return }
                        tally.acknowledged.withLock { $0.append(handle) }
                    }
                }
            }
        }
        let final = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: environment)
        let port = RawConnection.port(of: final.baseURL)
        let present = try await onDedicatedThread { Result { try Self.blockedHandles(port: port) } }.get()
        final.stop()
        let acknowledged = tally.acknowledged.withLock { $0 }
        #expect(acknowledged.count >= 100, "the writers got going (\(acknowledged.count) writes)")
        #expect(Set(acknowledged).subtracting(present).isEmpty, "every acknowledged write survived")
        #expect(tally.badReads.withLock { $0 }.isEmpty, "no reader saw a partial state")
        #expect(tally.goodReads.withLock { $0 } > 0)
        // The restart removed what the killed processes were writing.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp.") }
        #expect(left.isEmpty, "temporary files left: \(left)")
        print(
            "durability: \(acknowledged.count) acknowledged writes over 20 SIGKILLs, all present; "
                + "\(tally.goodReads.withLock { $0 }) whole file reads")
    }

    @Test func twentyShellsAddingAtOnceToOneZeroConfigStateKeepAllTwenty() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let environment = LinqBinary.environment(home: home.path)
        let handles = (0..<20).map { String(format: "+1555000%04d", $0) }
        let statuses = Mutex([Int32](repeating: -1, count: 20))
        await onThreads(20) { i in
            let result = try? LinqBinary.run(
                ["-c", "blocked add \(handles[i])"], environment: environment, timeout: 60)
            statuses.withLock { $0[i] = result?.status ?? -2 }
        }
        #expect(statuses.withLock { $0 } == [Int32](repeating: 0, count: 20))
        let list = try LinqBinary.run(["-c", "blocked list", "--output", "json"], environment: environment)
        let listed = Set(
            (try JSONValue.parse(Array(list.stdout.utf8))["blocked_handles"]?.arrayValue ?? []).compactMap {
                $0["handle"]?.stringValue
            })
        #expect(listed.isSuperset(of: handles), "missing: \(Set(handles).subtracting(listed).sorted())")
    }

    @Test func aStoppedEmulatorHasLoggedItsLastRequests() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let state = dir.file("state.sqlite")
        let emulator = try LinqBinary.EmulatorProcess(
            extra: ["--state", state], environment: LinqBinary.environment(home: dir.path))
        let port = RawConnection.port(of: emulator.baseURL)
        // Stopped (SIGTERM) at once after its answer, long before the log's 100-ms batch is due.
        let status = try await onDedicatedThread { () -> Result<Int, any Error> in
            Result {
                let answer = try RawConnection(port: port).request("GET", "/v3/phone_numbers", headers: Self.auth)
                emulator.stop()
                return answer.status
            }
        }.get()
        #expect(status == 200)
        let rows = try sqliteQuery(state + ".logs", "SELECT method, path, status FROM requests")
        #expect(rows == [["GET", "/v3/phone_numbers", "200"]], "\(rows)")
    }

    @Test func twoEmulatorProcessesOnOneStateFileServeEachOthersWrites() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let environment = LinqBinary.environment(home: dir.path)
        let state = dir.file("state.json")
        let first = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: environment)
        let second = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: environment)
        defer {
            first.stop()
            second.stop()
        }
        let (a, b) = (RawConnection.port(of: first.baseURL), RawConnection.port(of: second.baseURL))
        let seen = try await onDedicatedThread { () -> Result<(Set<String>, Set<String>), any Error> in
            Result {
                let body = Array(#"{"handle":"+15550000001"}"#.utf8)
                _ = try RawConnection(port: a).request("POST", "/v3/blocked_handles", headers: Self.auth, body: body)
                let other = Array(#"{"handle":"+15550000002"}"#.utf8)
                _ = try RawConnection(port: b).request("POST", "/v3/blocked_handles", headers: Self.auth, body: other)
                return (try Self.blockedHandles(port: a), try Self.blockedHandles(port: b))
            }
        }.get()
        for handles in [seen.0, seen.1] {
            #expect(handles.isSuperset(of: ["+15550000001", "+15550000002"]))
        }
    }
}
