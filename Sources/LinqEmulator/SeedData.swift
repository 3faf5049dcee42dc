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
                let created = EmulatorClock.iso8601(now - 86_400)
                let service: JSONValue = line.lineType == "RCS" ? "RCS" : "iMessage"
                chats[chatID(n)] = [
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
        }
        store[table: "chats"] = chats
        return store
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
