import LinqJSON

/// A validated `message` object (reference §D.1, the SDK's `MessageContentParam`), and the JSON
/// the API returns for messages (`Message`, `SentMessage`, response parts).
///
/// Validation happens in two steps: `parse` checks everything that does not depend on the chat
/// (shapes, part rules, attachments), `responseParts(in:)` the rules that do (mentions only in
/// groups, app cards and App Clips only over iMessage) and builds the parts as the API shows them.
struct MessageContent {
    /// The request's parts, validated (empty when `experience` is used).
    var parts: [JSONObject] = []
    /// `experience` `{name, action, params?}` when the message invokes one instead of parts.
    var experience: JSONObject?
    /// `effect` as the API returns it (`{name, type}`), or `null`.
    var effect: JSONValue = .null
    /// `reply_to` as the API returns it (`{message_id, part_index}`), or `null`.
    var replyTo: JSONValue = .null
    /// `preferred_service` (`iMessage`, `SMS` or `RCS`), if given.
    var preferredService: String?
    /// `idempotency_key`, if given.
    var idempotencyKey: String?
    /// Attachments referenced by `attachment_id` (media parts, inline stickers), resolved by `parse`.
    var attachments: [String: JSONObject] = [:]

    static let screenEffects: Set<String> = [
        "confetti", "fireworks", "lasers", "sparkles", "celebration", "hearts", "love", "balloons", "happy_birthday",
        "echo", "spotlight",
    ]
    static let bubbleEffects: Set<String> = ["slam", "loud", "gentle", "invisible"]
    static let styles: Set<String> = ["bold", "italic", "strikethrough", "underline"]
    static let animations: Set<String> = ["big", "small", "shake", "nod", "explode", "ripple", "bloom", "jitter"]
    static let services: Set<String> = ["iMessage", "SMS", "RCS"]
    /// Parts that must be the only part of a message.
    static let soloParts: Set<String> = ["link", "app_clip", "imessage_app"]

    /// The first message of a new chat (`POST /v3/chats`) may not contain a link: a `link` or
    /// `app_clip` part, or a URL in the text.
    var containsLink: Bool {
        for part in parts {
            switch part["type"]?.stringValue {
            case "link", "app_clip": return true
            case "text": if Self.textContainsURL(part["value"]?.stringValue ?? "") { return true }
            default: break
            }
        }
        return false
    }

    /// Whether the message is an iMessage app card (an `imessage_app` part or an experience).
    var isAppCard: Bool { experience != nil || parts.first?["type"]?.stringValue == "imessage_app" }

    // MARK: Parsing (chat-independent rules)

    /// Validates `value` as a `message` object: missing → 1001, not an object / wrong member type →
    /// 1003, part rules (§D.1) → 1004, bad values → 1005, app-card problems → 1008, unknown or
    /// foreign attachment → 2003 (not yet uploaded → 2007).
    static func parse(_ value: JSONValue?, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure)
        -> MessageContent
    {
        guard let value, !value.isNull else { throw APIFailure(1001) }
        guard let object = value.objectValue else { throw APIFailure(1003) }
        var content = MessageContent()
        let parts = present(object["parts"])
        let experience = present(object["experience"])
        switch (parts, experience) {
        case (nil, nil): throw APIFailure(1001)
        case (.some, .some): throw APIFailure(1004)
        case (.some(let parts), nil):
            guard let array = parts.arrayValue else { throw APIFailure(1003) }
            try content.parseParts(array, context, store)
        case (nil, .some(let experience)):
            content.experience = try parseExperience(experience, store)
        }
        if let effect = present(object["effect"]) { content.effect = try parseEffect(effect) }
        if let reply = present(object["reply_to"]) {
            guard let reply = reply.objectValue else { throw APIFailure(1003) }
            let id = try Validate.requiredString(reply, "message_id")
            var index = 0
            if let given = present(reply["part_index"]) {
                guard let i = given.intValue else { throw APIFailure(1003) }
                guard i >= 0 else { throw APIFailure(1005) }
                index = i
            }
            content.replyTo = ["message_id": .string(id), "part_index": .int(index)]
        }
        if let service = try Validate.optionalString(object, "preferred_service") {
            guard services.contains(service) else { throw APIFailure(1005) }
            content.preferredService = service
        }
        if let key = try Validate.optionalString(object, "idempotency_key"), !key.isEmpty {
            guard key.count <= 255 else { throw APIFailure(1005) }
            content.idempotencyKey = key
        }
        return content
    }

