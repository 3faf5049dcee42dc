import LinqJSON

extension InboundControl {
    /// The chat named by `chat_id` (which `from` must be in), or the 1:1 chat of `to` (a line of
    /// any partner) with `from`, made fresh (and reported as created) when there is none.
    static func locateChat(_ body: JSONObject, from: String, now: Double, _ store: inout EmulatorStore)
        throws(APIFailure) -> (JSONObject, created: Bool)
    {
        if let chatID = try Validate.optionalString(body, "chat_id") {
            guard let chat = store[table: "chats"][chatID] else {
                throw APIFailure(2001, message: "no chat \(chatID)", status: 404)
            }
            guard
                ChatRoutes.activeOthers(chat).contains(where: {
                    ChatRoutes.sameHandle($0["handle"]?.stringValue ?? "", from)
                })
            else { throw APIFailure(1005, message: "\(from) is not an active participant of chat \(chatID)") }
            return (chat, false)
        }
        guard let to = try Validate.optionalString(body, "to") else {
            throw APIFailure(1001, message: "send chat_id, or to (one of your lines)")
        }
        guard let partner = store.partners.first(where: { p in p.lines.contains { $0.phoneNumber == to } }),
            let line = partner.lines.first(where: { $0.phoneNumber == to })
        else { throw APIFailure(1005, message: "to must be one of the emulator's lines, not \(to)") }
        let existing = store[table: "chats"].all.filter { chat in
            chat["_partner"]?.stringValue == partner.id && chat["_line"]?.stringValue == to
                && chat["is_group"]?.boolValue != true
                && ChatRoutes.activeOthers(chat).map { $0["handle"]?.stringValue ?? "" } == [from]
        }.max { ($0["updated_at"]?.stringValue ?? "") < ($1["updated_at"]?.stringValue ?? "") }
        if let existing { return (existing, false) }
        let context = RouteContext(
            request: EmulatorRequest(method: "POST", path: "/_emulator/inbound"), params: [:], partner: partner,
            now: now, fault: nil)
        return (MessageRoutes.newChat(line: line, to: [from], context), true)
    }

    /// The SDK's opt-out rule (its `health_status` text): a whole trimmed message that is `STOP`,
    /// `UNSUBSCRIBE`, `OPTOUT`, `CANCEL`, `END` or `QUIT` (exact case), or "opt out" in any casing
    /// with or without a space or hyphen, marks the one-to-one chat it arrived in `OPTED_OUT` (a
    /// group is never marked). Any other message from them — in any conversation with the partner,
    /// media alone too — opts them back in: every direct chat of the partner with them that reads
    /// `OPTED_OUT` turns `HEALTHY`. While a chat reads `OPTED_OUT`, direct sends to that contact
    /// are refused with 403/2024 (`MessageRoutes.checkNotOptedOut`).
    static func optOut(
        _ chat: inout JSONObject, from: String, text: String?, stamp: JSONValue, _ store: inout EmulatorStore
    ) {
        if let text, isStopWord(text) {
            if chat["is_group"]?.boolValue != true { mark(&chat, "OPTED_OUT", stamp) }
            return
        }
        let partner = chat["_partner"]?.stringValue
        for id in store[table: "chats"].order where id != chat["id"]?.stringValue {
            guard var other = store[table: "chats"][id], other["_partner"]?.stringValue == partner,
                other["is_group"]?.boolValue != true, other["health_status"]?["status"]?.stringValue == "OPTED_OUT",
                ChatRoutes.activeOthers(other).contains(where: {
                    ChatRoutes.sameHandle($0["handle"]?.stringValue ?? "", from)
                })
            else { continue }
            mark(&other, "HEALTHY", stamp)
            store[table: "chats"][id] = other
        }
        if chat["is_group"]?.boolValue != true, chat["health_status"]?["status"]?.stringValue == "OPTED_OUT" {
            mark(&chat, "HEALTHY", stamp)
        }
    }

    /// Whether a message is an opt-out keyword (see `optOut`).
    static func isStopWord(_ text: String) -> Bool {
        let trimmed = text.trimmingSpaces()
        let folded = String(trimmed.lowercased().filter { $0 != " " && $0 != "-" })
        return ["STOP", "UNSUBSCRIBE", "OPTOUT", "CANCEL", "END", "QUIT"].contains(trimmed) || folded == "optout"
    }

    /// Sets a chat's `health_status` to `status`, changed at `stamp` (unchanged when it already is).
    static func mark(_ chat: inout JSONObject, _ status: String, _ stamp: JSONValue) {
        guard chat["health_status"]?["status"]?.stringValue != status else { return }
        chat["health_status"] = [
            "status": .string(status), "doc_url": .string(MessageRoutes.healthDocURL), "updated_at": stamp,
        ]
    }

    /// A message of `chat` by id, else 404/2002.
    static func message(_ id: String, in chat: JSONObject, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard let row = store[table: "messages"][id], row["_chat"] == chat["id"] else { throw APIFailure(2002) }
        return row
    }

