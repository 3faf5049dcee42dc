import Foundation
import LinqCore
import LinqJSON
import TestSupport
import Testing

@testable import LinqEmulator

/// The control routes the shell's `emulator logs|deliveries|redeliver` read (issue 21, item 3):
/// paging the logs from the end (`last=`), following them (`after=`, `limit=`), and
/// `POST /_emulator/deliveries/N/redeliver`. The emulator's clock stands still (manual), so a
/// retry never falls due by itself: what waits is read from the dispatcher's queue.
@Suite(.serialized) struct TrafficControlTests {
    /// A live emulator on a manual clock, and a receiver subscribed for Globex (which has no
    /// seeded subscription, so its deliveries are the only ones).
    struct Setup {
        let emulator: Emulator
        let api: EmulatorAPI
        let receiver: WebhookReceiver
        let subscription: String
        let secret: String

        init(statuses: @escaping @Sendable (Int) -> Int = { _ in 200 }) async throws {
            emulator = try Emulator(clock: .manual())
            api = EmulatorAPI(server: try await EmulatorServer.start(emulator))
            receiver = try WebhookReceiver(statuses: statuses)
            let response = try await api.send(
                "POST", "/v3/webhook-subscriptions",
                body: #"{"target_url":"\#(receiver.url)","subscribed_events":["message.sent"]}"#,
                key: SeedData.globexKey)
            let body = try JSONValue.parse(response.body)
            subscription = try #require(body["id"]?.stringValue)
            secret = try #require(body["signing_secret"]?.stringValue)
        }

        /// Globex's sample `message.sent`, to the receiver only.
        func trigger() async throws {
            let response = try await api.send(
                "POST", "/_emulator/trigger", body: #"{"event":"message.sent","partner_id":"partner-globex"}"#)
            #expect(response.status == 202)
        }

        func fault(_ count: Int) async throws {
            let body = #"{"delivery":true,"status":503,"count":\#(count)}"#
            #expect(try await api.send("POST", "/_emulator/faults", body: body).status == 201)
        }

        func redeliver(_ id: String) async throws -> HTTPResponseData {
            try await api.send("POST", "/_emulator/deliveries/\(id)/redeliver")
        }

        var retryWaits: Bool { emulator.webhooks.queue.waiting.contains { $0.url == receiver.url } }
    }

    @Test func aFailedDeliveryIsRedeliveredSignedAfreshAndItsWaitingRetryDropped() async throws {
        let s = try await Setup()
        try await s.fault(1)
        try await s.trigger()
        let first = try #require(try await s.api.waitForAttempts(1, to: s.receiver.url).first)
        #expect(first["status"] == 503)
        #expect(first["outcome"] == "retrying")
        #expect(first["attempt"] == 1)
        #expect(first["redelivery"] == false)
        #expect(s.retryWaits)
        let delivery = try #require(first["delivery_id"]?.intValue)

        let answer = try await s.redeliver(String(delivery))
        #expect(answer.status == 202, "\(String(decoding: answer.body, as: UTF8.self))")
        let json = try JSONValue.parse(answer.body)
        #expect(json["delivery_id"]?.intValue == delivery)
        #expect(json["attempt"] == 2)
        #expect(json["url"]?.stringValue == s.receiver.url)
        #expect(json["event_id"] == first["event_id"])

        let received = try await s.receiver.waitFor(1)
        let request = try #require(received.first)
        try request.verify(secret: s.secret)
        #expect(request.header("webhook-id") == first["webhook_id"]?.stringValue)
        let attempts = try await s.api.waitForAttempts(2, to: s.receiver.url)
        let second = try #require(attempts.last)
        #expect(second["delivery_id"]?.intValue == delivery)
        #expect(second["attempt"] == 2)
        #expect(second["redelivery"] == true)
        #expect(second["outcome"] == "delivered")
        #expect(second["status"] == 200)
        #expect((second["id"]?.intValue ?? 0) > (first["id"]?.intValue ?? 0))
        #expect(!s.retryWaits, "the receiver has the event: the automatic retry is dropped")
    }

    @Test func aFailedRedeliveryIsNotRetriedAndLeavesTheRetryWaiting() async throws {
        let s = try await Setup()
        try await s.fault(2)
        try await s.trigger()
        let first = try #require(try await s.api.waitForAttempts(1, to: s.receiver.url).first)
        let delivery = try #require(first["delivery_id"]?.intValue)
        #expect(try await s.redeliver(String(delivery)).status == 202)
        let second = try #require(try await s.api.waitForAttempts(2, to: s.receiver.url).last)
        #expect(second["outcome"] == "failed")
        #expect(second["next_retry_at"] == .null)
        #expect(second["error_code"] == .null, "a failed redelivery gives nothing up")
        #expect(s.retryWaits)
        #expect(s.emulator.webhooks.queue.waiting.filter { $0.url == s.receiver.url }.count == 1)
    }

