import Foundation
import LinqCore
import LinqEmulator
import LinqJSON
import Synchronization
import TestSupport
import Testing

/// A real receiver on 127.0.0.1 (raw sockets, `HostileServer`) that answers each delivery with the
/// status `statuses` gives for its number (1-based), and helpers to subscribe it through the real
/// API route and to drive the emulator's control API.
final class WebhookReceiver: Sendable {
    let server: HostileServer
    var url: String { "http://127.0.0.1:\(server.port)/hooks/linq" }
    var requests: [ReceivedRequest] { server.requests }

    /// `headers` gives extra response headers for the delivery's number (e.g. a routing token).
    init(
        statuses: @escaping @Sendable (Int) -> Int = { _ in 200 },
        headers: @escaping @Sendable (Int) -> [(String, String)] = { _ in [] }
    ) throws {
        let count = Mutex(0)
        server = try HostileServer { connection, _ in
            let n = count.withLock { c -> Int in
                c += 1
                return c
            }
            let status = statuses(n)
            let extra = headers(n).map { "\($0.0): \($0.1)\r\n" }.joined()
            _ = connection.write(
                "HTTP/1.1 \(status) X\r\n\(extra)Content-Length: 2\r\nConnection: close\r\n\r\nok")
        }
    }

    /// Waits (up to `seconds` of real time) until at least `count` deliveries arrived.
    func waitFor(_ count: Int, seconds: Double = 10) async throws -> [ReceivedRequest] {
        let deadline = Date().addingTimeInterval(seconds)
        while requests.count < count && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return requests
    }

    deinit { server.stop() }
}

/// Talks to a live emulator with the production transport.
struct EmulatorAPI {
    let server: EmulatorServer
    let transport = AsyncHTTPTransport.shared

    func send(_ method: String, _ target: String, body: String? = nil, key: String? = SeedData.acmeKey)
        async throws -> HTTPResponseData
    {
        var headers: [HTTPHeader] = []
        if let key { headers.append(HTTPHeader("Authorization", "Bearer \(key)")) }
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        let root = server.baseURL.replacingOccurrences(of: "/api/partner", with: "")
        return try await transport.send(
            HTTPRequestData(method: method, url: root + target, headers: headers, body: body.map { Array($0.utf8) }),
            timeouts: .init())
    }

    func json(_ method: String, _ target: String, body: String? = nil) async throws -> JSONValue {
        try JSONValue.parse(try await send(method, target, body: body).body)
    }

    /// Subscribes `url` to `events` through `POST /v3/webhook-subscriptions`; returns the secret.
    func subscribe(_ url: String, _ events: [String], extra: String = "") async throws -> (secret: String, id: String) {
        let list = events.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await send(
            "POST", "/v3/webhook-subscriptions",
            body: #"{"target_url":"\#(url)","subscribed_events":[\#(list)]\#(extra)}"#)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        let body = try JSONValue.parse(response.body)
        return (try #require(body["signing_secret"]?.stringValue), try #require(body["id"]?.stringValue))
    }

    /// The delivery attempts so far (`GET /_emulator/deliveries`), optionally only those to `url`
    /// (the seeded subscription to `hooks.acme.example` has attempts of its own).
    func deliveries(_ type: String? = nil, to url: String? = nil) async throws -> [JSONValue] {
        let query = type.map { "?event_type=\($0)" } ?? ""
        let all = try await json("GET", "/_emulator/deliveries" + query)["deliveries"]?.arrayValue ?? []
        return all.filter { url == nil || $0["url"]?.stringValue == url }
    }

    /// Waits until `GET /_emulator/deliveries` lists at least `count` attempts (to `url`).
    func waitForAttempts(_ count: Int, to url: String? = nil, seconds: Double = 10) async throws -> [JSONValue] {
        let deadline = Date().addingTimeInterval(seconds)
        var list = try await deliveries(to: url)
        while list.count < count && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            list = try await deliveries(to: url)
        }
        return list
    }

    func advanceClock(_ seconds: Int) async throws {
        let response = try await send("POST", "/_emulator/clock", body: #"{"advance_seconds":\#(seconds)}"#)
        #expect(response.status == 200)
    }
}

extension ReceivedRequest {
    /// Checks the Standard Webhooks signature with LinqCore's verifier (throws when it fails).
    func verify(secret: String) throws {
        try WebhookSignature.verify(body: body, headers: headers, secret: secret)
    }

    var json: JSONValue? { try? JSONValue.parse(body) }
}
