import LinqHash

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signing and verifying webhook deliveries the way Linq signs them (Standard Webhooks, reference
/// §E.2): `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` entries over
/// `"{webhook-id}.{webhook-timestamp}.{raw body}"`, keyed by the base64-decoded part of the
/// `whsec_…` secret; a delivery whose timestamp is more than `tolerance` seconds away from now is
/// refused (replay protection). Same answers as the official SDK's `client.webhooks.unwrap`.
public enum WebhookSignature {
    /// How far `webhook-timestamp` may be from now, either way (the Standard Webhooks default).
    public static let defaultTolerance: Double = 300

    /// The `v1,<base64>` signature of one delivery.
    public static func sign(id: String, timestamp: Int, body: [UInt8], secret: String) throws(WebhookVerificationError)
        -> String
    {
        let key = try self.key(secret)
        var content = Array("\(id).\(timestamp).".utf8)
        content += body
        return "v1," + Base64.encode(HMACSHA256.authenticationCode(for: content, key: key))
    }

    /// Checks a delivery: returns normally when one `v1,` signature matches and the timestamp is
    /// within `tolerance` of `now` (seconds since 1970; the system clock when `nil`), else throws
    /// what was wrong. Header names are matched case-insensitively.
    public static func verify(
        body: [UInt8], headers: [(name: String, value: String)], secret: String,
        tolerance: Double = defaultTolerance, now: Double? = nil
    ) throws(WebhookVerificationError) {
        func header(_ name: String) throws(WebhookVerificationError) -> String {
            guard let value = headers.first(where: { $0.name.lowercased() == name })?.value else {
                throw .missingHeader(name)
            }
            return value
        }
        let id = try header("webhook-id")
        let stamp = try header("webhook-timestamp")
        let signatures = try header("webhook-signature")
        guard let timestamp = Int(stamp.trimmingCharacters(in: " ")) else { throw .badTimestamp(stamp) }
        let current = now ?? currentTime()
        if Double(timestamp) < current - tolerance { throw .timestampTooOld(timestamp) }
        if Double(timestamp) > current + tolerance { throw .timestampTooNew(timestamp) }
        let expected = try sign(id: id, timestamp: timestamp, body: body, secret: secret)
        let expectedBytes = Array(expected.utf8.dropFirst(3))
        for entry in signatures.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { continue }
            if HMACSHA256.constantTimeEquals(Array(parts[1].utf8), expectedBytes) { return }
        }
        throw .noMatchingSignature
    }

    /// `verify` with headers as a dictionary.
    public static func verify(
        body: [UInt8], headers: [String: String], secret: String, tolerance: Double = defaultTolerance,
        now: Double? = nil
    ) throws(WebhookVerificationError) {
        try verify(
            body: body, headers: headers.map { (name: $0.key, value: $0.value) }, secret: secret,
            tolerance: tolerance, now: now)
    }

    /// The HMAC key of a secret: base64-decoded after an optional `whsec_` prefix.
    static func key(_ secret: String) throws(WebhookVerificationError) -> [UInt8] {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst("whsec_".count)) : secret
        guard let key = Base64.decode(encoded), !key.isEmpty else { throw .badSecret }
        return key
    }

    static func currentTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
