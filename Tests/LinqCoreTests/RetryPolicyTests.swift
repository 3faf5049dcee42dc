import LinqCore
import LinqEmulator
import TestSupport
import Testing

/// The policy's decisions, case by case, and the client applying them against the emulator.
@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(jitter: false)

    func decide(
        _ status: Int, code: Int? = nil, retryAfter: Double? = nil, header: Bool? = nil, retries: Int = 0,
        safety: RetryPolicy.RetrySafety = .init(idempotentMethod: true)
    ) -> RetryPolicy.Decision {
        policy.decide(
            .response(status: status, code: code, retryAfter: retryAfter, shouldRetryHeader: header),
            retriesSoFar: retries, safety: safety)
    }

    static let post = RetryPolicy.RetrySafety(idempotentMethod: false)
    static let keyedPost = RetryPolicy.RetrySafety(idempotentMethod: false, idempotencyKey: true)
    static let cardWrite = RetryPolicy.RetrySafety(idempotentMethod: false, budgeted: true)

    @Test func aPostWithoutAKeyIsReSentOnlyWhenTheServerSaidItDidNotProcessIt() {
        #expect(decide(500, safety: Self.post) == .stop)
        #expect(decide(502, safety: Self.post) == .stop)
        #expect(decide(500, code: 3001, safety: Self.post) == .stop)
        #expect(decide(429, code: 1007, safety: Self.post) == .retry(after: .milliseconds(500)))
        #expect(decide(408, safety: Self.post) == .retry(after: .milliseconds(500)))
        #expect(decide(500, header: true, safety: Self.post) == .retry(after: .milliseconds(500)))
        #expect(decide(500, safety: Self.keyedPost) == .retry(after: .milliseconds(500)))
        #expect(decide(500, code: 3001, safety: Self.keyedPost) == .retry(after: .milliseconds(500)))
        let (_, reason) = policy.evaluate(
            .response(status: 502, code: nil, retryAfter: nil, shouldRetryHeader: nil), retriesSoFar: 0,
            safety: Self.post)
        #expect(reason == .mayHaveBeenProcessed)
    }

    @Test func contactCardWritesAreNeverReSentOnceTheyMayHaveReachedTheServer() {
        for (status, code) in [(500, 2022 as Int?), (500, nil), (502, nil), (429, 1007), (500, 3001)] {
            #expect(
                decide(status, code: code, safety: Self.cardWrite) == .stop, "\(status) \(String(describing: code))")
        }
        #expect(decide(500, header: true, safety: Self.cardWrite) == .stop)
        let (_, reason) = policy.evaluate(
            .response(status: 500, code: 2022, retryAfter: nil, shouldRetryHeader: nil), retriesSoFar: 0,
            safety: Self.cardWrite)
        #expect(reason == .budgeted)
        // A write that provably never reached the server spent nothing: it may be sent again.
        #expect(
            policy.decide(.transport(.connectionRefused), retriesSoFar: 0, safety: Self.cardWrite)
                == .retry(after: .milliseconds(500)))
        #expect(policy.decide(.transport(.connectionReset), retriesSoFar: 0, safety: Self.cardWrite) == .stop)
        #expect(policy.decide(.transport(.timeout), retriesSoFar: 0, safety: Self.cardWrite) == .stop)
    }

    @Test func zeroRetriesDisablesRetrying() {
        let none = RetryPolicy(maxRetries: 0)
        #expect(none.decide(.transport(.connectionRefused), retriesSoFar: 0, idempotent: true) == .stop)
        #expect(
            none.decide(
                .response(status: 503, code: nil, retryAfter: 1, shouldRetryHeader: nil), retriesSoFar: 0,
                idempotent: true) == .stop)
        #expect(RetryPolicy(maxRetries: -3).maxRetries == 0)
    }

    @Test(arguments: [
        (408, nil as Int?), (502, nil), (504, nil), (500, nil), (503, nil), (500, 3001), (500, 3006), (504, 3005),
        (500, 2022),
    ])
    func retries(status: Int, code: Int?) {
        #expect(decide(status, code: code) == .retry(after: .milliseconds(500)))
    }

    @Test(arguments: [
        (409, 2014 as Int?), (503, 4004), (400, 1002), (401, 2004), (403, 2006), (404, 2012), (409, 2015), (500, 4001),
        (500, 5001), (422, 4005), (200, nil), (204, nil),
    ])
    func doesNotRetry(status: Int, code: Int?) {
        #expect(decide(status, code: code) == .stop)
    }

    @Test func honoursAShortRetryAfterAndGivesUpOnALongOne() {
        #expect(decide(429, code: 1007, retryAfter: 3) == .retry(after: .seconds(3)))
        #expect(decide(429, code: 1007, retryAfter: 60) == .retry(after: .seconds(60)))
        #expect(decide(429, code: 1007, retryAfter: 61) == .stop)
        #expect(decide(429, code: 1007, retryAfter: 600) == .stop)
        #expect(decide(429, code: 1007) == .retry(after: .milliseconds(500)))
        #expect(decide(500, retryAfter: 2) == .retry(after: .seconds(2)))
    }

    @Test func neverResendsAConflictOrUpstreamLimitEvenIfTheServerSaysSo() {
        #expect(decide(409, code: 2014, header: true) == .stop)
        #expect(decide(503, code: 4004, header: true) == .stop)
        #expect(decide(500, header: false) == .stop)
        #expect(decide(400, code: 1002, header: true) == .retry(after: .milliseconds(500)))
    }

    @Test func backoffDoublesUpToEightSecondsWithJitterInRange() {
        #expect(policy.backoff(retriesSoFar: 0) == .milliseconds(500))
        #expect(policy.backoff(retriesSoFar: 1) == .seconds(1))
        #expect(policy.backoff(retriesSoFar: 4) == .seconds(8))
        #expect(policy.backoff(retriesSoFar: 10) == .seconds(8))
        let jittered = RetryPolicy(jitter: true)
        for _ in 0..<50 {
            let d = jittered.backoff(retriesSoFar: 1)
            #expect(d >= .milliseconds(750) && d <= .seconds(1))
        }
    }

    @Test func stopsAfterTwoRetries() {
        #expect(decide(502, retries: 1) != .stop)
        #expect(decide(502, retries: 2) == .stop)
    }

    @Test func transportFailures() {
        func d(_ kind: TransportError.Kind, idempotent: Bool) -> RetryPolicy.Decision {
            policy.decide(.transport(kind), retriesSoFar: 0, idempotent: idempotent)
        }
        #expect(d(.connectionRefused, idempotent: false) != .stop)
        #expect(
            d(.connectionReset, idempotent: false) == .stop, "a POST whose connection broke may have been processed")
        #expect(d(.connectionReset, idempotent: true) != .stop)
        #expect(d(.connectTimeout, idempotent: false) != .stop, "never sent")
        #expect(d(.timeout, idempotent: true) != .stop)
        #expect(d(.idleTimeout, idempotent: true) != .stop)
        #expect(d(.timeout, idempotent: false) == .stop, "a POST that timed out may have been processed")
        #expect(d(.idleTimeout, idempotent: false) == .stop)
        for kind: TransportError.Kind in [
            .tls, .malformedResponse, .responseTooLarge, .invalidURL, .hostNotFound, .other,
        ] {
            #expect(d(kind, idempotent: true) == .stop, "\(kind) cannot change on a second try")
        }
        // A TLS failure before sending is safe to re-send, but pointless.
        #expect(policy.decide(.transport(.tls, requestNeverSent: true), retriesSoFar: 0, idempotent: false) == .stop)
    }

    @Test func clientRetriesTransientServerErrorsThenSucceeds() async throws {
        let (client, emulator) = try makeInProcessClient()
        emulator.inject(Fault(path: "/v3/contact_card", code: 3001, count: 2))
        let response = try await client.request(method: "GET", path: "/v3/contact_card")
        #expect(response.status == 200)
        #expect(response.attempts == 3)
        #expect(emulator.requestCount == 3)
    }

    @Test func clientGivesUpAfterThreeAttempts() async throws {
        let (client, emulator) = try makeInProcessClient()
        emulator.inject(Fault(path: "/v3/contact_card", status: 502, count: 5))
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/contact_card")
        }
        #expect(error?.kind == .http)
        #expect(error?.status == 502)
        #expect(error?.attempts == 3)
        #expect(emulator.requestCount == 3)
    }

    @Test func clientRetriesADroppedConnection() async throws {
        let (client, emulator) = try makeInProcessClient()
        emulator.inject(Fault(path: "/v3/contact_card", drop: true, count: 1))
        let response = try await client.request(method: "GET", path: "/v3/contact_card")
        #expect(response.attempts == 2)
    }

    @Test func clientHonoursAShortRetryAfterOn429() async throws {
        let (client, emulator) = try makeInProcessClient()
        emulator.inject(Fault(path: "/v3/contact_card", code: 1007, retryAfter: 1, count: 1))
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.request(method: "GET", path: "/v3/contact_card")
        #expect(response.attempts == 2)
        #expect(clock.now - start >= .seconds(1), "waited for Retry-After")
    }
}

