import LinqJSON

/// Binding a validated message to a chat: the chat-dependent rules and the parts as the API shows them.
extension MessageContent {
    // MARK: Binding to a chat

    /// Checks the chat-dependent rules and returns the parts as the API shows them: a mention only
    /// in a group (409/2023) and naming a participant (1005); app cards over iMessage only
    /// (409/2018), App Clips too (409/2028).
    func responseParts(in chat: JSONObject, partnerID: String, store: EmulatorStore) throws(APIFailure)
        -> [JSONValue]
    {
        let chatService = chat["service"]?.stringValue ?? "iMessage"
        let iMessage = chatService == "iMessage" && (preferredService ?? "iMessage") == "iMessage"
        let handles = chat["handles"]?.arrayValue ?? []
        let me = handles.first { $0["is_me"]?.boolValue == true }?["handle"]?.stringValue
        if let experience {
            guard iMessage else { throw APIFailure(2018) }
            return [Self.experienceCard(experience, store)]
        }
        var result: [JSONValue] = []
        for part in parts {
            switch part["type"]?.stringValue ?? "" {
            case "text":
                result.append(try textPart(part, in: chat, handles: handles, me: me, partnerID: partnerID))
            case "media":
                result.append(mediaPart(part, partnerID: partnerID))
            case "link":
                result.append(["reactions": [], "type": "link", "value": part["value"] ?? .null])
            case "imessage_app":
                guard iMessage else { throw APIFailure(2018) }
                result.append(Self.appCard(part, partnerID: partnerID))
            case "app_clip":
                guard iMessage else { throw APIFailure(2028) }
                result.append([
                    "reactions": [], "type": "app_clip", "value": part["value"] ?? .null, "description": nil,
                    "image_url": nil, "title": nil,
                ])
            default: break
            }
        }
        return result
    }

    /// The response part of a `text` request part: its `mention` only in a group (409/2023) and
    /// naming one of the chat's `handles` (1005), `me` being your own; inline stickers resolved.
    private func textPart(
        _ part: JSONObject, in chat: JSONObject, handles: [JSONValue], me: String?, partnerID: String
    ) throws(APIFailure) -> JSONValue {
        let value = part["value"]?.stringValue ?? ""
        var mentions: JSONValue = .null
        var mentionRange: JSONValue = .null
        if let mention = part["mention"]?.stringValue {
            guard chat["is_group"]?.boolValue == true else { throw APIFailure(2023) }
            guard handles.contains(where: { $0["handle"]?.stringValue == mention }) else {
                throw APIFailure(1005)
            }
            mentionRange = Self.present(part["mention_range"]) ?? .null
            let range = mentionRange.isNull ? [0, .int(value.utf16.count)] : mentionRange
            mentions = [["handle": .string(mention), "is_me": .bool(mention == me), "range": range]]
        }
        let stickers = inlineStickers(part, partnerID: partnerID)
        return [
            "reactions": [], "type": "text", "value": .string(value), "inline_stickers": stickers,
            "mention": part["mention"] ?? .null, "mention_range": mentionRange, "mentions": mentions,
            "text_decorations": Self.present(part["text_decorations"]) ?? .null,
        ]
    }

    /// A text part's `inline_stickers` as the API shows them (each with its image's id, file name,
    /// MIME type and URL), or `null` when it has none.
    private func inlineStickers(_ part: JSONObject, partnerID: String) -> JSONValue {
        guard let given = part["inline_stickers"]?.arrayValue else { return .null }
        var out: [JSONValue] = []
        for sticker in given {
            var image = Self.stickerImage(url: sticker["url"]?.stringValue, partnerID: partnerID)
            if let id = sticker["attachment_id"]?.stringValue, let row = attachments[id] {
                image = Self.attachmentImage(id, row, partnerID: partnerID)
            }
            out.append([
                "range": sticker["range"] ?? .null, "id": .string(image.id),
                "file_name": .string(image.fileName), "mime_type": .string(image.mimeType),
                "url": .string(image.url),
            ])
        }
        return .array(out)
    }

