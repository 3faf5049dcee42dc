import LinqJSON

/// What is wrong with a state file: the field (`partners[0].lines`) and the problem. Shown as one
/// line together with the file's path.
struct StateFileError: Error, CustomStringConvertible {
    var field: String
    var problem: String

    var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}

/// Reading a `--state` document back, checking every field the emulator relies on: a damaged or
/// hand-edited file is refused with the field named, instead of crashing later.
extension EmulatorStore {
    /// Times in a state file (seconds since 1970) must lie within this range (years 1…9999).
    static let timeRange: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// Restores a store written by `json(clockOffset:)`, with its clock offset.
    static func decode(_ json: JSONValue) throws(StateFileError) -> (store: EmulatorStore, clockOffset: Double) {
        guard let document = json.objectValue else {
            throw StateFileError(field: "", problem: "the document is a \(json.typeName), not an object")
        }
        guard document["format"]?.stringValue == format else {
            throw StateFileError(field: "format", problem: "must be \"\(format)\"")
        }
        var offset = 0.0
        if let value = document["clock_offset"], !value.isNull {
            guard let number = value.doubleValue, number.isFinite, EmulatorClock.offsetRange.contains(number) else {
                throw StateFileError(
                    field: "clock_offset",
                    problem: "must be a number of seconds within ±\(Int(EmulatorClock.offsetRange.upperBound)) "
                        + "(100 years), not \(value.formatted(.compact))")
            }
            offset = number
        }
        var store = EmulatorStore(partners: try partners(document["partners"]))
        if let tables = try object(document["tables"], "tables") {
            for member in tables {
                store.tables[member.key] = try table(member.value, "tables.\(member.key)")
            }
        }
        if let calls = try object(document["card_calls"], "card_calls") {
            for member in calls {
                let field = "card_calls[\"\(member.key)\"]"
                guard let times = member.value.arrayValue else {
                    throw StateFileError(field: field, problem: "must be an array of times")
                }
                store.cardCalls[member.key] = try times.enumerated().map { i, time throws(StateFileError) in
                    try self.time(time, "\(field)[\(i)]")
                }
            }
        }
        if let shares = try object(document["last_share"], "last_share") {
            for member in shares {
                store.lastShare[member.key] = try time(member.value, "last_share[\"\(member.key)\"]")
            }
        }
        return (store, offset)
    }

    /// At least one partner, each with a unique non-empty id and API key and at least one line; line
    /// numbers are E.164 and belong to one partner only.
    private static func partners(_ value: JSONValue?) throws(StateFileError) -> [EmulatedPartner] {
        guard let list = value?.arrayValue else {
            throw StateFileError(field: "partners", problem: "must be an array of partners")
        }
        guard !list.isEmpty else {
            throw StateFileError(field: "partners", problem: "must list at least one partner")
        }
        var partners: [EmulatedPartner] = []
        var numbers: Set<String> = []
        for (i, entry) in list.enumerated() {
            let field = "partners[\(i)]"
            guard let object = entry.objectValue else {
                throw StateFileError(field: field, problem: "must be an object")
            }
            let id = try text(object["id"], "\(field).id")
            let key = try text(object["api_key"], "\(field).api_key")
            if partners.contains(where: { $0.apiKey == key }) {
                throw StateFileError(field: "\(field).api_key", problem: "is the key of an earlier partner too")
            }
            if partners.contains(where: { $0.id == id }) {
                throw StateFileError(field: "\(field).id", problem: "is the id of an earlier partner too")
            }
            let name = try object["name"].map { value throws(StateFileError) in try text(value, "\(field).name") } ?? id
            guard let lineList = object["lines"]?.arrayValue else {
                throw StateFileError(field: "\(field).lines", problem: "must be an array of lines")
            }
            guard !lineList.isEmpty else {
                throw StateFileError(field: "\(field).lines", problem: "must list at least one line")
            }
            var lines: [EmulatedLine] = []
            for (j, lineValue) in lineList.enumerated() {
                let lineField = "\(field).lines[\(j)]"
                let line = try self.line(lineValue, lineField)
                guard numbers.insert(line.phoneNumber).inserted else {
                    throw StateFileError(field: "\(lineField).phone_number", problem: "is listed twice")
                }
                lines.append(line)
            }
            partners.append(EmulatedPartner(id: id, name: name, apiKey: key, lines: lines))
        }
        return partners
    }

    private static func line(_ value: JSONValue, _ field: String) throws(StateFileError) -> EmulatedLine {
        guard let object = value.objectValue else { throw StateFileError(field: field, problem: "must be an object") }
        let id = try text(object["id"], "\(field).id")
        let number = try text(object["phone_number"], "\(field).phone_number")
        guard Validate.isE164(number) else {
            throw StateFileError(field: "\(field).phone_number", problem: "must be an E.164 number, not \(number)")
        }
        var type = "iMessage"
        if let value = object["line_type"], !value.isNull {
            guard let given = value.stringValue, ["iMessage", "RCS"].contains(given) else {
                throw StateFileError(field: "\(field).line_type", problem: "must be \"iMessage\" or \"RCS\"")
            }
            type = given
        }
        var forwarding: String?
        if let value = object["forwarding_number"], !value.isNull {
            guard let given = value.stringValue, Validate.isE164(given) else {
                throw StateFileError(field: "\(field).forwarding_number", problem: "must be null or an E.164 number")
            }
            forwarding = given
        }
        return EmulatedLine(id: id, phoneNumber: number, lineType: type, forwardingNumber: forwarding)
    }

    /// A table: an array of `{"id": …, "row": {…}}`.
    private static func table(_ value: JSONValue, _ field: String) throws(StateFileError) -> Table {
        guard let entries = value.arrayValue else {
            throw StateFileError(field: field, problem: "must be an array of {\"id\", \"row\"} entries")
        }
        var table = Table()
        for (i, entry) in entries.enumerated() {
            guard let id = entry["id"]?.stringValue, let row = entry["row"]?.objectValue else {
                throw StateFileError(field: "\(field)[\(i)]", problem: "must be {\"id\": string, \"row\": object}")
            }
            table[id] = row
        }
        return table
    }

    /// A non-empty string.
    private static func text(_ value: JSONValue?, _ field: String) throws(StateFileError) -> String {
        guard let text = value?.stringValue, !text.isEmpty else {
            throw StateFileError(field: field, problem: "must be a non-empty string")
        }
        return text
    }

    /// An optional object member (absent or null: `nil`).
    private static func object(_ value: JSONValue?, _ field: String) throws(StateFileError) -> JSONObject? {
        guard let value, !value.isNull else { return nil }
        guard let object = value.objectValue else { throw StateFileError(field: field, problem: "must be an object") }
        return object
    }

    /// A time in seconds since 1970 within `timeRange`.
    private static func time(_ value: JSONValue, _ field: String) throws(StateFileError) -> Double {
        guard let seconds = value.doubleValue, timeRange.contains(seconds) else {
            throw StateFileError(field: field, problem: "must be a time in seconds since 1970 (years 1 to 9999)")
        }
        return seconds
    }
}
