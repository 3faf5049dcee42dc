/// One documented Linq error code: its HTTP status, the API's exact message and a one-line hint
/// saying what to do next.
public struct ErrorCodeInfo: Sendable, Hashable {
    public var code: Int
    /// The HTTP status the API answers with; `nil` where no source states it.
    public var status: Int?
    /// The message exactly as the docs' error index lists it; for codes the docs do not list, a
    /// description of the meaning (see `documentedMessage`).
    public var message: String
    /// Whether `message` is the API's documented text (`false` for the SDK-only codes).
    public var documentedMessage: Bool
    /// Other exact messages seen for the same code (older docs, API-reference examples).
    public var alsoSeen: [String]
    /// What to do about it, in one line.
    public var hint: String

    /// The docs page for the code, e.g. `https://docs.linqapp.com/error/codes/2xxx/2014/`.
    public var docURL: String { "https://docs.linqapp.com/error/codes/\(code / 1000)xxx/\(code)/" }
}

/// All 58 Linq error codes of the reference (48 with documented messages, 10 known only from the SDK).
public enum ErrorCatalog {
    /// The entry for `code`, if it is known.
    public static func info(_ code: Int) -> ErrorCodeInfo? { byCode[code] }

    private static let byCode: [Int: ErrorCodeInfo] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    private static func e(
        _ code: Int, _ status: Int?, _ message: String, _ hint: String, alsoSeen: [String] = [], documented: Bool = true
    ) -> ErrorCodeInfo {
        ErrorCodeInfo(
            code: code, status: status, message: message, documentedMessage: documented, alsoSeen: alsoSeen, hint: hint)
    }

