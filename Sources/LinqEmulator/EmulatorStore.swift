import LinqJSON

/// One partner account of the emulator: an API key and the lines (phone numbers) it owns.
public struct EmulatedPartner: Sendable, Hashable {
    public var id: String
    public var name: String
    public var apiKey: String
    public var lines: [EmulatedLine]
}

/// One line (phone number) owned by a partner.
public struct EmulatedLine: Sendable, Hashable {
    public var id: String
    public var phoneNumber: String
    public var lineType: String
    public var forwardingNumber: String?
}

/// Records of one resource kind, kept in insertion order. Each record is the resource's JSON as
/// the API returns it, plus internal members whose keys start with `_` (stripped on output).
struct Table: Sendable {
    private(set) var order: [String] = []
    private var rows: [String: JSONObject] = [:]

    subscript(id: String) -> JSONObject? {
        get { rows[id] }
        set {
            if let newValue {
                if rows.updateValue(newValue, forKey: id) == nil { order.append(id) }
            } else if rows.removeValue(forKey: id) != nil {
                order.removeAll { $0 == id }
            }
        }
    }

    /// All records in insertion order.
    var all: [JSONObject] { order.compactMap { rows[$0] } }
    var count: Int { rows.count }

    func json() -> JSONValue {
        .array(order.compactMap { id in rows[id].map { ["id": .string(id), "row": .object($0)] } })
    }

    init() {}

    init(json: JSONValue?) {
        for entry in json?.arrayValue ?? [] {
            if let id = entry["id"]?.stringValue, let row = entry["row"]?.objectValue { self[id] = row }
        }
    }
}

extension JSONObject {
    /// The record without its internal (`_`-prefixed) members: what the API shows.
    var publicView: JSONValue {
        .object(JSONObject(filter { !$0.key.hasPrefix("_") }))
    }
}

/// Everything the emulator remembers. Serialised whole to the `--state` file.
struct EmulatorStore: Sendable {
    var partners: [EmulatedPartner]
    /// Resource tables by name (`contact_cards` keyed by phone number, `chats` by id, …).
    var tables: [String: Table] = [:]
    /// Emulated times of contact-card POST/PATCH calls per phone number (the 3-per-10-minutes budget).
    var cardCalls: [String: [Double]] = [:]
    /// Emulated time of the last contact-card share per chat (1 per 5 minutes).
    var lastShare: [String: Double] = [:]

    func partner(forKey key: String) -> EmulatedPartner? { partners.first { $0.apiKey == key } }

    /// The line with this number if `partner` owns it.
    func line(_ number: String, of partner: EmulatedPartner) -> EmulatedLine? {
        partner.lines.first { $0.phoneNumber == number }
    }

    subscript(table name: String) -> Table {
        get { tables[name] ?? Table() }
        set { tables[name] = newValue }
    }

    // MARK: Persistence

    func json(clockOffset: Double) -> JSONValue {
        var tablesJSON = JSONObject()
        for name in tables.keys.sorted() { tablesJSON[name] = tables[name]!.json() }
        let partnersJSON: [JSONValue] = partners.map { partner in
            [
                "id": .string(partner.id), "name": .string(partner.name), "api_key": .string(partner.apiKey),
                "lines": .array(
                    partner.lines.map { line in
                        [
                            "id": .string(line.id), "phone_number": .string(line.phoneNumber),
                            "line_type": .string(line.lineType),
                            "forwarding_number": line.forwardingNumber.map { .string($0) } ?? .null,
                        ]
                    }),
            ]
        }
        var calls = JSONObject()
        for key in cardCalls.keys.sorted() { calls[key] = .array(cardCalls[key]!.map { .number(String($0)) }) }
        var shares = JSONObject()
        for key in lastShare.keys.sorted() { shares[key] = .number(String(lastShare[key]!)) }
        return [
            "format": "linq-emulator-state/1", "clock_offset": .number(String(clockOffset)),
            "partners": .array(partnersJSON), "tables": .object(tablesJSON), "card_calls": .object(calls),
            "last_share": .object(shares),
        ]
    }

    /// Restores a store written by `json(clockOffset:)`; `nil` if the document is not one.
    init?(json: JSONValue) {
        guard json["format"]?.stringValue == "linq-emulator-state/1", let partners = json["partners"]?.arrayValue
        else { return nil }
        self.partners = partners.compactMap { p in
            guard let id = p["id"]?.stringValue, let key = p["api_key"]?.stringValue else { return nil }
            return EmulatedPartner(
                id: id, name: p["name"]?.stringValue ?? id, apiKey: key,
                lines: (p["lines"]?.arrayValue ?? []).compactMap { l in
                    guard let id = l["id"]?.stringValue, let number = l["phone_number"]?.stringValue else {
                        return nil
                    }
                    return EmulatedLine(
                        id: id, phoneNumber: number, lineType: l["line_type"]?.stringValue ?? "iMessage",
                        forwardingNumber: l["forwarding_number"]?.stringValue)
                })
        }
        for member in json["tables"]?.objectValue ?? [:] { tables[member.key] = Table(json: member.value) }
        for member in json["card_calls"]?.objectValue ?? [:] {
            cardCalls[member.key] = (member.value.arrayValue ?? []).compactMap(\.doubleValue)
        }
        for member in json["last_share"]?.objectValue ?? [:] { lastShare[member.key] = member.value.doubleValue }
    }

    init(partners: [EmulatedPartner]) { self.partners = partners }
}
