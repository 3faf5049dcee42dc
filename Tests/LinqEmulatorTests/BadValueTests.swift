import LinqEmulator
import LinqJSON
import Testing

/// Values that used to trap the emulator are refused in the error envelope, and it keeps answering.
@Suite struct BadValueTests {
    func call(_ emulator: Emulator, _ method: String, _ target: String, _ body: String = "") async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(SeedData.acmeKey)")],
                body: Array(body.utf8)))
    }

    func code(_ response: EmulatorResponse) -> Int? { response.json?["error"]?["code"]?.intValue }

    static let clockMoves: [(body: String, code: Int)] = [
        (#"{"advance_seconds":1e20}"#, 1005), (#"{"advance_seconds":-1e20}"#, 1005),
        (#"{"advance_seconds":1e400}"#, 1005), (#"{"advance_seconds":3155760001}"#, 1005),
        (#"{"advance_seconds":"soon"}"#, 1003), (#"{"advance_seconds":null}"#, 1001), ("{}", 1001), ("[1]", 1001),
    ]

    @Test(arguments: clockMoves)
    func aClockMoveBeyondAHundredYearsIsRefused(body: String, code expected: Int) async throws {
        let emulator = try Emulator(clock: .manual())
        let answer = await call(emulator, "POST", "/_emulator/clock", body)
        #expect(answer.status == 400)
        #expect(code(answer) == expected)
        #expect(emulator.clock.currentOffset == 0, "nothing moved")
        #expect(await call(emulator, "GET", "/v3/chats").status == 200, "and it still answers")
    }

    @Test func theClockMayMoveUpToAHundredYearsEitherWay() async throws {
        let emulator = try Emulator(clock: .manual())
        let far = await call(emulator, "POST", "/_emulator/clock", #"{"advance_seconds":3155760000}"#)
        #expect(far.status == 200)
        #expect(far.json?["now"]?.stringValue?.count == 24, "a four-digit year")
        #expect(await call(emulator, "POST", "/_emulator/clock", #"{"advance_seconds":1}"#).status == 400)
        #expect(await call(emulator, "POST", "/_emulator/clock", #"{"advance_seconds":-6311520000}"#).status == 200)
        #expect(await call(emulator, "GET", "/v3/chats").status == 200)
    }

    static let faults: [(body: String, code: Int, mentions: String)] = [
        (#"{"status":-1}"#, 1005, "status"), (#"{"status":99999}"#, 1005, "status"), (#"{"status":200}"#, 1005, "400"),
        (#"{"status":"503"}"#, 1003, "status"), (#"{"code":2022,"status":0}"#, 1005, "status"),
        (#"{"delay_ms":300001}"#, 1005, "delay_ms"), (#"{"delay_ms":-5}"#, 1005, "delay_ms"),
        (#"{"code":1007,"retry_after":-1}"#, 1005, "retry_after"), (#"{"code":1007,"count":0}"#, 1005, "count"),
        (#"{"code":1007,"count":9223372036854775807}"#, 1005, "count"),
        (#"{"code":99999999999999999999}"#, 1003, "code"),
        (#"{"code":1007,"method":"PO ST"}"#, 1005, "method"), (#"{"code":1007,"path":"v3/chats"}"#, 1005, "path"),
        (#"{"drop":"yes"}"#, 1003, "drop"),
    ]

    @Test(arguments: faults)
    func aFaultOutOfRangeIsRefused(body: String, code expected: Int, mentions: String) async throws {
        let emulator = try Emulator(clock: .manual())
        let answer = await call(emulator, "POST", "/_emulator/faults", body)
        #expect(answer.status == 400)
        #expect(code(answer) == expected)
        #expect(answer.json?["error"]?["message"]?.stringValue?.contains(mentions) == true)
        let pending = await call(emulator, "GET", "/_emulator/faults")
        #expect(pending.json?["faults"] == [], "nothing was injected")
        #expect(await call(emulator, "GET", "/v3/chats").status == 200)
    }

    @Test func aFaultInRangeStillWorks() async throws {
        let emulator = try Emulator(clock: .manual())
        #expect(await call(emulator, "POST", "/_emulator/faults", #"{"status":599,"path":"/v3/chats"}"#).status == 201)
        #expect(await call(emulator, "GET", "/v3/chats").status == 599)
        #expect(await call(emulator, "GET", "/v3/chats").status == 200)
    }

    @Test func hugeQueryNumbersAreNotOverflows() async throws {
        let emulator = try Emulator(clock: .manual())
        let page = await call(emulator, "GET", "/v3/chats?cursor=9223372036854775807&limit=100")
        #expect(page.status == 200)
        #expect(page.json?["next_cursor"] == .null)
        #expect(code(await call(emulator, "GET", "/v3/chats?cursor=99999999999999999999")) == 1005)
        let payments = await call(emulator, "GET", "/v3/payment_requests?offset=9223372036854775807")
        #expect(payments.status == 200)
        let subscription = await call(
            emulator, "POST", "/v3/payment_requests",
            #"{"mode":"subscription","price_id":"price_123","quantity":9223372036854775807}"#)
        #expect(code(subscription) == 1005)
    }
}
