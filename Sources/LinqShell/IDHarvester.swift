import LinqCore
import LinqJSON

/// Finds ids and phone numbers in responses so that completion can offer them later.
enum IDHarvester {
    /// Keys whose string value is an id of a kind.
    static let idKeys: [String: IdentifierKind] = [
        "chat_id": .chat, "message_id": .message, "attachment_id": .attachment, "reaction_id": .reaction,
        "audit_id": .audit, "subscription_id": .subscription, "payment_request_id": .paymentRequest,
        "payment_id": .payment, "previous_chat_id": .chat, "option_id": .pollOption,
    ]
    /// Keys whose object (or array of objects) has an `id` of a kind.
    static let containerKeys: [String: IdentifierKind] = [
        "chat": .chat, "chats": .chat, "message": .message, "messages": .message, "subscriptions": .subscription,
        "attachment": .attachment, "phone_numbers": .phoneNumberID, "voice_memo": .message,
    ]

    static func harvest(
        _ value: JSONValue, into session: inout Session, depth: Int = 0, container: IdentifierKind? = nil
    ) {
        guard depth < 6 else { return }
        switch value {
        case .object(let object):
            if let container, let id = object["id"]?.stringValue { session.remember(id, as: container) }
            for member in object {
                if let kind = idKeys[member.key], let id = member.value.stringValue { session.remember(id, as: kind) }
                if member.key == "phone_number" || member.key == "from", let number = member.value.stringValue,
                    PhoneNumber.isE164(number), depth <= 2
                {
                    session.rememberNumber(number)
                }
                if case .object = member.value {
                    harvest(member.value, into: &session, depth: depth + 1, container: containerKeys[member.key])
                } else if case .array = member.value {
                    harvest(member.value, into: &session, depth: depth + 1, container: containerKeys[member.key])
                }
            }
        case .array(let items):
            for item in items.prefix(200) { harvest(item, into: &session, depth: depth + 1, container: container) }
        default:
            break
        }
    }
}
