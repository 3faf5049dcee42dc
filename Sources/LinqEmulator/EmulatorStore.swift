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
/// Every change is noted (`changed`), so a transaction writes only the records it touched.
struct Table: Sendable {
    private(set) var order: [String] = []
    private var rows: [String: JSONObject] = [:]
    /// Ids set or removed since the changes were last taken.
    private(set) var changed: Set<String> = []

    subscript(id: String) -> JSONObject? {
        get { rows[id] }
        set {
            changed.insert(id)
            place(id, newValue)
        }
    }

    /// Sets or removes a record without noting it as changed (what another process wrote).
    mutating func place(_ id: String, _ row: JSONObject?) {
        if let row {
            if rows.updateValue(row, forKey: id) == nil { order.append(id) }
        } else if rows.removeValue(forKey: id) != nil {
            order.removeAll { $0 == id }
        }
    }

    /// The ids changed since the last call, forgotten.
    mutating func takeChanges() -> Set<String> {
        defer { changed = [] }
        return changed
    }

    /// Forgets the changes (they were written some other way).
    mutating func clearChanges() { changed = [] }

    /// All records in insertion order.
    var all: [JSONObject] { order.compactMap { rows[$0] } }
    var count: Int { rows.count }

    func json() -> JSONValue {
        .array(order.compactMap { id in rows[id].map { ["id": .string(id), "row": .object($0)] } })
    }

    init() {}
}

extension JSONObject {
    /// The record without its internal (`_`-prefixed) members: what the API shows.
    var publicView: JSONValue {
        .object(JSONObject(filter { !$0.key.hasPrefix("_") }))
    }
}

/// Everything the emulator remembers. Serialised whole to the `--state` file.
struct EmulatorStore: Sendable {
    var partners: [EmulatedPartner] { didSet { partnersChanged = true } }
    /// Resource tables by name (`contact_cards` keyed by phone number, `chats` by id, …).
    var tables: [String: Table] = [:]
    /// Emulated times of contact-card POST/PATCH calls per phone number (the 3-per-10-minutes budget).
    var cardCalls = Tracked<[Double]>()
    /// Emulated time of the last contact-card share per chat (1 per 5 minutes).
    var lastShare = Tracked<Double>()
    /// Set when a partner or line changed (a line's forwarding number).
    var partnersChanged = false
    /// Webhook deliveries queued by the current transaction (`emit`); never saved, drained by the
    /// emulator after the transaction (deliveries belong to the process that made the change).
    var outbox: [WebhookJob] = []
    /// The trace id of the request being handled (the envelopes' `trace_id`); never saved.
    var traceID = ""
    /// Event types emitted since this was last emptied (what `POST /_emulator/inbound` reports); never saved.
    var emittedTypes: [String] = []

    func partner(forKey key: String) -> EmulatedPartner? { partners.first { $0.apiKey == key } }

    /// Forgets which records changed (nothing is to be written of them).
    mutating func discardChanges() {
        for name in tables.keys { tables[name]?.clearChanges() }
        _ = cardCalls.takeChanges()
        _ = lastShare.takeChanges()
        partnersChanged = false
    }

    /// The line with this number if `partner` owns it.
    func line(_ number: String, of partner: EmulatedPartner) -> EmulatedLine? {
        partner.lines.first { $0.phoneNumber == number }
    }

    /// A table by name (empty when it has none yet). Changed in place: a read-modify-write through
    /// a plain setter would copy the whole table (its rows and order) on every write.
    subscript(table name: String) -> Table {
        get { tables[name] ?? Table() }
        _modify { yield &tables[name, default: Table()] }
    }

    // MARK: Persistence

    /// The `format` member of a state file.
    static let format = "linq-emulator-state/1"

    /// A finite number as JSON (a non-finite one, which the store never holds, as 0).
    static func number(_ value: Double) -> JSONValue { .number(value.isFinite ? String(value) : "0") }

    /// The whole store as the `--state` file's document (decoded by `init(json:)`).
    func json(clockOffset: Double) -> JSONValue {
        var tablesJSON = JSONObject()
        for (name, table) in tables.sorted(by: { $0.key < $1.key }) { tablesJSON[name] = table.json() }
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
        for (key, times) in cardCalls.sorted(by: { $0.key < $1.key }) { calls[key] = .array(times.map(Self.number)) }
        var shares = JSONObject()
        for (key, time) in lastShare.sorted(by: { $0.key < $1.key }) { shares[key] = Self.number(time) }
        return [
            "format": .string(Self.format), "clock_offset": Self.number(clockOffset),
            "partners": .array(partnersJSON), "tables": .object(tablesJSON), "card_calls": .object(calls),
            "last_share": .object(shares),
        ]
    }

    init(partners: [EmulatedPartner]) { self.partners = partners }
}

/// A dictionary that notes which keys were set, so that only they are written.
struct Tracked<Value: Sendable>: Sendable, Sequence {
    private(set) var values: [String: Value] = [:]
    private(set) var changed: Set<String> = []

    subscript(key: String) -> Value? {
        get { values[key] }
        set {
            changed.insert(key)
            values[key] = newValue
        }
    }

    /// Sets a value without noting it (what another process wrote).
    mutating func place(_ key: String, _ value: Value?) { values[key] = value }

    /// The keys changed since the last call, forgotten.
    mutating func takeChanges() -> Set<String> {
        defer { changed = [] }
        return changed
    }

    func makeIterator() -> Dictionary<String, Value>.Iterator { values.makeIterator() }
    func sorted(by order: ((key: String, value: Value), (key: String, value: Value)) -> Bool) -> [(
        key: String, value: Value
    )] {
        values.sorted(by: order)
    }
}