    @Test func unknownDeliveriesAndDeletedSubscriptionsAreNotFound() async throws {
        let s = try await Setup()
        for word in ["999", "abc", "-1"] {
            let answer = try await s.redeliver(word)
            #expect(answer.status == 404)
            let json = try JSONValue.parse(answer.body)
            #expect(json["error"]?["code"] == 2001)
            #expect(json["error"]?["message"]?.stringValue?.contains("no delivery \(word)") == true, "\(json)")
        }
        try await s.trigger()
        let delivery = try #require(try await s.api.waitForAttempts(1, to: s.receiver.url).first?["delivery_id"])
        let deleted = try await s.api.send(
            "DELETE", "/v3/webhook-subscriptions/\(s.subscription)", key: SeedData.globexKey)
        #expect(deleted.status < 300)
        let answer = try await s.redeliver("\(delivery.intValue ?? 0)")
        #expect(answer.status == 404)
        let message = try JSONValue.parse(answer.body)["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains(s.subscription) && message.contains("deleted"), "\(message)")
    }

    @Test func aRedeliveryGoesToTheSubscriptionsCurrentURL() async throws {
        let s = try await Setup()
        try await s.trigger()
        let delivery = try #require(try await s.api.waitForAttempts(1, to: s.receiver.url).first?["delivery_id"])
        let moved = try WebhookReceiver()
        let update = try await s.api.send(
            "PUT", "/v3/webhook-subscriptions/\(s.subscription)", body: #"{"target_url":"\#(moved.url)"}"#,
            key: SeedData.globexKey)
        #expect(update.status == 200, "\(String(decoding: update.body, as: UTF8.self))")
        #expect(try await s.redeliver("\(delivery.intValue ?? 0)").status == 202)
        let request = try #require(try await moved.waitFor(1).first)
        try request.verify(secret: s.secret)
    }

    @Test func deliveriesPageByAttemptIdFromEitherEnd() async throws {
        let s = try await Setup()
        for _ in 1...3 { try await s.trigger() }
        let all = try await s.api.waitForAttempts(3, to: s.receiver.url)
        let ids = all.compactMap { $0["id"]?.intValue }
        #expect(ids.count == 3 && ids == ids.sorted())
        func page(_ query: String) async throws -> JSONValue {
            try await s.api.json("GET", "/_emulator/deliveries?" + query)
        }
        #expect(
            try await page("after=\(ids[0])")["deliveries"]?.arrayValue?.compactMap { $0["id"]?.intValue }
                == Array(ids[1...]))
        #expect(try await page("after=\(ids[0])")["last_id"]?.intValue == ids[2])
        #expect(try await page("limit=1")["deliveries"]?.arrayValue?.first?["id"]?.intValue == ids[0])
        #expect(
            try await page("last=2")["deliveries"]?.arrayValue?.compactMap { $0["id"]?.intValue } == Array(ids[1...]))
        #expect(try await page("after=\(ids[2])")["last_id"]?.intValue == ids[2], "nothing newer: last_id stays")
        let one = try #require(all[1]["delivery_id"]?.intValue)
        #expect(try await page("delivery_id=\(one)")["deliveries"]?.arrayValue?.count == 1)
        let bad = try await s.api.send("GET", "/_emulator/deliveries?after=soon")
        #expect(bad.status == 400)
        let message = try JSONValue.parse(bad.body)["error"]?["message"]?.stringValue ?? ""
        #expect(message == "after must be a whole number (0 or more), not 'soon'")
    }