    /// A member that is present and not `null`.
    static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    private mutating func parseParts(_ array: [JSONValue], _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure)
    {
        guard !array.isEmpty, array.count <= 100 else { throw APIFailure(1004) }
        var urlMedia = 0
        var previous: String?
        for value in array {
            guard let part = value.objectValue else { throw APIFailure(1003) }
            guard let type = part["type"]?.stringValue else {
                throw part["type"] == nil ? APIFailure(1001) : APIFailure(1003)
            }
            if type == "text" && previous == "text" { throw APIFailure(1004) }
            if Self.soloParts.contains(type) && array.count > 1 { throw APIFailure(1004) }
            switch type {
            case "text": try parseText(part, context, store)
            case "media":
                let url = try Validate.optionalString(part, "url")
                let attachment = try Validate.optionalString(part, "attachment_id")
                if let sticker = Self.present(part["sticker"]), sticker.boolValue == nil { throw APIFailure(1003) }
                switch (url, attachment) {
                case (nil, nil): throw APIFailure(1001)
                case (.some, .some): throw APIFailure(1005)
                case (.some(let url), nil):
                    guard url.lowercased().hasPrefix("https://"), Validate.isHTTPURL(url) else {
                        throw APIFailure(1005)
                    }
                    guard !Self.rejectedExtensions.contains(Self.fileExtension(url)) else { throw APIFailure(5004) }
                    urlMedia += 1
                case (nil, .some(let id)):
                    attachments[id] = try Self.attachment(id, context, store)
                }
            case "link":
                let url = try Validate.requiredString(part, "value")
                guard Validate.isHTTPURL(url), url.count <= 2048 else { throw APIFailure(1005) }
            case "imessage_app": try Self.parseAppCard(part)
            case "app_clip":
                let url = try Validate.requiredString(part, "value")
                guard url.lowercased().hasPrefix("https://"), Validate.isHTTPURL(url) else { throw APIFailure(1005) }
                _ = try Validate.optionalString(part, "caption")
            default: throw APIFailure(1004)
            }
            previous = type
            parts.append(part)
        }
        if urlMedia > 40 { throw APIFailure(1004) }
    }

    private mutating func parseText(_ part: JSONObject, _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure)
    {
        guard let raw = part["value"], !raw.isNull else { throw APIFailure(1001) }
        guard let text = raw.stringValue else { throw APIFailure(1003) }
        guard !text.isEmpty, text.count <= 10_000 else { throw APIFailure(1004) }
        let length = text.utf16.count
        var styled: [(Int, Int)] = []
        var animated: [(Int, Int)] = []
        if let decorations = Self.present(part["text_decorations"]) {
            (styled, animated) = try Self.decorationRanges(decorations, length: length)
        }
        let mention = try Validate.optionalString(part, "mention")
        if let mention, mention.isEmpty { throw APIFailure(1005) }
        if let range = Self.present(part["mention_range"]) {
            guard mention != nil else { throw APIFailure(1005) }
            _ = try Self.range(range, length: length)
        }
        if let stickers = Self.present(part["inline_stickers"]) {
            guard let array = stickers.arrayValue else { throw APIFailure(1003) }
            guard mention == nil, array.count <= 100 else { throw APIFailure(1004) }
            try parseInlineStickers(array, in: text, styled: styled, animated: animated, context, store)
        }
    }

    /// The ranges of a text part's `text_decorations` (each a `range` with a known `style` or
    /// `animation`, not both: else 1005), split into styled and animated. Animations may not overlap
    /// other animations or styles (1004); styles may overlap each other.
    private static func decorationRanges(_ decorations: JSONValue, length: Int) throws(APIFailure)
        -> (styled: [(Int, Int)], animated: [(Int, Int)])
    {
        var styled: [(Int, Int)] = []
        var animated: [(Int, Int)] = []
        guard let array = decorations.arrayValue else { throw APIFailure(1003) }
        for value in array {
            guard let decoration = value.objectValue else { throw APIFailure(1003) }
            let range = try Self.range(decoration["range"], length: length)
            let style = try Validate.optionalString(decoration, "style")
            let animation = try Validate.optionalString(decoration, "animation")
            switch (style, animation) {
            case (.some(let style), nil):
                guard Self.styles.contains(style) else { throw APIFailure(1005) }
                styled.append(range)
            case (nil, .some(let animation)):
                guard Self.animations.contains(animation) else { throw APIFailure(1005) }
                animated.append(range)
            default: throw APIFailure(1005)
            }
        }
        // Animations may not overlap other animations or styles; styles may overlap each other.
        for (i, a) in animated.enumerated() {
            if styled.contains(where: { Self.overlaps($0, a) }) { throw APIFailure(1004) }
            if animated[(i + 1)...].contains(where: { Self.overlaps($0, a) }) { throw APIFailure(1004) }
        }
        return (styled, animated)
    }

