import LinqJSON

/// The data a fresh emulator starts with: two partners with their API keys, their lines, and one
/// one-to-one iMessage chat per line (with an earlier outbound message, so sharing is allowed).
/// Printed by `linq emulator` and listed in the README.
public enum SeedData {
    /// The first partner's API key (the shell's zero-config default).
    public static let acmeKey = "linq-emulator-acme"
    /// The second partner's API key.
    public static let globexKey = "linq-emulator-globex"

    public static let partners: [EmulatedPartner] = [
        EmulatedPartner(
            id: "partner-acme", name: "Acme Demo", apiKey: acmeKey,
            lines: [
                EmulatedLine(
                    id: "5e1f0000-0000-4000-8000-000000000001", phoneNumber: "+15551230001", lineType: "iMessage"),
                EmulatedLine(
                    id: "5e1f0000-0000-4000-8000-000000000002", phoneNumber: "+15551230002", lineType: "iMessage"),
                EmulatedLine(id: "5e1f0000-0000-4000-8000-000000000003", phoneNumber: "+15551230003", lineType: "RCS"),
            ]),
        EmulatedPartner(
            id: "partner-globex", name: "Globex Sandbox", apiKey: globexKey,
            lines: [
                EmulatedLine(
                    id: "5e1f0000-0000-4000-8000-000000000004", phoneNumber: "+15559870001", lineType: "iMessage"),
                EmulatedLine(
                    id: "5e1f0000-0000-4000-8000-000000000005", phoneNumber: "+15559870002", lineType: "iMessage"),
            ]),
    ]

    /// The seeded chat of the n-th line (1-based, over all partners in order).
    public static func chatID(_ n: Int) -> String { "7b3c3a10-0001-4c2e-9a51-00000000000\(n)" }

    /// Fixed ids of other seed records (so that examples and tests can name them). Each resource's
    /// route file seeds its own records with these ids (the group chat is seeded here).
    public enum IDs {
        /// Acme's group chat on +15551230001 (with three other members: four handles).
        public static let groupChat = "7b3c3a10-0001-4c2e-9a51-000000000009"
        /// The earlier outbound text message in seeded chat n (1…5); `message(9)` is the group chat's.
        public static func message(_ n: Int) -> String { "3e55a9e0-0001-4000-8000-00000000000\(n)" }
        /// A poll in the group chat (its poll-definition message id).
        public static let pollMessage = "3e55a9e0-0002-4000-8000-000000000009"
        /// A sticker reaction on message(1).
        public static let stickerReaction = "4ea00000-0001-4000-8000-000000000001"
        /// An uploaded (complete) PNG attachment of Acme.
        public static let attachment = "a77ac400-0001-4000-8000-000000000001"
        /// Acme's webhook subscription.
        public static let subscription = "5ab5c000-0001-4000-8000-000000000001"
        /// Acme's payment request (status requested).
        public static let paymentRequest = "9a7e0000-0001-4000-8000-000000000001"
        /// Acme's agent payment (status ready).
        public static let payment = "9a7e0000-0002-4000-8000-000000000001"
        /// A completed reputation audit of +15551230001.
        public static let audit = "a0d10000-0001-4000-8000-000000000001"
        /// A handle Acme has blocked.
        public static let blockedHandle = "+15550000666"
    }

    /// The contact each seeded chat talks to.
    public static func contact(_ n: Int) -> String { "+1555777000\(n)" }

    /// A fresh store with the seed data.
    static func store(now: Double) -> EmulatorStore {
        var store = EmulatorStore(partners: partners)
        var chats = Table()
        var n = 0
        for partner in partners {
            for line in partner.lines {
                n += 1
                chats[chatID(n)] = lineChat(n, partner: partner, line: line, now: now)
            }
        }
        chats[IDs.groupChat] = groupChat(now: now)
        store[table: "chats"] = chats
        ChatRoutes.seed(&store, now: now)
        MessageRoutes.seed(&store, now: now)
        AttachmentRoutes.seed(&store, now: now)
        NumberRoutes.seed(&store, now: now)
        BlockedHandleRoutes.seed(&store, now: now)
        CapabilityRoutes.seed(&store, now: now)
        WebhookRoutes.seed(&store, now: now)
        ExperienceRoutes.seed(&store, now: now)
        PaymentRoutes.seed(&store, now: now)
        return store
    }

    /// Seeded chat `n`: `line` of `partner` with `contact(n)`, a day old.
    private static func lineChat(_ n: Int, partner: EmulatedPartner, line: EmulatedLine, now: Double) -> JSONObject {
        let created = EmulatorClock.iso8601(now - 86_400)
        let service: JSONValue = line.lineType == "RCS" ? "RCS" : "iMessage"
        return [
            "id": .string(chatID(n)), "created_at": .string(created), "updated_at": .string(created),
            "display_name": .string("\(line.phoneNumber), \(contact(n))"),
            "handles": [
                [
                    "id": .string(Identifiers.stableHashUUID("handle-me-\(n)")),
                    "handle": .string(line.phoneNumber), "joined_at": .string(created),
                    "service": service, "is_me": true, "left_at": nil, "line_type": .string(line.lineType),
                    "status": "active",
                ],
                [
                    "id": .string(Identifiers.stableHashUUID("handle-them-\(n)")),
                    "handle": .string(contact(n)), "joined_at": .string(created), "service": service,
                    "is_me": false, "left_at": nil, "line_type": nil, "status": "active",
                ],
            ],
            "health_status": [
                "status": "HEALTHY",
                "doc_url": "https://docs.linqapp.com/channel/imessage/guides/chat-health",
                "updated_at": .string(created),
            ],
            "is_archived": false, "is_group": false, "group_chat_icon": nil, "service": service,
            "_partner": .string(partner.id), "_line": .string(line.phoneNumber), "_outbound_messages": 1,
        ]
    }

    /// Acme's group chat: the first line and three contacts, an hour old.
    private static func groupChat(now: Double) -> JSONObject {
        let created = EmulatorClock.iso8601(now - 3600)
        let members = [partners[0].lines[0].phoneNumber, "+15557770011", "+15557770012", "someone@example.com"]
        return [
            "id": .string(IDs.groupChat), "created_at": .string(created), "updated_at": .string(created),
            "display_name": "Demo group",
            "handles": .array(
                members.enumerated().map { i, handle in
                    [
                        "id": .string(Identifiers.stableHashUUID("group-handle-\(i)")), "handle": .string(handle),
                        "joined_at": .string(created), "service": "iMessage", "is_me": .bool(i == 0), "left_at": nil,
                        "line_type": i == 0 ? "iMessage" : nil, "status": "active",
                    ]
                }),
            "health_status": [
                "status": "HEALTHY", "doc_url": "https://docs.linqapp.com/channel/imessage/guides/chat-health",
                "updated_at": .string(created),
            ],
            "is_archived": false, "is_group": true, "group_chat_icon": nil, "service": "iMessage",
            "_partner": .string(partners[0].id), "_line": .string(members[0]), "_outbound_messages": 1,
        ]
    }
}

extension Identifiers {
    /// A UUID-shaped id derived from `seed` (stable across runs, for seed data).
    static func stableHashUUID(_ seed: String) -> String {
        let h = Array(stableHash(seed) + stableHash(seed + "#"))
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-8" + String(h[17..<20])
            + "-" + String(h[20..<32])
    }
}
