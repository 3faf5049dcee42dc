import LinqJSON

/// The emulator's own table of Linq error codes (kept apart from the client's catalog on purpose:
/// the emulator is the oracle the client is tested against). Messages are the docs' exact text;
/// for codes the docs do not list, a plain description.
enum EmulatorErrors {
    static let table: [Int: (status: Int, message: String)] = [
        1001: (400, "Missing required field"),
        1002: (400, "Phone number must be in E.164 format"),
        1003: (400, "Invalid request body"),
        1004: (400, "Invalid message content"),
        1005: (400, "Invalid parameter value"),
        1006: (409, "Cannot update direct message chats"),
        1007: (429, "Rate limit exceeded"),
        1008: (400, "Invalid iMessage app message"),
        2001: (404, "Chat not found"),
        2002: (404, "Message not found"),
        2003: (404, "Attachment not found"),
        // The contact-card page the project started from shows the longer texts for 2004 and 2005.
        2004: (401, "Unauthorized - missing or invalid authentication token"),
        2005: (403, "Access denied - insufficient permissions for this resource"),
        2006: (403, "Phone number permission denied"),
        2007: (404, "Attachment not ready"),
        2008: (403, "Recipient not allowed"),
        2009: (409, "The chat is still being created"),
        2010: (404, "Webhook subscription not found"),
        2011: (403, "Feature not available"),
        2012: (404, "Contact card not found"),
        2013: (409, "This chat is unavailable"),
        2014: (409, "A contact card already exists for this phone number"),
        2015: (409, "Operation conflicts with current state"),
        2016: (409, "Operation not supported in group chats"),
        2017: (409, "Operation not supported on this chat\u{2019}s service type"),
        2018: (409, "iMessage app messages can only be sent over iMessage"),
        2019: (404, "Phone number not found"),
        2021: (404, "Payment request not found"),
        2022: (500, "Contact card setup failed"),
        2023: (409, "Mentions are only supported in group chats"),
        2024: (403, "Recipient has opted out"),
        2026: (403, "Handle is blocked"),
        2027: (403, "Sending line is temporarily ineligible"),
        2028: (409, "App Clips can only be sent over iMessage"),
        3001: (500, "Server connection error"),
        3002: (500, "Server operation failed"),
        3003: (500, "Service connection error"),
        3004: (500, "Service operation failed"),
        3005: (504, "Network timeout"),
        3006: (500, "Internal server error"),
        3007: (500, "Maximum delivery attempts exceeded"),
        4001: (500, "Delivery failed"),
        4002: (500, "Phone not available"),
        4003: (500, "Webhook delivery failed"),
        4004: (503, "Service unavailable"),
        4005: (422, "Recipient does not support this message type"),
        4006: (500, "Delivery failed"),
        4007: (500, "Delivery failed"),
        4008: (500, "Delivery failed"),
        4009: (503, "Sender line has no RCS account"),
        4010: (503, "RCS capability check could not run"),
        5001: (500, "File upload failed"),
        5002: (500, "File download failed"),
        5003: (500, "Failed to generate file URL"),
        5004: (400, "Invalid file type"),
        5005: (400, "File too large"),
        5006: (400, "Content type mismatch"),
        5007: (400, "Failed to download image from the provided URL"),
    ]
}

/// An error answer: rendered as the Linq envelope
/// `{"success":false,"error":{status,code,message,doc_url[,retry_after]},"trace_id":…}`.
struct APIFailure: Error {
    var status: Int
    var code: Int
    var message: String
    var retryAfter: Int?

    /// The documented failure for `code` (status and message from the table).
    init(_ code: Int, retryAfter: Int? = nil, message: String? = nil, status: Int? = nil) {
        let entry = EmulatorErrors.table[code] ?? (500, "Internal server error")
        self.code = code
        self.status = status ?? entry.status
        self.message = message ?? entry.message
        self.retryAfter = retryAfter
    }

    func envelope(traceID: String) -> JSONValue {
        var error: JSONObject = [
            "status": .int(status), "code": .int(code), "message": .string(message),
            "doc_url": .string("https://docs.linqapp.com/error/codes/\(code / 1000)xxx/\(code)/"),
        ]
        if let retryAfter { error["retry_after"] = .int(retryAfter) }
        return ["success": false, "error": .object(error), "trace_id": .string(traceID)]
    }
}
