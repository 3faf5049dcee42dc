extension APICatalog {
    static let chat1 = "7b3c3a10-0001-4c2e-9a51-000000000001"
    static let chat2 = "7b3c3a10-0001-4c2e-9a51-000000000002"
    static let groupChat = "7b3c3a10-0001-4c2e-9a51-000000000009"

    /// Chats and what happens inside them (reference §D.3–D.6, D.10, D.11).
    static let chatOperations: [APIOperation] = [
        APIOperation(
            id: "chat.create", resource: "chat", verb: "create", method: "POST", path: "/v3/chats",
            parameters: [
                APIParameter(
                    "to", in: .body, type: .array(.handle), required: true, positional: true,
                    help: "Recipients (one: a direct chat; several: a group; repeatable)"),
                APIParameter(
                    "from", in: .body, type: .phoneNumber, required: true, sessionNumber: true,
                    help: "Your line that sends"),
            ] + APIParameter.messageContent(firstMessage: true) + [.overrideOptOut],
            summary: "Start a chat (or reuse the one with the same people) with a first message",
            details: "A new chat's first message may not contain a link, a reply or an effect.",
            example: "chat create +15557770021 --text 'Hello from linq'", successStatus: 201, produces: .chat),
        APIOperation(
            id: "chat.list", resource: "chat", verb: "list", verbAliases: ["ls"], method: "GET", path: "/v3/chats",
            parameters: [
                APIParameter(
                    "from", in: .query, type: .phoneNumber, help: "Only chats of this line (default: all lines)"),
                APIParameter("to", in: .query, type: .handle, help: "Only chats with this participant"),
                .limit(default: 20), .cursor,
            ],
            summary: "List your chats, newest first (--all follows every page)", example: "chat list --limit 5",
            pagination: .cursor(itemsKey: "chats"), produces: .chat),
        APIOperation(
            id: "chat.get", resource: "chat", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/chats/{chatId}", parameters: [.chat()], summary: "Show one chat",
            example: "chat get \(chat1)", produces: .chat),
        APIOperation(
            id: "chat.update", resource: "chat", verb: "update", verbAliases: ["rename"], method: "PUT",
            path: "/v3/chats/{chatId}",
            parameters: [
                .chat("The group chat"),
                APIParameter(
                    "display_name", in: .body, flag: "name", aliases: ["display-name"], help: "New group name"),
                APIParameter(
                    "group_chat_icon", in: .body, flag: "icon", type: .url, help: "New group icon (image URL)"),
            ],
            summary: "Rename a group chat or change its icon (direct chats: 409/1006)",
            example: "chat update \(groupChat) --name 'Launch team'"),
        APIOperation(
            id: "chat.leave", resource: "chat", verb: "leave", method: "POST", path: "/v3/chats/{chatId}/leave",
            parameters: [.chat("The group chat to leave")],
            summary: "Make your line leave a group chat (at least 4 members)", example: "chat leave \(groupChat)"),
        APIOperation(
            id: "chat.read", resource: "chat", verb: "read", verbAliases: ["mark-read"], method: "POST",
            path: "/v3/chats/{chatId}/read", parameters: [.chat()], summary: "Mark every message of a chat read",
            example: "chat read \(chat1)", successStatus: 204),
        APIOperation(
            id: "chat.voicememo", resource: "chat", verb: "voicememo", verbAliases: ["voice-memo"], method: "POST",
            path: "/v3/chats/{chatId}/voicememo",
            parameters: [
                .chat(),
                APIParameter(
                    "voice_memo_url", in: .body, flag: "url", type: .url,
                    help: "https URL of the audio (MP3, M4A, AAC, CAF, WAV, AIFF, AMR)"),
                APIParameter(
                    "attachment_id", in: .body, flag: "attachment", type: .identifier(.attachment),
                    help: "A pre-uploaded audio attachment (instead of --url)"),
                .overrideOptOut,
            ],
            summary: "Send a voice memo into a chat",
            example: "chat voicememo \(chat1) --url https://example.com/memo.m4a", successStatus: 202),
        APIOperation(
            id: "participant.add", resource: "participant", verb: "add", method: "POST",
            path: "/v3/chats/{chatId}/participants",
            parameters: [
                .chat("The group chat"),
                APIParameter("handle", in: .body, type: .handle, required: true, positional: true, help: "Who to add"),
            ],
            summary: "Add someone to a group chat", example: "participant add \(groupChat) +15557770099",
            successStatus: 202),
        APIOperation(
            id: "participant.remove", resource: "participant", verb: "remove", verbAliases: ["rm"], method: "DELETE",
            path: "/v3/chats/{chatId}/participants",
            parameters: [
                .chat("The group chat"),
                APIParameter(
                    "handle", in: .body, type: .handle, required: true, positional: true, help: "Who to remove"),
            ],
            summary: "Remove someone from a group chat (sent as a JSON body)",
            example: "participant remove \(groupChat) +15557770012", successStatus: 202),
        APIOperation(
            id: "typing.start", resource: "typing", verb: "start", method: "POST", path: "/v3/chats/{chatId}/typing",
            parameters: [.chat()], summary: "Show the typing indicator in a chat (lasts about 90 s)",
            example: "typing start \(chat1)", successStatus: 204),
        APIOperation(
            id: "typing.stop", resource: "typing", verb: "stop", method: "DELETE", path: "/v3/chats/{chatId}/typing",
            parameters: [.chat()], summary: "Clear the typing indicator", example: "typing stop \(chat1)",
            successStatus: 204),
        APIOperation(
            id: "location.get", resource: "location", verb: "get", method: "GET", path: "/v3/chats/{chatId}/location",
            parameters: [.chat()], summary: "Locations shared in a chat (GeoJSON)", example: "location get \(chat1)"),
        APIOperation(
            id: "location.request", resource: "location", verb: "request", method: "POST",
            path: "/v3/chats/{chatId}/location/request", parameters: [.chat("A one-to-one iMessage chat")],
            summary: "Ask the other person to share their location", example: "location request \(chat2)"),
        APIOperation(
            id: "location.stop", resource: "location", verb: "stop", method: "DELETE",
            path: "/v3/chats/{chatId}/location",
            parameters: [
                .chat(),
                APIParameter(
                    "handle", in: .body, type: .handle, required: true, positional: true, help: "Whose sharing ends"),
            ],
            summary: "End a contact's location sharing (sent as a JSON body)",
            example: "location stop \(chat1) +15557770001", successStatus: 202),
        APIOperation(
            id: "background.set", resource: "background", verb: "set", method: "POST",
            path: "/v3/chats/{chatId}/background",
            parameters: [
                .chat(),
                APIParameter(
                    "type", in: .body, type: .enumeration(["color", "dynamic", "photo"]), required: true,
                    help: "Kind of background"),
                APIParameter(
                    "variant", in: .body, help: "Colour swatch (mango, ice, plum, …, custom) or dynamic variant"),
                APIParameter(
                    "shades", in: .body, flag: "shade", type: .array(.string),
                    help: "Two hex colours for a custom colour"),
                APIParameter(
                    "style", in: .body, type: .enumeration(["sky", "water", "aurora"]), help: "Dynamic style"),
                APIParameter(
                    "image_url", in: .body, flag: "image", type: .url, help: "Photo background (https .jpg/.png/.heic)"),
            ],
            summary: "Set a chat's transcript background",
            example: "background set \(chat1) --type color --variant mango",
            successStatus: 202),
        APIOperation(
            id: "background.reset", resource: "background", verb: "reset", verbAliases: ["clear"], method: "DELETE",
            path: "/v3/chats/{chatId}/background", parameters: [.chat()],
            summary: "Reset a chat's background to the default", example: "background reset \(chat1)"),
    ]
}
