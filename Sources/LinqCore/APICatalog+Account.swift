extension APICatalog {
    static let attachment = "a77ac400-0001-4000-8000-000000000001"
    static let audit = "a0d10000-0001-4000-8000-000000000001"
    static let line1ID = "5e1f0000-0000-4000-8000-000000000001"
    /// The content types an attachment may have (reference §D.12).
    public static let contentTypes = [
        "image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/tiff", "image/bmp", "image/svg+xml",
        "image/webp", "image/x-icon", "video/mp4", "video/quicktime", "video/mpeg", "video/mpeg2", "video/x-m4v",
        "video/x-msvideo", "video/3gpp", "audio/mpeg", "audio/mp3", "audio/x-m4a", "audio/mp4", "audio/x-caf",
        "audio/x-wav", "audio/x-aiff", "audio/aiff", "audio/aac", "audio/midi", "audio/amr", "application/pdf",
        "application/vnd.apple.pkpass", "text/plain", "text/markdown", "text/vcard", "text/rtf", "text/csv",
        "text/html",
        "text/calendar", "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/x-iwork-pages-sffpages",
        "application/x-iwork-numbers-sffnumbers", "application/x-iwork-keynote-sffkey", "application/epub+zip",
        "text/xml", "application/json", "application/zip", "application/x-gzip",
    ]

    /// Attachments, phone numbers, the blocklist and capability checks (reference §D.12–D.16).
    static let accountOperations: [APIOperation] = [
        APIOperation(
            id: "attachment.create", resource: "attachment", verb: "create", method: "POST", path: "/v3/attachments",
            parameters: [
                APIParameter("filename", in: .body, required: true, help: "File name"),
                APIParameter(
                    "content_type", in: .body, flag: "content-type", type: .enumeration(contentTypes), required: true,
                    help: "MIME type"),
                APIParameter(
                    "size_bytes", in: .body, flag: "size", type: .integer, required: true,
                    help: "Exact size in bytes (≤ 100 MB)"),
            ],
            summary: "Reserve an attachment and get its upload URL (`attachment upload FILE` does both steps)",
            example: "attachment create --filename photo.png --content-type image/png --size 1024",
            produces: .attachment),
        APIOperation(
            id: "attachment.get", resource: "attachment", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/attachments/{attachmentId}",
            parameters: [.id("attachmentId", .attachment, flag: "attachment", "The attachment")],
            summary: "Show an attachment and its status", example: "attachment get \(attachment)", produces: .attachment
        ),
        APIOperation(
            id: "attachment.delete", resource: "attachment", verb: "delete", verbAliases: ["rm"], method: "DELETE",
            path: "/v3/attachments/{attachmentId}",
            parameters: [.id("attachmentId", .attachment, flag: "attachment", "The attachment")],
            summary: "Delete an attachment (irreversible)", example: "attachment delete \(attachment)",
            successStatus: 204),
        APIOperation(
            id: "number.list", resource: "number", verb: "list", verbAliases: ["ls"], method: "GET",
            path: "/v3/phone_numbers", summary: "Your lines with their ids, reputation and forwarding",
            example: "number list"),
        APIOperation(
            id: "number.update", resource: "number", verb: "update", verbAliases: ["forward"], method: "PUT",
            path: "/v3/phone_numbers/{phoneNumberId}",
            parameters: [
                .id("phoneNumberId", .phoneNumberID, flag: "id", "The line's id (a UUID from `number list`)"),
                APIParameter(
                    "forwarding_number", in: .body, flag: "forwarding", aliases: ["forward-to"], type: .string,
                    required: true, help: "Forward calls to this E.164 number (\"\" clears)"),
            ],
            summary: "Set or clear a line's call forwarding",
            example: "number update \(line1ID) --forwarding +15557770100"),
        APIOperation(
            id: "audit.start", resource: "audit", verb: "start", method: "POST",
            path: "/v3/phone_numbers/{phoneNumber}/reputation_audit",
            parameters: [
                APIParameter(
                    "phoneNumber", in: .path, flag: "number", type: .phoneNumber, required: true, positional: true,
                    sessionNumber: true, help: "Your line (E.164)")
            ],
            summary: "Start a reputation audit of a line", example: "audit start +15551230002", successStatus: 202,
            produces: .audit),
        APIOperation(
            id: "audit.get", resource: "audit", verb: "get", method: "GET",
            path: "/v3/phone_numbers/{phoneNumber}/reputation_audit/{auditId}",
            parameters: [
                .id("auditId", .audit, flag: "audit", "The audit"),
                APIParameter(
                    "phoneNumber", in: .path, flag: "number", type: .phoneNumber, required: true, sessionNumber: true,
                    help: "The audited line"),
            ],
            summary: "Show a reputation audit and its report", example: "audit get \(audit) --number +15551230001"),
        APIOperation(
            id: "number.legacy-list", resource: "number", verb: "legacy-list", method: "GET", path: "/v3/phonenumbers",
            summary: "Your lines in the deprecated format (use `number list`)", example: "number legacy-list"),
        APIOperation(
            id: "number.available", resource: "number", verb: "available", method: "GET", path: "/v3/available_number",
            parameters: [
                APIParameter("to", in: .query, type: .array(.handle), help: "Recipients (sticks to an existing chat)"),
                APIParameter(
                    "exclude_from", in: .query, flag: "exclude-from", type: .array(.phoneNumber), help: "Lines to skip"),
                APIParameter("type", in: .query, type: .enumeration(["iMessage", "RCS"]), help: "Kind of line"),
            ],
            summary: "Which of your lines Linq would send from (with a vCard link)",
            example: "number available --to +15557770001"),
        APIOperation(
            id: "blocked.list", resource: "blocked", verb: "list", verbAliases: ["ls"], method: "GET",
            path: "/v3/blocked_handles", summary: "Handles you have blocked", example: "blocked list"),
        APIOperation(
            id: "blocked.add", resource: "blocked", verb: "add", verbAliases: ["block"], method: "POST",
            path: "/v3/blocked_handles",
            parameters: [
                APIParameter(
                    "handle", in: .body, required: true, positional: true,
                    help: "E.164, email, short code or sender id"),
                APIParameter("reason", in: .body, help: "Why (for your records)"),
            ],
            summary: "Block a handle (inbound dropped, direct sends refused)",
            example: "blocked add +15557770666 --reason spam"),
        APIOperation(
            id: "blocked.remove", resource: "blocked", verb: "remove", verbAliases: ["unblock", "rm"], method: "DELETE",
            path: "/v3/blocked_handles",
            parameters: [APIParameter("handle", in: .body, required: true, positional: true, help: "The handle")],
            summary: "Unblock a handle (sent as a JSON body)", example: "blocked remove +15550000666"),
        APIOperation(
            id: "capability.check-imessage", resource: "capability", verb: "check-imessage", verbAliases: ["imessage"],
            method: "POST", path: "/v3/capability/check_imessage",
            parameters: [
                APIParameter(
                    "address", in: .body, type: .handle, required: true, positional: true, help: "E.164 or email"),
                APIParameter(
                    "from", in: .body, type: .phoneNumber, help: "Your line to check from (default: Linq picks)"),
            ],
            summary: "Can this address receive iMessage?", example: "capability check-imessage +15557770002"),
        APIOperation(
            id: "capability.check-rcs", resource: "capability", verb: "check-rcs", verbAliases: ["rcs"], method: "POST",
            path: "/v3/capability/check_rcs",
            parameters: [
                APIParameter("address", in: .body, type: .phoneNumber, required: true, positional: true, help: "E.164"),
                APIParameter(
                    "from", in: .body, type: .phoneNumber, help: "Your line to check from (default: Linq picks)"),
            ],
            summary: "Can this number receive RCS?", example: "capability check-rcs +15557770002"),
    ]
}