@Suite struct ErrorCatalogTests {
    @Test func holdsAll58CodesWithHints() {
        #expect(ErrorCatalog.all.count == 58)
        #expect(Set(ErrorCatalog.all.map(\.code)).count == 58)
        #expect(ErrorCatalog.all.filter(\.documentedMessage).count == 48)
        for info in ErrorCatalog.all {
            #expect(!info.hint.isEmpty, "code \(info.code) has a hint")
        }
        #expect(ErrorCatalog.info(2020) == nil)
        #expect(ErrorCatalog.info(2025) == nil)
    }

    @Test(arguments: [
        (1002, 400, "Phone number must be in E.164 format"), (1007, 429, "Rate limit exceeded"),
        (2012, 404, "Contact card not found"), (2014, 409, "A contact card already exists for this phone number"),
        (2017, 409, "Operation not supported on this chat\u{2019}s service type"),
        (2022, 500, "Contact card setup failed"),
        (3005, 504, "Network timeout"), (4004, 503, "Service unavailable"),
        (4005, 422, "Recipient does not support this message type"),
        (5007, 400, "Failed to download image from the provided URL"),
    ])
    func exactMessagesAndStatuses(code: Int, status: Int, message: String) throws {
        let info = try #require(ErrorCatalog.info(code))
        #expect(info.status == status)
        #expect(info.message == message)
        #expect(info.docURL == "https://docs.linqapp.com/error/codes/\(code / 1000)xxx/\(code)/")
    }

    /// The client's catalog and the emulator's table were written apart; they must agree.
    @Test func agreesWithTheEmulatorOnStatuses() async throws {
        let (client, emulator) = try makeInProcessClient(retry: .none)
        for info in ErrorCatalog.all where info.status != nil {
            emulator.inject(Fault(path: "/v3/contact_card", code: info.code))
            let error = await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/contact_card")
            }
            #expect(error?.status == info.status, "code \(info.code)")
            #expect(error?.code == info.code)
            if info.documentedMessage && ![2004, 2005].contains(info.code) {
                #expect(error?.message == info.message, "code \(info.code)")
            }
        }
    }
}
