import LinqJSON

/// Attachments (reference §D.12): create with a presigned upload URL on this emulator, the upload itself (PUT /_uploads/{id}), get, delete.
///
/// Records live in the `attachments` table, keyed by id, in the shape of `GET /v3/attachments/{id}`
/// plus `_partner`, `_token` (the upload URL's credential), `_expires` (upload deadline, emulated
/// seconds) and `_download_url`. While an attachment is `pending`, `download_url` is `null`: there is
/// nothing to download yet (the create response already names the URL it will have).
enum AttachmentRoutes {
    /// Largest pre-upload: 100 MB.
    static let maxSize = 104_857_600
    /// How long an upload URL stays valid: 15 minutes.
    static let uploadLifetime = 900.0
    /// The table name.
    static let table = "attachments"

    /// The SDK's `SupportedContentType` enum.
    static let supportedContentTypes: Set<String> = [
        "image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/tiff", "image/bmp", "image/svg+xml",
        "image/webp", "image/x-icon", "video/mp4", "video/quicktime", "video/mpeg", "video/mpeg2", "video/x-m4v",
        "video/x-msvideo", "video/3gpp", "audio/mpeg", "audio/mp3", "audio/x-m4a", "audio/mp4", "audio/x-caf",
        "audio/x-wav", "audio/x-aiff", "audio/aiff", "audio/aac", "audio/midi", "audio/amr", "application/pdf",
        "application/vnd.apple.pkpass", "text/plain", "text/markdown", "text/vcard", "text/rtf", "text/csv",
        "text/html", "text/calendar", "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/x-iwork-pages-sffpages", "application/x-iwork-numbers-sffnumbers",
        "application/x-iwork-keynote-sffkey", "application/epub+zip", "text/xml", "application/json",
        "application/zip", "application/x-gzip",
    ]
    /// In the enum, but rejected for upload (the docs: "WebP, SVG … are explicitly rejected").
    static let rejectedForUpload: Set<String> = ["image/webp", "image/svg+xml"]

    static let routes: [Route] = [
        Route("POST", "/v3/attachments", create),
        Route("GET", "/v3/attachments/{attachmentId}", get),
        Route("DELETE", "/v3/attachments/{attachmentId}", delete),
    ]

    /// `POST /v3/attachments` → 200 with a presigned upload URL on this emulator. `filename`
    /// missing → 1001; a field of the wrong type → 1003; `content_type` outside the enum (or WebP/SVG)
    /// → 5004; `size_bytes` < 1 → 1005, > 100 MB → 5005. `size_bytes` may be written as an
    /// integral float (`145.0`: `Validate.integer`); a fraction is 1003.
    static func create(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let filename = try Validate.requiredString(body, "filename")
        let contentType = try Validate.requiredString(body, "content_type")
        guard let sizeValue = body["size_bytes"], !sizeValue.isNull else { throw APIFailure(1001) }
        guard let size = Validate.integer(sizeValue) else { throw APIFailure(1003) }
        guard supportedContentTypes.contains(contentType), !rejectedForUpload.contains(contentType) else {
            throw APIFailure(5004)
        }
        guard size >= 1 else { throw APIFailure(1005) }
        guard size <= maxSize else { throw APIFailure(5005) }

        let id = Identifiers.uuid()
        let token = Identifiers.traceID()
        let expires = context.now + uploadLifetime
        let downloadURL =
            "https://cdn.linqapp.com/attachments/partners/\(context.partner.id)/\(id)/\(pathEncode(filename))"
        store[table: table][id] = [
            "id": .string(id), "content_type": .string(contentType),
            "created_at": .string(EmulatorClock.iso8601(context.now)), "filename": .string(filename),
            "size_bytes": .int(size), "status": "pending", "download_url": nil,
            "_partner": .string(context.partner.id), "_token": .string(token),
            "_expires": .number(String(expires)), "_download_url": .string(downloadURL),
        ]
        return .json(
            200,
            [
                "attachment_id": .string(id), "download_url": .string(downloadURL),
                "expires_at": .string(EmulatorClock.iso8601(expires)), "http_method": "PUT",
                "required_headers": ["Content-Type": .string(contentType)],
                "upload_url": .string("\(context.origin)/_uploads/\(id)?token=\(token)"),
            ])
    }

    /// `GET /v3/attachments/{attachmentId}` → 200 with the record. Not a UUID → 400/1005; unknown
    /// or another partner's → 404/2003.
    static func get(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let record = try owned(context.param("attachmentId"), context, store)
        return .json(200, record.publicView)
    }