    @Test(arguments: [false, true])
    func logsListTheLastNOldestFirst(inDatabase: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: inDatabase ? dir.file("state.sqlite") : nil)
        for limit in 1...4 {
            _ = await emulator.handle(
                EmulatorRequest(
                    method: "GET", target: "/v3/chats?limit=\(limit)",
                    headers: [("Authorization", "Bearer \(SeedData.acmeKey)")]))
        }
        func logs(_ query: String) async -> EmulatorResponse {
            await emulator.handle(EmulatorRequest(method: "GET", target: "/_emulator/logs?" + query))
        }
        let last = await logs("last=2").json?["requests"]?.arrayValue ?? []
        #expect(last.compactMap { $0["path"]?.stringValue } == ["/v3/chats?limit=3", "/v3/chats?limit=4"])
        let first = await logs("limit=2").json?["requests"]?.arrayValue ?? []
        #expect(first.compactMap { $0["path"]?.stringValue } == ["/v3/chats?limit=1", "/v3/chats?limit=2"])
        let bad = await logs("limit=ten")
        #expect(bad.status == 400)
        #expect(bad.json?["error"]?["message"] == "limit must be a whole number (0 or more), not 'ten'")
    }

    /// A request's headers, as `/_emulator/logs/ID` shows them: `[[name, value], …]`.
    static func headers(_ entry: JSONValue?, _ key: String) -> [[String]] {
        (entry?[key]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
    }

    @Test(arguments: [false, true])
    func logsKeepHeadersWithTheKeyMasked(inDatabase: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: inDatabase ? dir.file("state.sqlite") : nil)
        _ = await emulator.handle(
            EmulatorRequest(
                method: "GET", target: "/v3/chats",
                headers: [("Authorization", "Bearer \(SeedData.acmeKey)"), ("X-Mine", "kept")]))
        let entry = await emulator.handle(EmulatorRequest(method: "GET", target: "/_emulator/logs/1")).json
        let sent = Self.headers(entry, "request_headers")
        #expect(sent.contains(["Authorization", "Bearer …" + SeedData.acmeKey.suffix(4)]), "\(sent)")
        #expect(sent.contains(["X-Mine", "kept"]), "\(sent)")
        #expect(!"\(entry ?? .null)".contains(SeedData.acmeKey), "the key is never logged")
        let answered = Self.headers(entry, "response_headers")
        #expect(
            answered.contains { $0.first == "X-Trace-ID" && $0.last == entry?["trace_id"]?.stringValue }, "\(answered)")
        let listed = await emulator.handle(EmulatorRequest(method: "GET", target: "/_emulator/logs"))
        #expect(listed.json?["requests"]?[0]?["request_headers"] == nil, "a list has no headers unless bodies=true")
    }

    @Test func credentialHeadersAreKnownInAnyCase() {
        for name in [
            "Authorization", "AUTHORIZATION", "proxy-Authorization", "Cookie", "Set-Cookie", "X-API-Key",
            "x-api-KEY", "X-Auth-Token", "-key",
        ] {
            #expect(RequestLog.isSecret(name), "\(name)")
        }
        for name in ["Authorizations", "Content-Type", "X-Keys", "Key", "token", "Cookies", "", "Authorizatio√"] {
            #expect(!RequestLog.isSecret(name), "\(name)")
        }
        let masked = RequestLog.redacted([("x-Api-Key", "sk_live_12345678"), ("Accept", "application/json")])
        #expect(masked.map(\.value) == ["…5678", "application/json"])
    }

    @Test func headersAreKeptAsTheJSONTheirValuesMake() throws {
        let headers: [(name: String, value: String)] = [
            ("Plain", "text/html"), ("Quote\"d", "a \\ b"), ("Ctl", "tab\there\u{01}\u{7F}\n\r\u{08}\u{0C}\u{1F}"),
            ("Ünï", "ça ✓"),
        ]
        #expect(RequestLog.jsonText(headers) == RequestLog.json(headers).formatted(.compact))
        #expect(RequestLog.jsonText([]) == "[]")
        let back = RequestLog.headers(RequestLog.jsonText(headers))
        #expect(back.map(\.name) == headers.map(\.name) && back.map(\.value) == headers.map(\.value))
    }

    @Test func aDatabaseFromBeforeTheLogsKeptHeadersGainsTheirColumns() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("old.sqlite")
        do {
            // The logs' tables as an earlier linq made them.
            let old = try SQLiteDatabase(path: RequestLog.path(forState: path))
            try old.execute(
                """
                CREATE TABLE requests(id INTEGER PRIMARY KEY, at REAL NOT NULL, client TEXT, method TEXT,
                    path TEXT, status INTEGER, code INTEGER, ms REAL, trace_id TEXT, request_body TEXT, response_body TEXT);
                CREATE TABLE deliveries(id INTEGER PRIMARY KEY, at REAL NOT NULL, subscription_id TEXT,
                    url TEXT, event_type TEXT, event_id TEXT, webhook_id TEXT, attempt INTEGER, status INTEGER, error TEXT,
                    outcome TEXT, ms REAL, next_retry_at REAL);
                """)
        }
        let emulator = try Emulator(stateFile: path)
        _ = await emulator.handle(
            EmulatorRequest(
                method: "GET", target: "/v3/chats", headers: [("Authorization", "Bearer \(SeedData.acmeKey)")]))
        let entry = await emulator.handle(EmulatorRequest(method: "GET", target: "/_emulator/logs/1")).json
        #expect(entry?["status"] == 200, "\(entry ?? .null)")
        #expect(
            Self.headers(entry, "request_headers").contains(["Authorization", "Bearer …" + SeedData.acmeKey.suffix(4)]))
    }
}