    /// The response part of a `media` request part: its uploaded attachment, or its URL re-hosted
    /// on the CDN under a new id (with a plausible size).
    private func mediaPart(_ part: JSONObject, partnerID: String) -> JSONValue {
        var image: (id: String, fileName: String, mimeType: String, url: String, size: Int)
        if let id = part["attachment_id"]?.stringValue, let row = attachments[id] {
            let found = Self.attachmentImage(id, row, partnerID: partnerID)
            image = (found.id, found.fileName, found.mimeType, found.url, row["size_bytes"]?.intValue ?? 0)
        } else {
            let url = part["url"]?.stringValue ?? ""
            let id = Identifiers.uuid()
            let name = Self.fileName(url)
            image = (
                id, name, Self.mimeType(url),
                "https://cdn.linqapp.com/attachments/partners/\(partnerID)/\(id)/\(name)",
                Self.fakeSize(url)
            )
        }
        return [
            "id": .string(image.id), "filename": .string(image.fileName), "mime_type": .string(image.mimeType),
            "reactions": [], "size_bytes": .int(image.size), "type": "media", "url": .string(image.url),
        ]
    }

    /// The response part of an `imessage_app` request part (`layout.image_url` re-hosted on the CDN,
    /// `fallback_text` defaulting to the caption).
    static func appCard(_ part: JSONObject, partnerID: String) -> JSONValue {
        let app = part["app"]?.objectValue ?? [:]
        var appJSON: JSONObject = [
            "bundle_id": app["bundle_id"] ?? .null, "name": app["name"] ?? .null, "team_id": app["team_id"] ?? .null,
        ]
        if let id = present(app["app_store_id"]) { appJSON["app_store_id"] = id }
        let layout = part["layout"]?.objectValue ?? [:]
        var layoutJSON = JSONObject()
        for key in [
            "caption", "image_subtitle", "image_title", "image_url", "subcaption", "trailing_caption",
            "trailing_subcaption",
        ] {
            layoutJSON[key] = present(layout[key]) ?? .null
        }
        if let image = layout["image_url"]?.stringValue, !image.lowercased().hasPrefix("https://cdn.linqapp.com/") {
            layoutJSON["image_url"] = .string(
                "https://cdn.linqapp.com/app-cards/\(partnerID)/\(Identifiers.stableHash(image)).\(imageExtension(image))"
            )
        }
        let fallback = present(part["fallback_text"]) ?? present(layout["caption"]) ?? .null
        return [
            "app": .object(appJSON), "layout": .object(layoutJSON), "reactions": [], "type": "imessage_app",
            "url": present(part["url"]) ?? "", "fallback_text": fallback,
        ]
    }

    /// The card an experience renders: an `imessage_app` part of Linq's own iMessage app.
    static func experienceCard(_ experience: JSONObject, _ store: EmulatorStore) -> JSONValue {
        let name = experience["name"]?.stringValue ?? ""
        let action = experience["action"]?.stringValue ?? ""
        let params = experience["params"]?.objectValue ?? [:]
        let known = ExperienceRoutes.experiences(store).first { $0["experience"]?.stringValue == name }
        let title =
            params["title"]?.stringValue ?? known?["display_name"]?.stringValue ?? name
        let url =
            params["checkout_url"]?.stringValue ?? params["url"]?.stringValue
            ?? "https://linqapp.com/experiences/\(name)/\(action)"
        return [
            "app": ["bundle_id": .string(linqApp.bundleID), "name": "Linq", "team_id": .string(linqApp.teamID)],
            "layout": [
                "caption": .string(title), "image_subtitle": nil, "image_title": nil, "image_url": nil,
                "subcaption": params["note"] ?? .null, "trailing_caption": nil, "trailing_subcaption": nil,
            ],
            "reactions": [], "type": "imessage_app", "url": .string(url), "fallback_text": .string(title),
        ]
    }

    /// The identity of Linq's own iMessage app (experiences render in it). Invented for the emulator.
    static let linqApp = (bundleID: "com.linqapp.messages.extension", teamID: "LINQAPP001")
}
