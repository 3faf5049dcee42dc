import LinqCore
import LinqJSON

/// One webhook delivery received by `webhook listen`: the raw request and what was made of it.
public struct ReceivedEvent: Sendable {
    /// Whether the signature was checked and held.
    public enum Verification: Sendable, Equatable {
        /// A `v1,` signature matched with the secret.
        case valid
        /// The signature did not hold: why (the delivery was answered 400).
        case invalid(String)
        /// No secret was known, nothing was checked.
        case unchecked
    }

    /// 1, 2, … in order of arrival.
    public var number: Int
    public var eventType: String
    public var eventID: String
    public var method: String
    public var path: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// The parsed envelope, or `nil` when the body is not JSON.
    public var json: JSONValue?
    public var verification: Verification
    /// The `--forward-to` endpoint's answer (`200`, or an error), once known.
    public var forwarded: String?
    /// A delivery whose `webhook-id` came before: answered 200, not kept again.
    public var replayed = false
    /// For a refused (forged) delivery: how many were refused since the last one shown.
    public var refusedCount = 0
    /// The timeline number of the delivery this one replays (`webhook replay`), from its
    /// `Linq-Replay-Of` header.
    public var replayOf: Int? {
        headers.value(for: ReceivedEvent.replayHeader).flatMap { Int($0.drop { $0 == "#" }) }
    }

    /// The header `webhook replay` marks its deliveries with (`#7`).
    public static let replayHeader = "Linq-Replay-Of"

    /// The envelope as a script sees it (`$event`, `$events[0]`): the JSON body, or the text.
    public var value: JSONValue { json ?? .string(String(decoding: body, as: UTF8.self)) }

    /// The id a person looks for: the data's own (a message's, a card's), else its message's or chat's.
    public var subjectID: String? {
        let data = json?["data"]
        return data?["id"]?.stringValue ?? data?["message"]?["id"]?.stringValue ?? data?["message_id"]?.stringValue
            ?? data?["chat_id"]?.stringValue ?? data?["chat"]?["id"]?.stringValue
    }
}