    /// A text part's `inline_stickers`: each a `range` on character boundaries of `text` (1005)
    /// overlapping no other sticker nor decoration (1004), with a Linq CDN `url` or an
    /// `attachment_id` (exactly one, else 1005); at most 10 distinct images (1004).
    private mutating func parseInlineStickers(
        _ array: [JSONValue], in text: String, styled: [(Int, Int)], animated: [(Int, Int)],
        _ context: RouteContext, _ store: EmulatorStore
    ) throws(APIFailure) {
        let length = text.utf16.count
        var ranges: [(Int, Int)] = []
        var images: Set<String> = []
        for value in array {
            guard let sticker = value.objectValue else { throw APIFailure(1003) }
            let range = try Self.range(sticker["range"], length: length)
            guard Self.splitsNoCharacter(text, range) else { throw APIFailure(1005) }
            if ranges.contains(where: { Self.overlaps($0, range) })
                || (styled + animated).contains(where: { Self.overlaps($0, range) })
            {
                throw APIFailure(1004)
            }
            ranges.append(range)
            let url = try Validate.optionalString(sticker, "url")
            let id = try Validate.optionalString(sticker, "attachment_id")
            switch (url, id) {
            case (.some(let url), nil):
                guard Self.isLinqAttachmentURL(url) else { throw APIFailure(1005) }
                images.insert(url)
            case (nil, .some(let id)):
                attachments[id] = try Self.attachment(id, context, store)
                images.insert(id)
            default: throw APIFailure(1005)
            }
        }
        if images.count > 10 { throw APIFailure(1004) }
    }

    /// Checks an `imessage_app` part: the app identity, the layout and the URL (→ 1008).
    static func parseAppCard(_ part: JSONObject) throws(APIFailure) {
        guard let app = part["app"]?.objectValue, let layout = part["layout"]?.objectValue else {
            throw APIFailure(1008)
        }
        try checkApp(app)
        try checkLayout(layout)
        if let url = present(part["url"]) {
            guard let url = url.stringValue else { throw APIFailure(1003) }
            try checkAppURL(url)
        }
        _ = try Validate.optionalString(part, "fallback_text")
        if let interactive = present(part["interactive"]), interactive.boolValue == nil { throw APIFailure(1003) }
    }

