/// One way a response differs from its documented shape, for a person: where (`chats[0].service`)
/// and what (`"Carrier" is not one of iMessage, SMS, RCS`). Values in the message are escaped and
/// long ones shortened, so a deviation always prints on one line.
public struct ShapeDeviation: Sendable, Hashable, CustomStringConvertible {
    /// What kind of difference it is.
    public enum Kind: Sendable, Hashable {
        /// A required member is absent.
        case missing
        /// `null` where the shape does not allow it.
        case null
        /// A value of another JSON type (a string where a boolean belongs, 1.5 for an integer).
        case wrongType
        /// A string that is not one of the documented values.
        case notInEnum
        /// A string that is not an RFC 3339 date-time.
        case notDateTime
        /// A value that fits none of a union's shapes.
        case noUnionMember
    }

    /// Where, in the body: `chats[0].service`, `chat.handles[1]`, `["odd key"]`; empty for the body itself.
    public let path: String
    public let kind: Kind
    /// What is wrong, after the path: `is missing (required)`, `"Carrier" is not one of iMessage, SMS, RCS`.
    public let message: String

    public init(path: String, kind: Kind, message: String) {
        self.path = path
        self.kind = kind
        self.message = message
    }

    /// `chats[0].service "Carrier" is not one of iMessage, SMS, RCS` (the body itself is called `body`).
    public var description: String { (path.isEmpty ? "body" : path) + " " + message }
}
