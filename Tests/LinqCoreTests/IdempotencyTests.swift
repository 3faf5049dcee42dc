import LinqCore
import LinqJSON
import Testing

/// Generated idempotency keys: where each endpoint takes one, and that a caller's key is kept.
@Suite struct IdempotencyTests {
    let client = LinqClient(
        configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h/api/partner"),
        transport: NoTransport())

    struct NoTransport: LinqTransport {
        func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData {
            throw TransportError(.other)
        }
    }

    func prepare(_ id: String, _ arguments: [String: JSONValue]) throws -> HTTPRequestData {
        try client.prepare(APICatalog.operation(id: id), arguments: arguments)
    }

    func bodyKey(_ request: HTTPRequestData, _ object: String) -> String? {
        (try? JSONValue.parse(request.body ?? []))?[object]?["idempotency_key"]?.stringValue
    }

    static let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"

    @Test func everyDeduplicatingEndpointGetsAKeyWhereItTakesIt() throws {
        let send = try prepare("message.send", ["chatId": .string(Self.chat), "text": "hi"])
        #expect(bodyKey(send, "message")?.count == 36)
        let create = try prepare("message.create", ["to": ["+15559870001"], "text": "hi"])
        #expect(create.headers.value(for: "Idempotency-Key")?.count == 36)
        #expect(bodyKey(create, "message") == nil, "one key, in the header the SDK uses")
        let chat = try prepare(
            "chat.create", ["from": "+15551230001", "to": ["+15559870001"], "text": "hi"])
        #expect(bodyKey(chat, "message") != nil)
        let poll = try prepare("poll.create", ["chatId": .string(Self.chat), "options": ["A", "B"]])
        #expect(bodyKey(poll, "poll") != nil)
        for request in [send, create, chat, poll] { #expect(Idempotency.isSafeToResend(request)) }
    }

    @Test func otherWritesGetNone() throws {
        let leave = try prepare("chat.leave", ["chatId": .string(Self.chat)])
        #expect(leave.headers.value(for: "Idempotency-Key") == nil)
        #expect(!Idempotency.isSafeToResend(leave))
        let card = try prepare("contactCard.create", ["phone_number": "+15551230001", "first_name": "J"])
        #expect(card.headers.value(for: "Idempotency-Key") == nil)
        #expect(bodyKey(card, "message") == nil)
        #expect(WriteBudget.scope(of: card) == "+15551230001")
        let update = try prepare("contactCard.update", ["phone_number": "+15551230001", "first_name": "J"])
        #expect(WriteBudget.scope(of: update) == "+15551230001", "from the query, percent-decoded")
    }

    @Test func aCallersKeyIsKept() throws {
        let send = try prepare(
            "message.send", ["chatId": .string(Self.chat), "text": "hi", "idempotency_key": "mine-1"])
        #expect(bodyKey(send, "message") == "mine-1")
        let create = try prepare("message.create", ["to": ["+15559870001"], "text": "hi", "Idempotency-Key": "mine-2"])
        #expect(create.headers.filter { $0.name == "Idempotency-Key" }.map(\.value) == ["mine-2"])
        let bodyKeyed = try prepare(
            "message.create", ["to": ["+15559870001"], "text": "hi", "idempotency_key": "mine-3"])
        #expect(bodyKeyed.headers.value(for: "Idempotency-Key") == nil, "the body key already makes it safe")
    }

    @Test func keysAreFreshUUIDsAndCanBeTurnedOff() throws {
        let a = Idempotency.generateKey()
        let b = Idempotency.generateKey()
        #expect(a != b)
        #expect(a.count == 36 && Array(a)[14] == "4")
        var configuration = LinqConfiguration(apiKey: "k", baseURL: "http://h/api/partner")
        configuration.automaticIdempotencyKeys = false
        let plain = LinqClient(configuration: configuration, transport: NoTransport())
        let send = try plain.prepare(
            APICatalog.operation(id: "message.send"), arguments: ["chatId": .string(Self.chat), "text": "hi"])
        #expect(bodyKey(send, "message") == nil)
    }

    @Test func aHandBuiltRequestGetsItsKeyBeforeItIsShown() {
        let raw = RequestBuilder.request(
            method: "POST", path: "/v3/messages", body: ["to": ["+15559870001"], "message": ["parts": []]],
            configuration: client.configuration)
        #expect(Idempotency.key(of: raw) == nil)
        let keyed = client.withIdempotencyKey(raw)
        #expect(Idempotency.key(of: keyed) != nil)
        #expect(client.withIdempotencyKey(keyed) == keyed, "applying twice changes nothing")
    }

    @Test func timeoutsHaveDocumentedDefaultsAndOneNumberSetsThemAll() {
        let standard = LinqConfiguration.Timeouts.standard
        #expect(standard.total == .seconds(60) && standard.connect == .seconds(5) && standard.idle == .seconds(30))
        let two = LinqConfiguration.Timeouts.seconds(2)
        #expect(two.total == .seconds(2) && two.connect == .seconds(2) && two.idle == .seconds(2))
        let long = LinqConfiguration.Timeouts.seconds(300)
        #expect(long.total == .seconds(300) && long.connect == .seconds(5) && long.idle == .seconds(30))
    }
}
