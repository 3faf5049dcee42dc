import Foundation
import LinqCore
import LinqEmulator
import LinqJSON
import TestSupport
import Testing

/// The emulator over loopback HTTP: its control API (faults, clock, request count, reset),
/// `--state` persistence, and wire details. Raw requests go through the production transport
/// (not the client's catalog), so the emulator is checked on its own terms.
@Suite(.serialized) struct EmulatorServerTests {
    func send(
        _ server: EmulatorServer, _ method: String, _ target: String, body: String? = nil,
        key: String? = SeedData.acmeKey
    ) async throws -> HTTPResponseData {
        try await EmulatorAPI(server: server).send(method, target, body: body, key: key)
    }

    func json(_ response: HTTPResponseData) throws -> JSONValue { try JSONValue.parse(response.body) }

    @Test func servesUnderTheProductionPrefixAndAtTheRoot() async throws {
        let server = try await EmulatorServer.start(Emulator())
        for prefix in ["/api/partner", ""] {
            let response = try await send(server, "GET", prefix + "/v3/contact_card")
            #expect(response.status == 200)
            #expect(try json(response) == ["contact_cards": []])
        }
        await server.stop()
    }

    @Test func everyResponseHasATraceIDHeaderThatMatchesTheBody() async throws {
        let server = try await EmulatorServer.start(Emulator())
        for (method, target) in [
            ("GET", "/v3/contact_card"), ("GET", "/v3/missing"), ("PUT", "/v3/contact_card"), ("GET", "/_emulator"),
        ] {
            let response = try await send(server, method, target)
            let trace = try #require(response.headers.value(for: "X-Trace-ID"), "\(method) \(target)")
            #expect(trace.count == 32)
            if response.status >= 400 { #expect(try json(response)["trace_id"]?.stringValue == trace) }
        }
        await server.stop()
    }

    @Test func aLiteralPlusInTheQueryIsASpaceSoTheSDKsEncodingMatters() async throws {
        let server = try await EmulatorServer.start(Emulator())
        _ = try await send(
            server, "POST", "/v3/contact_card", body: #"{"first_name":"A","phone_number":"+15551230001"}"#)
        #expect(try await send(server, "GET", "/v3/contact_card?phone_number=%2B15551230001").status == 200)
        let literal = try await send(server, "GET", "/v3/contact_card?phone_number=+15551230001")
        #expect(literal.status == 400)
        #expect(try json(literal)["error"]?["code"] == 1002)
        await server.stop()
    }

    @Test func injectedFaultsApplyToTheNextMatchingRequestsOnly() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let created = try await send(
            server, "POST", "/_emulator/faults",
            body: #"{"code":3006,"count":2,"method":"GET","path":"/v3/contact_card"}"#)
        #expect(created.status == 201)
        #expect(
            try await send(server, "POST", "/v3/contact_card", body: "{}").status == 400, "other methods unaffected")
        for _ in 0..<2 {
            let failed = try await send(server, "GET", "/v3/contact_card")
            #expect(failed.status == 500)
            #expect(try json(failed)["error"]?["message"] == "Internal server error")
        }
        #expect(try await send(server, "GET", "/v3/contact_card").status == 200)
        #expect(try json(try await send(server, "GET", "/_emulator/faults")) == ["faults": []])
        await server.stop()
    }

    @Test func faultsWithRetryAfterDelayAndBadInput() async throws {
        let server = try await EmulatorServer.start(Emulator())
        _ = try await send(server, "POST", "/_emulator/faults", body: #"{"code":1007,"retry_after":42}"#)
        let limited = try await send(server, "GET", "/v3/contact_card")
        #expect(limited.status == 429)
        #expect(limited.headers.value(for: "Retry-After") == "42")
        #expect(try json(limited)["error"]?["retry_after"] == 42)
        _ = try await send(server, "POST", "/_emulator/faults", body: #"{"delay_ms":300}"#)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await send(server, "GET", "/v3/contact_card").status == 200)
        #expect(clock.now - start >= .milliseconds(300))
        #expect(try await send(server, "POST", "/_emulator/faults", body: #"{"code":9999}"#).status == 400)
        #expect(try await send(server, "POST", "/_emulator/faults", body: #"{"count":2}"#).status == 400)
        #expect(try await send(server, "POST", "/_emulator/faults", body: "nope").status == 400)
        await server.stop()
    }

    @Test func movingTheClockEndsTheTenMinuteWindow() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let card = #"{"first_name":"A","phone_number":"+15551230002"}"#
        let firstSentAt = Date()
        #expect(try await send(server, "POST", "/v3/contact_card", body: card).status == 200)
        #expect(
            try await send(server, "PATCH", "/v3/contact_card?phone_number=%2B15551230002", body: #"{"last_name":"B"}"#)
                .status == 200)
        #expect(try await send(server, "POST", "/v3/contact_card", body: card).status == 409)
        let limited = try await send(server, "POST", "/v3/contact_card", body: card)
        #expect(limited.status == 429)
        let wait = try #require(Int(limited.headers.value(for: "Retry-After") ?? ""))
        // The window counts down in real time: a loaded machine may take seconds between the calls.
        let elapsed = Int(Date().timeIntervalSince(firstSentAt).rounded(.up))
        #expect(wait >= 600 - elapsed - 1 && wait <= 600)
        let moved = try await send(server, "POST", "/_emulator/clock", body: #"{"advance_seconds":599}"#)
        #expect(try json(moved)["offset_seconds"] == .number("599.0"))
        #expect(try await send(server, "POST", "/v3/contact_card", body: card).status == 429)
        _ = try await send(server, "POST", "/_emulator/clock", body: #"{"advance_seconds":2}"#)
        #expect(
            try await send(server, "POST", "/v3/contact_card", body: card).status == 409,
            "the budget is back; the card is still active")
        await server.stop()
    }

    @Test func countsAPIRequestsButNotControlRequests() async throws {
        let server = try await EmulatorServer.start(Emulator())
        _ = try await send(server, "GET", "/v3/contact_card")
        _ = try await send(server, "GET", "/v3/contact_card", key: "wrong")
        let stats = try json(try await send(server, "GET", "/_emulator/requests"))
        #expect(stats["count"] == 2)
        #expect(stats["recent"]?[1]?["status"] == 401)
        #expect(try await send(server, "DELETE", "/_emulator/requests").status == 204)
        #expect(try json(try await send(server, "GET", "/_emulator/requests"))["count"] == 0)
        await server.stop()
    }

    @Test func resetRestoresTheSeed() async throws {
        let server = try await EmulatorServer.start(Emulator())
        _ = try await send(
            server, "POST", "/v3/contact_card", body: #"{"first_name":"A","phone_number":"+15551230001"}"#)
        #expect(try await send(server, "POST", "/_emulator/reset").status == 204)
        let info = try json(try await send(server, "GET", "/_emulator"))
        #expect(info["partners"]?[0]?["api_key"]?.stringValue == SeedData.acmeKey)
        #expect(info["partners"]?[0]?["lines"]?[0]?["chat_id"]?.stringValue == SeedData.chatID(1))
        #expect(try json(try await send(server, "GET", "/v3/contact_card")) == ["contact_cards": []])
        await server.stop()
    }

    @Test func stateSurvivesARestartAndIsWrittenWithMode0600() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let first = try await EmulatorServer.start(Emulator(stateFile: path))
        _ = try await send(
            first, "POST", "/v3/contact_card", body: #"{"first_name":"Zoë","phone_number":"+15551230001"}"#)
        _ = try await send(first, "POST", "/_emulator/clock", body: #"{"advance_seconds":30}"#)
        await first.stop()
        #expect(fileMode(path) == 0o600)
        let names = try sqliteQuery(path, "SELECT json_extract(body, '$.first_name') FROM contact_cards")
        #expect(names == [["Zoë"]], "\(names)")
        let restarted = try Emulator(stateFile: path)
        #expect(restarted.clock.currentOffset == 30)
        let second = try await EmulatorServer.start(restarted)
        let cards = try json(try await send(second, "GET", "/v3/contact_card"))
        #expect(cards["contact_cards"]?[0]?["first_name"] == "Zoë")
        #expect(
            try await send(
                second, "POST", "/v3/contact_card", body: #"{"first_name":"X","phone_number":"+15551230001"}"#
            ).status == 409)
        await second.stop()
        // No temporary files are left behind.
        #expect(readTextFile(path + ".tmp.\(getpid())") == nil)
    }

    @Test func aCorruptStateFileIsRefusedWithAClearError() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        writeTextFile(dir.file("bad.json"), "{not json")
        #expect {
            try Emulator(stateFile: dir.file("bad.json"))
        } throws: { error in
            "\(error)".contains("is not an emulator state (neither an SQLite database nor a JSON state file")
        }
    }

    @Test func aBusyPortIsReported() async throws {
        let server = try await EmulatorServer.start(Emulator())
        await #expect(throws: (any Error).self) {
            _ = try await EmulatorServer.start(Emulator(), port: server.port)
        }
        await server.stop()
    }
}

#if canImport(Glibc)
    import Glibc
#endif
