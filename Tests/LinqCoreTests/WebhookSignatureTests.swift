import LinqCore
import Testing

/// `WebhookSignature` against the Standard Webhooks reference vector (the same one the
/// `standardwebhooks` Python library signs to), and every way a delivery can be refused.
@Suite struct WebhookSignatureTests {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp = 1_614_265_330
    let body = Array(#"{"test": 2432232314}"#.utf8)
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    func headers(_ signature: String, id: String? = nil, timestamp: String? = nil) -> [String: String] {
        [
            "Webhook-Id": id ?? self.id, "webhook-timestamp": timestamp ?? String(self.timestamp),
            "webhook-signature": signature,
        ]
    }

    @Test func signsTheReferenceVector() throws {
        #expect(try WebhookSignature.sign(id: id, timestamp: timestamp, body: body, secret: secret) == expected)
    }

    @Test func acceptsAMatchingSignatureAmongSeveral() throws {
        let now = Double(timestamp) + 10
        try WebhookSignature.verify(body: body, headers: headers(expected), secret: secret, now: now)
        let several = "v1,AAAA v2,whatever " + expected
        try WebhookSignature.verify(body: body, headers: headers(several), secret: secret, now: now)
    }

    @Test func refusesAChangedBodyOrWrongSecret() {
        let now = Double(timestamp)
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try WebhookSignature.verify(body: body + [0x20], headers: headers(expected), secret: secret, now: now)
        }
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try WebhookSignature.verify(
                body: body, headers: headers(expected), secret: "whsec_c2VjcmV0LWtleS1vdGhlcg==", now: now)
        }
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try WebhookSignature.verify(
                body: body, headers: headers(expected, id: "msg_other"), secret: secret, now: now)
        }
        #expect(throws: WebhookVerificationError.badSecret) {
            try WebhookSignature.verify(body: body, headers: headers(expected), secret: "whsec_!!", now: now)
        }
    }

    @Test func refusesOldFutureAndMalformedTimestamps() {
        let t = Double(timestamp)
        #expect(throws: WebhookVerificationError.timestampTooOld(timestamp)) {
            try WebhookSignature.verify(body: body, headers: headers(expected), secret: secret, now: t + 301)
        }
        #expect(throws: WebhookVerificationError.timestampTooNew(timestamp)) {
            try WebhookSignature.verify(body: body, headers: headers(expected), secret: secret, now: t - 301)
        }
        #expect(throws: WebhookVerificationError.badTimestamp("soon")) {
            try WebhookSignature.verify(
                body: body, headers: headers(expected, timestamp: "soon"), secret: secret, now: t)
        }
        // Within a wider tolerance the old delivery passes.
        #expect(throws: Never.self) {
            try WebhookSignature.verify(
                body: body, headers: headers(expected), secret: secret, tolerance: 3600, now: t + 3000)
        }
    }

    @Test func refusesMissingHeaders() {
        var h = headers(expected)
        h["webhook-signature"] = nil
        #expect(throws: WebhookVerificationError.missingHeader("webhook-signature")) {
            try WebhookSignature.verify(body: body, headers: h, secret: secret, now: Double(timestamp))
        }
    }
}