    /// The contact reacts to a message of the chat (add, or remove their reaction of that type).
    static func react(
        _ body: JSONObject, sender: JSONValue, chat: JSONObject, now: Double, _ store: inout EmulatorStore
    ) throws(APIFailure) -> JSONValue {
        var row = try message(try Validate.requiredString(body, "message_id"), in: chat, store)
        let type = try Validate.requiredString(body, "type")
        guard MessageRoutes.reactionTypes.contains(type), type != "sticker" else {
            throw APIFailure(
                1005, message: "type must be one of love, like, dislike, laugh, emphasize, question, custom")
        }
        let operation = try Validate.optionalString(body, "operation") ?? "add"
        guard operation == "add" || operation == "remove" else { throw APIFailure(1005) }
        let custom = try Validate.optionalString(body, "custom_emoji")
        if type == "custom" && custom == nil { throw APIFailure(1001, message: "a custom reaction needs custom_emoji") }
        let index = try MessageRoutes.optionalInt(body, "part_index") ?? 0
        var reactions = try MessageRoutes.reactionList(row, index)
        let mine: (JSONValue) -> Bool = {
            $0["handle"]?["handle"] == sender["handle"] && $0["type"]?.stringValue == type
        }
        let isPoll = row["_poll"] != nil
        let reaction: JSONValue
        if operation == "add" {
            reactions.removeAll { $0["handle"]?["handle"] == sender["handle"] }
            reaction = [
                "handle": sender, "is_me": false, "type": .string(type), "id": .string(Identifiers.uuid()),
                "custom_emoji": custom.map { .string($0) } ?? .null, "sticker": nil,
            ]
            reactions.append(reaction)
        } else {
            guard let found = reactions.first(where: mine) else {
                throw APIFailure(1005, message: "\(sender["handle"]?.stringValue ?? "") has no \(type) reaction there")
            }
            reaction = found
            reactions.removeAll(where: mine)
        }
        MessageRoutes.setReactionList(&row, index, reactions)
        row["updated_at"] = .string(EmulatorClock.iso8601(now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        let type_ = operation == "add" ? (isPoll ? "poll.reaction.added" : "reaction.added") : "reaction.removed"
        store.emit(
            type_, chat: chat, now: now,
            data: WebhookPayloads.reaction(reaction, message: row, chat: chat, partIndex: index, at: now))
        return reaction
    }

    /// The contact votes (or takes their vote back) on a poll of the chat.
    static func vote(
        _ body: JSONObject, sender: JSONValue, chat: JSONObject, now: Double, _ store: inout EmulatorStore
    ) throws(APIFailure) {
        var row = try message(try Validate.requiredString(body, "message_id"), in: chat, store)
        guard var poll = row["_poll"]?.objectValue else {
            throw APIFailure(1005, message: "that message is not a poll")
        }
        let optionID = try Validate.requiredString(body, "option_id")
        let operation = try Validate.optionalString(body, "operation") ?? "add"
        guard operation == "add" || operation == "remove" else { throw APIFailure(1005) }
        var options = poll["options"]?.arrayValue ?? []
        guard let index = options.firstIndex(where: { $0["option_id"]?.stringValue == optionID }),
            var option = options[index].objectValue
        else { throw APIFailure(1005, message: "no option \(optionID) in that poll") }
        let who = sender["handle"] ?? .null
        var voters = option["voters"]?.arrayValue ?? []
        let voted = voters.contains { $0["handle"] == who }
        guard (operation == "add") != voted else { return }
        if operation == "add" {
            voters.append(["handle": who, "voted_at": .string(EmulatorClock.iso8601(now))])
        } else {
            voters.removeAll { $0["handle"] == who }
        }
        option["voters"] = .array(voters)
        options[index] = .object(option)
        poll["options"] = .array(options)
        row["_poll"] = .object(poll)
        row["updated_at"] = .string(EmulatorClock.iso8601(now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        store.emit(
            "poll.vote.\(operation == "add" ? "added" : "removed")", chat: chat, now: now,
            data: WebhookPayloads.vote(message: row, chat: chat, optionID: optionID, voter: sender))
    }

    /// The contact reads your messages: `true` = every unread one of yours in the chat, or one id.
    static func read(_ value: JSONValue, chat: JSONObject, now: Double, _ store: inout EmulatorStore) throws(APIFailure)
    {
        let rows: [JSONObject]
        if let id = value.stringValue {
            rows = [try message(id, in: chat, store)]
        } else if value.boolValue == true {
            rows = store[table: "messages"].all.filter {
                $0["_chat"] == chat["id"] && $0["is_from_me"]?.boolValue == true && $0["is_read"]?.boolValue != true
            }
        } else {
            throw APIFailure(1003, message: "read must be true or a message id")
        }
        for var row in rows where row["is_from_me"]?.boolValue == true {
            row["is_read"] = true
            row["read_at"] = .string(EmulatorClock.iso8601(now))
            row["updated_at"] = row["read_at"]
            store[table: "messages"][row["id"]?.stringValue ?? ""] = row
            store.emitMessage(row, chat: chat, stage: .read, now: now)
        }
    }

    /// The contact starts sharing their location with your line.
    static func startSharing(
        _ value: JSONValue, from: String, chat: JSONObject, now: Double, _ store: inout EmulatorStore
    ) throws(APIFailure) {
        let details = value.objectValue ?? [:]
        let stamp = JSONValue.string(EmulatorClock.iso8601(now))
        let partner = chat["_partner"]?.stringValue ?? ""
        let handle = from.contains("@") ? from.lowercased() : from
        store[table: "location_shares"]["\(partner) \(handle)"] = [
            "handle": .string(from), "coordinates": details["coordinates"] ?? [-122.4194, 37.7749],
            "address": details["address"] ?? .null, "locality": details["locality"] ?? .null, "updated_at": stamp,
            "began_at": stamp, "_partner": .string(partner),
        ]
        store.emit(
            "location.sharing.started", chat: chat, now: now,
            data: [
                "shared_by": .string(from), "shared_with": chat["_line"] ?? .null, "chat_id": chat["id"] ?? .null,
                "began_at": stamp, "ends_at": .string(EmulatorClock.iso8601(now + 3600)),
            ])
    }
}
