/// Why a webhook delivery was refused by `WebhookSignature.verify`.
public struct WebhookVerificationError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case missingHeader(String)
        case badTimestamp(String)
        case timestampTooOld(Int)
        case timestampTooNew(Int)
        case badSecret
        case noMatchingSignature
    }
    private let kind: Kind

    /// A required header (`webhook-id`, `webhook-timestamp`, `webhook-signature`) is absent.
    public static func missingHeader(_ name: String) -> Self { Self(kind: .missingHeader(name)) }
    /// `webhook-timestamp` is not whole Unix seconds.
    public static func badTimestamp(_ text: String) -> Self { Self(kind: .badTimestamp(text)) }
    /// The timestamp is older than the tolerance allows (a replay, or a very late retry).
    public static func timestampTooOld(_ seconds: Int) -> Self { Self(kind: .timestampTooOld(seconds)) }
    /// The timestamp is further in the future than the tolerance allows.
    public static func timestampTooNew(_ seconds: Int) -> Self { Self(kind: .timestampTooNew(seconds)) }
    /// The secret is not `whsec_` + base64.
    public static let badSecret = Self(kind: .badSecret)
    /// No `v1,` entry of `webhook-signature` matches the body (wrong secret or altered body).
    public static let noMatchingSignature = Self(kind: .noMatchingSignature)

    public var description: String {
        switch kind {
        case .missingHeader(let name): "the \(name) header is missing"
        case .badTimestamp(let text): "webhook-timestamp is not Unix seconds: \(text)"
        case .timestampTooOld(let t): "webhook-timestamp \(t) is more than the tolerance in the past (a replay?)"
        case .timestampTooNew(let t): "webhook-timestamp \(t) is more than the tolerance in the future"
        case .badSecret: "the signing secret is not whsec_ followed by base64"
        case .noMatchingSignature: "no signature matches: wrong secret, or the body was changed"
        }
    }
}