    /// Every code, in numeric order.
    public static let all: [ErrorCodeInfo] = [
        // 1xxx: the request itself is wrong; fix it, do not retry.
        e(1001, 400, "Missing required field", "Add the missing field; `help <command>` lists what is required."),
        e(
            1002, 400, "Phone number must be in E.164 format",
            "Write the number as + and country code and digits, no spaces or dashes: +15551234567."),
        e(
            1003, 400, "Invalid request body", "Send a JSON object with the documented field names and types.",
            alsoSeen: ["Request is valid but cannot be processed"]),
        e(
            1004, 400, "Invalid message content",
            "Check the parts: no empty text, no two text parts in a row, a link part must be alone."),
        e(
            1005, 400, "Invalid parameter value",
            "A value is outside its allowed set or format; the first message of a new chat may not contain a link."),
        e(1006, 409, "Cannot update direct message chats", "Only group chats can be renamed or given an icon."),
        e(1007, 429, "Rate limit exceeded", "Wait for the Retry-After seconds before sending again."),
        e(
            1008, 400, "Invalid iMessage app message",
            "An imessage_app part needs app.name and a 10-character uppercase app.team_id."),
        // 2xxx: authentication or a reference to something that does not exist / is not yours.
        e(
            2001, 404, "Chat not found", "Check the chat id (`chat list`); it must belong to your account.",
            alsoSeen: ["Resource not found"]),
        e(2002, 404, "Message not found", "The message id is unknown, deleted or expired."),
        e(2003, 404, "Attachment not found", "The attachment id is unknown or belongs to another account."),
        e(
            2004, 401, "Unauthorized",
            "Set a valid API key: `set key …` or LINQ_API_V3_API_KEY (run with no key to use the emulator).",
            alsoSeen: ["Unauthorized - missing or invalid authentication token"]),
        e(
            2005, 403, "Access denied", "The resource is not in your account; check the id and the API key in use.",
            alsoSeen: ["Access denied - insufficient permissions for this resource"]),
        e(
            2006, 403, "Phone number permission denied",
            "Use one of your own lines (`number list`) as the phone number or sender."),
        e(2007, 404, "Attachment not ready", "The upload is still processing; retry in a few seconds."),
        e(2008, 403, "Recipient not allowed", "Sandbox accounts may only message people who messaged them first."),
        e(2009, 409, "The chat is still being created", "Retry in a few seconds."),
        e(2010, 404, "Webhook subscription not found", "Check the subscription id (`webhook list`)."),
        e(2011, 403, "Feature not available", "This feature is not enabled for your account; contact Linq."),
        e(
            2012, 404, "Contact card not found",
            "No (active) card for that line: create one with `card create`, then check `card get`."),
        e(2013, 409, "This chat is unavailable", "Your line left this chat; start a new chat instead."),
        e(
            2014, 409, "A contact card already exists for this phone number",
            "The card is already set up: change it with `card update` (PATCH), not `card create`.",
            alsoSeen: ["Contact card already exists"]),
        e(2015, 409, "Operation conflicts with current state", "Fetch the resource again, then retry."),
        e(2016, 409, "Operation not supported in group chats", "Use a one-to-one chat for this operation."),
        e(
            2017, 409, "Operation not supported on this chat\u{2019}s service type",
            "This needs an iMessage chat; the chat runs over SMS or RCS."),
        e(
            2018, 409, "iMessage app messages can only be sent over iMessage",
            "Drop preferred_service SMS/RCS or send plain parts instead of an app card."),
        e(2019, 404, "Phone number not found", "Use the line's id (a UUID from `number list`), not its E.164 number."),
        e(2021, 404, "Payment request not found", "Use the id returned by `payment-request create`, not a Stripe id."),
        e(
            2022, 500, "Contact card setup failed",
            "Transient: send the same card create/update again in a few seconds."),
        e(
            2023, 409, "Mentions are only supported in group chats", "Remove the mention in a one-to-one chat.",
            documented: false),
        e(
            2024, 403, "Recipient has opted out", "They sent STOP; to message them once anyway add --override-optout.",
            documented: false),
        e(2026, 403, "Handle is blocked", "Unblock the handle first (`blocked remove`).", documented: false),
        e(
            2027, 403, "Sending line is temporarily ineligible",
            "New activity from this line is paused; reads still work. Use another line or wait.", documented: false),
        e(
            2028, 409, "App Clips can only be sent over iMessage", "Drop preferred_service SMS/RCS for app_clip parts.",
            documented: false),
        // 3xxx: the server failed; retry with backoff.
        e(3001, 500, "Server connection error", "Transient: retry after 1–5 seconds."),
        e(3002, 500, "Server operation failed", "Transient: retry after 1–5 seconds."),
        e(3003, 500, "Service connection error", "Transient: retry after 1–5 seconds."),
        e(3004, 500, "Service operation failed", "Transient: retry after 1–5 seconds."),
        e(3005, 504, "Network timeout", "Transient: retry after a short delay."),
        e(3006, 500, "Internal server error", "If it persists, contact Linq support with the trace id."),
        e(3007, 500, "Maximum delivery attempts exceeded", "The recipient is unreachable; check the handle."),
        // 4xxx: delivery.
        e(4001, 500, "Delivery failed", "Send the message again."),
        e(4002, 500, "Phone not available", "The sending line has a problem; check `number list`."),
        e(4003, 500, "Webhook delivery failed", "Your webhook endpoint was unreachable; check its URL and uptime."),
        e(
            4004, 503, "Service unavailable",
            "Upstream is busy: wait about 30 s before retrying; retrying early extends the limit."),
        e(4005, 422, "Recipient does not support this message type", "Send plain text or media to this recipient."),
        e(
            4006, nil, "Delivery failed (webhook code 4006)", "Appears only in message.failed / poll.failed events.",
            documented: false),
        e(
            4007, nil, "Delivery failed (webhook code 4007)", "Appears only in message.failed / poll.failed events.",
            documented: false),
        e(
            4008, nil, "Delivery failed (webhook code 4008)", "Appears only in message.failed / poll.failed events.",
            documented: false),
        e(
            4009, 503, "Sender line has no RCS account", "Treat RCS availability as unknown; try another line.",
            documented: false),
        e(
            4010, 503, "RCS capability check could not run", "Treat RCS availability as unknown; retry later.",
            documented: false),
        // 5xxx: attachments and files.
        e(5001, 500, "File upload failed", "Retry the upload or the send."),
        e(5002, 500, "File download failed", "The URL must be publicly reachable over HTTPS."),
        e(
            5003, 500, "Failed to generate file URL", "Transient: retry.",
            alsoSeen: ["Failed to generate file access URL"]),
        e(5004, 400, "Invalid file type", "Use a supported type (not WebP, SVG, FLAC, OGG or executables)."),
        e(5005, 400, "File too large", "Media by URL may be 10 MB; pre-uploaded attachments 100 MB."),
        e(5006, 400, "Content type mismatch", "The URL's extension must match the file's real content."),
        e(
            5007, 400, "Failed to download image from the provided URL",
            "The image URL must be publicly reachable and point at an image."),
    ]
}
