import LinqCore
import LinqJSON

/// A JSON-aware comparison of two documents: the paths added, removed and changed, in document
/// order (the newer document's, with removed members where they were). Lists of objects that
/// all carry a distinct `id` are matched by id, other lists by position. Volatile values — ids,
/// timestamps, trace ids, UUIDs — are counted but not listed unless `all`.
struct JSONDiff {
    /// One difference at a path (`contact_cards[0].first_name`).
    enum Change: Equatable {
        case added(String, JSONValue)
        case removed(String, JSONValue)
        case changed(String, old: JSONValue, new: JSONValue)

        var path: String {
            switch self {
            case .added(let path, _), .removed(let path, _), .changed(let path, _, _): path
            }
        }
    }

    private(set) var changes: [Change] = []
    /// Differences in volatile values, not listed.
    private(set) var ignored = 0
    let all: Bool

    /// The differences from `old` to `new`.
    init(_ old: JSONValue, _ new: JSONValue, all: Bool = false) {
        self.all = all
        compare(old, new, path: "", key: nil)
    }

    var isEqual: Bool { changes.isEmpty }

    private mutating func compare(_ old: JSONValue, _ new: JSONValue, path: String, key: String?) {
        switch (old, new) {
        case (.object(let a), .object(let b)):
            for name in Self.mergedKeys(a, b) {
                let child = Self.join(path, name)
                switch (a[name], b[name]) {
                case (let x?, let y?): compare(x, y, path: child, key: name)
                case (nil, let y?): note(.added(child, y), key: name, value: y)
                case (let x?, nil): note(.removed(child, x), key: name, value: x)
                case (nil, nil): break
                }
            }
        case (.array(let a), .array(let b)):
            if let byID = Self.ids(a), let newIDs = Self.ids(b) {
                compareByID(a, byID, b, newIDs, path: path)
            } else {
                for index in 0..<max(a.count, b.count) {
                    let child = path + "[\(index)]"
                    if index < a.count && index < b.count {
                        compare(a[index], b[index], path: child, key: key)
                    } else if index < b.count {
                        note(.added(child, b[index]), key: key, value: b[index])
                    } else {
                        note(.removed(child, a[index]), key: key, value: a[index])
                    }
                }
            }
        default:
            if !Self.same(old, new) {
                note(.changed(path.isEmpty ? "(body)" : path, old: old, new: new), key: key, value: new, old: old)
            }
        }
    }

    /// Lists whose items all have distinct `id`s: matched by id (the new list's order).
    private mutating func compareByID(
        _ a: [JSONValue], _ oldIDs: [String], _ b: [JSONValue], _ newIDs: [String], path: String
    ) {
        let oldIndex = Dictionary(uniqueKeysWithValues: oldIDs.enumerated().map { ($1, $0) })
        let newSet = Set(newIDs)
        for (index, id) in newIDs.enumerated() {
            let child = path + "[\(index)]"
            if let before = oldIndex[id] {
                compare(a[before], b[index], path: child, key: nil)
            } else {
                changes.append(.added(child, b[index]))
            }
        }
        for (index, id) in oldIDs.enumerated() where !newSet.contains(id) {
            changes.append(.removed(path + "[\(index)]", a[index]))
        }
    }

    /// Lists a difference, or counts it when its value is volatile (and `all` is off).
    private mutating func note(_ change: Change, key: String?, value: JSONValue, old: JSONValue? = nil) {
        if !all && (Self.isVolatile(key: key) || (Self.isVolatile(value) && old.map(Self.isVolatile) ?? true)) {
            ignored += 1
        } else {
            changes.append(change)
        }
    }

    /// Keys of `a` and `b` in `b`'s order, each key only `a` has placed after its predecessor in `a`.
    static func mergedKeys(_ a: JSONObject, _ b: JSONObject) -> [String] {
        var order = b.keys
        let aKeys = a.keys
        for (i, key) in aKeys.enumerated() where b[key] == nil {
            var at = 0
            for j in stride(from: i - 1, through: 0, by: -1) {
                if let position = order.firstIndex(of: aKeys[j]) {
                    at = position + 1
                    break
                }
            }
            order.insert(key, at: at)
        }
        return order
    }

    /// The items' distinct `id`s, when every item is an object with one.
    static func ids(_ items: [JSONValue]) -> [String]? {
        guard !items.isEmpty else { return nil }
        var seen = Set<String>()
        var ids: [String] = []
        for item in items {
            guard let id = item["id"]?.stringValue, seen.insert(id).inserted else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// Equal values (numbers by value: `1.0` is `1`).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b, let dx = Double(x), let dy = Double(y) { return dx == dy }
        return a == b
    }

    /// `id`, `…_id`, `…_at`, `trace_id`, `timestamp`: values that change on every call.
    static func isVolatile(key: String?) -> Bool {
        guard let key = key?.lowercased() else { return false }
        return key == "id" || key.hasSuffix("_id") || key.hasSuffix("_at") || key == "timestamp"
            || key.hasSuffix("_ids")
    }

    /// A string that is a timestamp (`2026-12-07T…`) or a UUID.
    static func isVolatile(_ value: JSONValue) -> Bool {
        guard case .string(let text) = value else { return false }
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] >= 48 && bytes[$0] <= 57 } }
        if bytes.count >= 19, digits(0..<4), bytes[4] == 45, digits(5..<7), bytes[7] == 45, digits(8..<10),
            bytes[10] == 84 || bytes[10] == 32
        {
            return true
        }
        if bytes.count == 36 {
            let hex = bytes.enumerated().allSatisfy { index, byte in
                [8, 13, 18, 23].contains(index) ? byte == 45 : (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
            }
            if hex { return true }
        }
        return false
    }

    static func join(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        if plain { return path.isEmpty ? key : path + "." + key }
        return path + "[\"" + key.replacingOccurrences(of: "\"", with: "\\\"") + "\"]"
    }

    /// The result for scripts (`$diff`): `{equal, changes: [{op, path, old?, new?}], ignored}`.
    var json: JSONValue {
        let list: [JSONValue] = changes.map { change in
            switch change {
            case .added(let path, let value): ["op": "added", "path": .string(path), "new": value]
            case .removed(let path, let value): ["op": "removed", "path": .string(path), "old": value]
            case .changed(let path, let old, let new):
                ["op": "changed", "path": .string(path), "old": old, "new": new]
            }
        }
        return ["equal": .bool(isEqual), "changes": .array(list), "ignored": .int(ignored)]
    }
}
