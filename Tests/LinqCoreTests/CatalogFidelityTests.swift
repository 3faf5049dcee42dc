import LinqCore
import LinqEmulator
import LinqJSON
import TestSupport
import Testing

/// The catalog agrees with the official SDK where a send needs content, where payment requests
/// take subscription fields, and where experience names are free-form; hints name real commands.
@Suite struct CatalogFidelityTests {
    static let sends = ["chat.create", "message.send", "message.create"]

    static let baseArguments: [String: [String: JSONValue]] = [
        "chat.create": ["to": ["+15557770021"], "from": "+15551230001"],
        "message.send": ["chatId": .string(SeedData.chatID(1))],
        "message.create": ["to": ["+15557770021"]],
    ]

    @Test(arguments: sends)
    func aSendWithoutContentIsRefusedBeforeAnythingIsSent(id: String) async throws {
        let (client, emulator) = try makeInProcessClient()
        let operation = APICatalog.operation(id: id)
        #expect(operation.needsMessageContent)
        let base = Self.baseArguments[id] ?? [:]
        for extra in [[:], ["effect": "confetti"], ["preferred_service": "SMS"]] as [[String: JSONValue]] {
            let error = await linqError { () async throws(LinqError) in
                try await client.perform(operation, arguments: base.merging(extra) { $1 })
            }
            #expect(error?.kind == .invalidRequest)
            #expect(error?.message.contains("--text") == true)
        }
        #expect(emulator.requestCount == 0, "nothing was sent")
        // Content by flag, or a whole message given as the body, is sent.
        _ = try await client.perform(operation, arguments: base.merging(["text": "Hello"]) { $1 })
        let whole: JSONObject = ["message": ["parts": [["type": "text", "value": "Hi"]]]]
        _ = try await client.perform(operation, arguments: base, body: whole)
        #expect(emulator.requestCount == 2)
        // Unvalidated (the shell's --no-validate), it is built, and the server answers.
        let unchecked = try client.prepare(operation, arguments: base, validate: false)
        #expect(unchecked.method == "POST")
    }

    @Test func onlyTheSendsNeedMessageContent() {
        let needing = APICatalog.operations.filter(\.needsMessageContent).map(\.id).sorted()
        #expect(needing == Self.sends.sorted())
    }

    @Test func theBlockedHintNamesACommandThatExists() throws {
        let hint = try #require(ErrorCatalog.info(2026)).hint
        #expect(hint.contains("`blocked remove`"))
        #expect(APICatalog.operation(resource: "blocked", verb: "remove") != nil)
    }

    @Test func everyCommandAHintNamesExists() {
        for info in ErrorCatalog.all {
            for quoted in info.hint.split(separator: "`").enumerated().filter({ $0.offset % 2 == 1 }).map(\.element) {
                let words = quoted.split(separator: " ").map(String.init)
                guard words.count >= 2, APICatalog.resource(named: words[0]) != nil else { continue }
                #expect(
                    APICatalog.operation(resource: words[0], verb: words[1]) != nil, "\(info.code): `\(quoted)`")
            }
        }
    }

    @Test func aPaymentRequestTakesSubscriptionDiscountAndTrial() async throws {
        let (client, _) = try makeInProcessClient()
        let operation = APICatalog.operation(id: "payment-request.create")
        for flag in ["discount", "trial-days", "trial-end"] {
            #expect(operation.parameter(forFlag: flag) != nil, "--\(flag)")
        }
        let days = try await client.perform(
            operation,
            arguments: [
                "mode": "subscription", "price_id": "price_123", "trial_period_days": 14,
                "discount": ["coupon": "SAVE10", "label": "Launch"],
            ])
        #expect(days.json?["trial_end"]?.stringValue != nil)
        #expect(days.json?["discount"]?["coupon"] == "SAVE10")
        #expect(days.json?["amount"] == 0, "a trial makes the first invoice free")
        let end = try await client.perform(
            operation,
            arguments: ["mode": "subscription", "price_id": "price_123", "trial_end": "2099-01-01T00:00:00Z"])
        #expect(end.json?["trial_end"] == "2099-01-01T00:00:00.000Z")
        let both = await linqError { () async throws(LinqError) in
            try await client.perform(
                operation,
                arguments: [
                    "mode": "subscription", "price_id": "price_123", "trial_period_days": 14,
                    "trial_end": "2099-01-01T00:00:00Z",
                ])
        }
        #expect(both?.code == 1005)
    }

    @Test func anExperienceNameIsFreeForm() async throws {
        let (client, _) = try makeInProcessClient()
        let operation = APICatalog.operation(id: "experience.get")
        #expect(operation.parameter(forFlag: "experience")?.type == .string)
        let unknown = await linqError { () async throws(LinqError) in
            try await client.perform(operation, arguments: ["experience": "agentpay-v2"])
        }
        #expect(unknown?.status == 404, "sent: the server decides which names exist")
        let known = try await client.perform(operation, arguments: ["experience": "link"])
        #expect(known.json?["experience"] == "link")
    }
}