    /// `app`: `bundle_id` without `:`, `name`, `team_id` of 10 uppercase alphanumerics (→ 1008).
    static func checkApp(_ app: JSONObject) throws(APIFailure) {
        guard let bundle = app["bundle_id"]?.stringValue, !bundle.isEmpty, !bundle.contains(":"),
            let name = app["name"]?.stringValue, !name.trimmingSpaces().isEmpty,
            let team = app["team_id"]?.stringValue, team.utf8.count == 10,
            team.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) })
        else { throw APIFailure(1008) }
        if let id = present(app["app_store_id"]), id.intValue == nil { throw APIFailure(1003) }
    }

    /// `layout`: at least one caption or `image_url`; `image_title`/`image_subtitle` need `image_url`.
    static func checkLayout(_ layout: JSONObject) throws(APIFailure) {
        for member in layout where !member.value.isNull && member.value.stringValue == nil { throw APIFailure(1003) }
        func has(_ key: String) -> Bool { !(layout[key]?.stringValue ?? "").isEmpty }
        guard ["caption", "subcaption", "trailing_caption", "trailing_subcaption", "image_url"].contains(where: has)
        else { throw APIFailure(1008) }
        if (has("image_title") || has("image_subtitle")) && !has("image_url") { throw APIFailure(1008) }
        if has("image_url") && !Validate.isHTTPURL(layout["image_url"]?.stringValue ?? "") { throw APIFailure(1008) }
    }

    /// A card URL: `https://` up to 2048 characters, or `data:` up to 16384 (→ 1008).
    static func checkAppURL(_ url: String) throws(APIFailure) {
        let lower = url.lowercased()
        if lower.hasPrefix("data:") {
            guard url.utf8.count <= 16_384 else { throw APIFailure(1008) }
        } else {
            guard lower.hasPrefix("https://"), Validate.isHTTPURL(url), url.utf8.count <= 2048 else {
                throw APIFailure(1008)
            }
        }
    }

    /// `experience` `{name, action, params?}`: an experience and action of the catalog
    /// (`ExperienceRoutes.experiences`, else 1005), its required fields present (1001), no unknown
    /// field (1005), values of the field's type (`url`: absolute https; `string`: at most `max`
    /// characters; `cents`/`int`: an integer — else 1005).
    static func parseExperience(_ value: JSONValue, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard let object = value.objectValue else { throw APIFailure(1003) }
        let name = try Validate.requiredString(object, "name")
        let action = try Validate.requiredString(object, "action")
        let params = present(object["params"])
        if let params, params.objectValue == nil { throw APIFailure(1003) }
        guard
            let experience = ExperienceRoutes.experiences(store).first(where: { $0["experience"]?.stringValue == name }
            ),
            let spec = experience["actions"]?.arrayValue?.first(where: { $0["name"]?.stringValue == action })
        else { throw APIFailure(1005) }
        let fields = spec["fields"]?.objectValue ?? [:]
        for member in params?.objectValue ?? [:] {
            guard let field = fields[member.key] else { throw APIFailure(1005) }
            if member.value.isNull { continue }
            switch field["type"]?.stringValue {
            case "url":
                guard let url = member.value.stringValue, url.lowercased().hasPrefix("https://"),
                    Validate.isHTTPURL(url)
                else { throw APIFailure(1005) }
            case "cents", "int":
                guard member.value.intValue != nil else { throw APIFailure(1005) }
            default:
                guard let text = member.value.stringValue else { throw APIFailure(1005) }
                if let max = field["max"]?.intValue, text.count > max { throw APIFailure(1005) }
            }
        }
        for field in fields where field.value["required"]?.boolValue == true {
            guard let given = params?[field.key], !given.isNull else { throw APIFailure(1001) }
        }
        return object
    }

    /// `effect` `{type: screen|bubble, name}` → `{name, type}` (name and type must agree).
    static func parseEffect(_ value: JSONValue) throws(APIFailure) -> JSONValue {
        guard let object = value.objectValue else { throw APIFailure(1003) }
        let type = try Validate.optionalString(object, "type")
        let name = try Validate.optionalString(object, "name")
        var resolved = type
        if let name {
            if screenEffects.contains(name) {
                if type == nil { resolved = "screen" }
                guard resolved == "screen" else { throw APIFailure(1005) }
            } else if bubbleEffects.contains(name) {
                if type == nil { resolved = "bubble" }
                guard resolved == "bubble" else { throw APIFailure(1005) }
            } else {
                throw APIFailure(1005)
            }
        } else if let type, type != "screen" && type != "bubble" {
            throw APIFailure(1005)
        } else if type == nil {
            throw APIFailure(1005)
        }
        return ["name": name.map { .string($0) } ?? .null, "type": resolved.map { .string($0) } ?? .null]
    }

    // MARK: Attachments and files

    /// The caller's uploaded attachment `id` (`AttachmentRoutes.usable`): unknown or another
    /// partner's → 404/2003; not yet uploaded → 404/2007.
    static func attachment(_ id: String, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure)
        -> JSONObject
    {
        try AttachmentRoutes.usable(id, partner: context.partner.id, store)
    }

    /// id, file name, MIME type and URL of an uploaded attachment.
    static func attachmentImage(_ id: String, _ row: JSONObject, partnerID: String) -> (
        id: String, fileName: String, mimeType: String, url: String
    ) {
        let name = row["filename"]?.stringValue ?? "attachment"
        let url =
            row["download_url"]?.stringValue
            ?? "https://cdn.linqapp.com/attachments/partners/\(partnerID)/\(id)/\(name)"
        return (id, name, row["content_type"]?.stringValue ?? mimeType(name), url)
    }

    /// id, file name, MIME type and URL of a sticker given by its Linq attachment URL.
    static func stickerImage(url: String?, partnerID: String) -> (
        id: String, fileName: String, mimeType: String, url: String
    ) {
        let url = url ?? ""
        // Persistent pattern: https://cdn.linqapp.com/attachments/partners/{partner}/{attachment}/{file}
        let segments = url.split(separator: "/").map(String.init)
        let id = segments.count >= 2 ? segments[segments.count - 2] : Identifiers.stableHashUUID(url)
        return (id, fileName(url), mimeType(url), url)
    }

    /// A URL on Linq's CDN (where uploaded attachments are served from).
    static func isLinqAttachmentURL(_ url: String) -> Bool {
        url.lowercased().hasPrefix("https://cdn.linqapp.com/")
    }

    /// The last path segment of a URL, without query or fragment.
    static func fileName(_ url: String) -> String {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        let bare = path.split(separator: "#").first.map(String.init) ?? path
        let name = bare.split(separator: "/").last.map(String.init) ?? ""
        return name.isEmpty || name.contains(":") ? "file" : name
    }

    /// The lowercased extension of a URL's file name (`""` if none).
    static func fileExtension(_ url: String) -> String {
        let name = fileName(url)
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    /// Extensions the API refuses to send (5004).
    static let rejectedExtensions: Set<String> = ["flac", "ogg", "exe", "svg", "webp", "dmg", "bat", "sh"]

    static let mimeTypes: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "heic": "image/heic",
        "heif": "image/heif", "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp", "mp4": "video/mp4",
        "mov": "video/quicktime", "m4v": "video/x-m4v", "mpeg": "video/mpeg", "mpg": "video/mpeg", "3gp": "video/3gpp",
        "m4a": "audio/x-m4a", "mp3": "audio/mpeg", "aac": "audio/aac", "caf": "audio/x-caf", "wav": "audio/x-wav",
        "aiff": "audio/x-aiff", "amr": "audio/amr", "pdf": "application/pdf", "txt": "text/plain", "rtf": "text/rtf",
        "csv": "text/csv", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pages": "application/x-iwork-pages-sffpages", "numbers": "application/x-iwork-numbers-sffnumbers",
        "key": "application/x-iwork-keynote-sffkey", "epub": "application/epub+zip", "zip": "application/zip",
        "html": "text/html", "htm": "text/html", "vcf": "text/vcard", "ics": "text/calendar",
    ]

    /// The MIME type for a URL's or file name's extension (`application/octet-stream` if unknown).
    static func mimeType(_ url: String) -> String { mimeTypes[fileExtension(url)] ?? "application/octet-stream" }

    /// An image extension for a re-hosted copy (`jpg` unless the URL names another image type).
    static func imageExtension(_ url: String) -> String {
        let ext = fileExtension(url)
        return ["png", "gif", "heic", "heif", "jpeg", "jpg", "webp"].contains(ext) ? ext : "jpg"
    }

    /// A plausible, stable size for a file the emulator never downloads.
    static func fakeSize(_ url: String) -> Int {
        10_000 + Int(UInt64(Identifiers.stableHash(url).prefix(8), radix: 16) ?? 0) % 900_000
    }

    // MARK: Text helpers

    /// A range `[start, end)` within `length` UTF-16 units: missing → 1001, not an array → 1003,
    /// out of bounds or empty → 1005.
    static func range(_ value: JSONValue?, length: Int) throws(APIFailure) -> (Int, Int) {
        guard let value = present(value) else { throw APIFailure(1001) }
        guard let array = value.arrayValue else { throw APIFailure(1003) }
        guard array.count == 2, let start = array[0].intValue, let end = array[1].intValue, start >= 0, start < end,
            end <= length
        else { throw APIFailure(1005) }
        return (start, end)
    }

    static func overlaps(_ a: (Int, Int), _ b: (Int, Int)) -> Bool { a.0 < b.1 && b.0 < a.1 }

    /// Whether both ends of a UTF-16 range fall on character boundaries of `text`.
    static func splitsNoCharacter(_ text: String, _ range: (Int, Int)) -> Bool {
        var offsets: Set<Int> = [0]
        var offset = 0
        for character in text {
            offset += character.utf16.count
            offsets.insert(offset)
        }
        return offsets.contains(range.0) && offsets.contains(range.1)
    }

    /// Top-level domains recognised in bare host names (`example.com`).
    static let domains: Set<String> = [
        "com", "net", "org", "io", "co", "app", "dev", "ly", "me", "ai", "info", "biz", "us", "uk", "de", "gg", "xyz",
        "link", "site", "shop",
    ]

    /// Whether text contains a URL: a scheme (`http://`, `https://`), `www.`, or a bare host name
    /// ending in a common top-level domain.
    static func textContainsURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") { return true }
        for word in lower.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            var token = Substring(word)
            while let last = token.last, ".,;:!?)\"'".contains(last) { token.removeLast() }
            let host = token.split(separator: "/", maxSplits: 1).first ?? ""
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }),
                let tld = labels.last, domains.contains(String(tld))
            else { continue }
            return true
        }
        return false
    }
}
