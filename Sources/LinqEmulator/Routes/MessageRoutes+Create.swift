import LinqJSON

/// The steps of `POST /v3/messages` (`MessageRoutes.create`): lines to avoid, replays, and the
/// choice of chat.
extension MessageRoutes {
    /// The lines in `exclude_from` (E.164 numbers, else 1002; not an array of strings → 1003).
    static func excludedLines(_ body: JSONObject) throws(APIFailure) -> Set<String> {
        var excluded: Set<String> = []
        if let value = MessageContent.present(body["exclude_from"]) {
            guard let array = value.arrayValue else { throw APIFailure(1003) }
            for entry in array {
                guard let number = entry.stringValue else { throw APIFailure(1003) }
                excluded.insert(try Validate.e164(number))
            }
        }
        return excluded
    }

    /// The answer to a send that repeats an earlier one by one of `keys` (the message's
    /// idempotency key, then the header's), as first answered; `nil` when none matches.
    static func replayedCreate(keys: [String?], _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure) -> Reply?
    {
        for key in keys {
            if let original = try replay(key, context, store),
                let chat = store[table: "chats"][original["_chat"]?.stringValue ?? ""]
            {
                let selection = original["_selection"]?.objectValue ?? [:]
                return .json(
                    202,
                    sendSummary(
                        chat, message: sentMessage(original),
                        reason: selection["reason"]?.stringValue ?? "reused_active_chat",
                        createdNewChat: selection["created_new_chat"]?.boolValue ?? false))
            }
        }
        return nil
    }

    /// The chat a send to `to` goes to, and why: the most recently active chat with exactly these
    /// recipients (preferring lines not `excluded`), else a new chat on the best line not excluded
    /// (iMessage lines first, then the line with the fewest chats). No line → 409/2015; every
    /// line excluded → 1005.
    static func chooseChat(to: [String], excluded: Set<String>, _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure) -> (chat: JSONObject, reason: String)
    {
        let candidates = store[table: "chats"].all.filter { chat in
            chat["_partner"]?.stringValue == context.partner.id && lineIsActive(chat)
                && recipients(of: chat) == Set(to)
        }
        let newest: (JSONObject, JSONObject) -> Bool = {
            ($0["updated_at"]?.stringValue ?? "") < ($1["updated_at"]?.stringValue ?? "")
        }
        if let reused = candidates.filter({ !excluded.contains($0["_line"]?.stringValue ?? "") }).max(by: newest)
            ?? candidates.max(by: newest)
        {
            return (reused, "reused_active_chat")
        }
        guard !context.partner.lines.isEmpty else { throw APIFailure(2015) }
        let open = context.partner.lines.filter { !excluded.contains($0.phoneNumber) }
        let chats = store[table: "chats"].all
        func load(_ line: EmulatedLine) -> Int {
            chats.filter { $0["_line"]?.stringValue == line.phoneNumber }.count
        }
        let best = open.enumerated().min { a, b in
            let rank = (a.element.lineType == "iMessage" ? 0 : 1, load(a.element), a.offset)
            let other = (b.element.lineType == "iMessage" ? 0 : 1, load(b.element), b.offset)
            return rank < other
        }
        guard let best else { throw APIFailure(1005) }
        return (newChat(line: best.element, to: to, context), "new_best_number")
    }
}