    /// `DELETE /v3/attachments/{attachmentId}` → 204, irreversible (the upload URL stops working
    /// too). Not a UUID → 400/1005; unknown or another partner's → 404/2003.
    static func delete(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let id = context.param("attachmentId")
        _ = try owned(id, context, store)
        store[table: table][id] = nil
        return .empty(204)
    }

    /// The caller's attachment `id`: not a UUID → 400/1005; unknown or another partner's → 404/2003.
    static func owned(_ id: String, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard isUUID(id) else { throw APIFailure(1005) }
        guard let record = store[table: table][id.lowercased()],
            record["_partner"]?.stringValue == context.partner.id
        else { throw APIFailure(2003) }
        return record
    }

    /// For other routes (media parts with `attachment_id`): the partner's uploaded attachment, or
    /// 404/2003 when unknown or not theirs, 404/2007 while it is still `pending`.
    static func usable(_ id: String, partner: String, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard let record = store[table: table][id.lowercased()], record["_partner"]?.stringValue == partner else {
            throw APIFailure(2003)
        }
        guard record["status"]?.stringValue == "complete" else { throw APIFailure(2007) }
        return record
    }

    /// `PUT /_uploads/{attachmentId}?token=…`: receives the bytes of a created attachment (the URL handed out
    /// as `upload_url`). Called with the store locked, without authentication: the token is the
    /// credential, as in a presigned S3 URL. Like S3 it answers 200 with an empty body, or a short
    /// plain-text error: 404 unknown attachment, 405 not PUT, 403 wrong/missing token, expired URL
    /// or a `Content-Type` other than the required header, 400 a body whose length is not
    /// `size_bytes`. A success marks the attachment `complete`; uploading again before the URL
    /// expires replaces the bytes.
    static func upload(
        _ request: EmulatorRequest, path: String, store: inout EmulatorStore, now: Double, traceID: String
    ) -> EmulatorResponse {
        let id = EmulatorRequest.percentDecode(path.dropFirst("/_uploads/".count), plusAsSpace: false).lowercased()
        func plain(_ status: Int, _ text: String, _ extra: [(name: String, value: String)] = []) -> EmulatorResponse {
            EmulatorResponse(
                status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + extra,
                body: Array((text + "\n").utf8))
        }
        guard var record = store[table: table][id] else { return plain(404, "NoSuchKey: unknown upload") }
        guard request.method.uppercased() == "PUT" else {
            return plain(405, "MethodNotAllowed: use PUT", [("Allow", "PUT")])
        }
        guard let token = request.queryValue("token"), token == record["_token"]?.stringValue else {
            return plain(403, "AccessDenied: invalid upload token")
        }
        guard now <= record["_expires"]?.doubleValue ?? 0 else {
            return plain(403, "AccessDenied: request has expired")
        }
        let required = record["content_type"]?.stringValue ?? ""
        guard request.header("Content-Type") == required else {
            return plain(403, "SignatureDoesNotMatch: Content-Type must be \(required)")
        }
        let size = record["size_bytes"]?.intValue ?? -1
        guard request.body.count == size else {
            return plain(400, "IncompleteBody: expected \(size) bytes, got \(request.body.count)")
        }
        record["status"] = "complete"
        record["download_url"] = record["_download_url"]
        record["_uploaded_at"] = .number(String(now))
        store[table: table][id] = record
        return EmulatorResponse(status: 200)
    }

    /// Adds Acme's complete PNG `SeedData.IDs.attachment` (uploaded a day ago).
    static func seed(_ store: inout EmulatorStore, now: Double) {
        let id = SeedData.IDs.attachment
        let partner = SeedData.partners[0].id
        let url = "https://cdn.linqapp.com/attachments/partners/\(partner)/\(id)/logo.png"
        store[table: table][id] = [
            "id": .string(id), "content_type": "image/png", "created_at": .string(EmulatorClock.iso8601(now - 86_400)),
            "filename": "logo.png", "size_bytes": 2048, "status": "complete", "download_url": .string(url),
            "_partner": .string(partner), "_token": .string(Identifiers.stableHash(id)),
            "_expires": .number(String(now - 86_400 + uploadLifetime)), "_download_url": .string(url),
        ]
    }

    /// 8-4-4-4-12 hexadecimal digits.
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b != UInt8(ascii: "-") { return false }
            } else if EmulatorRequest.hexValue(b) == nil {
                return false
            }
        }
        return true
    }

    /// Percent-encodes a filename for use as one URL path segment (RFC 3986 unreserved kept).
    static func pathEncode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }
}
