import LinqJSON

/// Reads one shape of the generated document (the format is described at the top of
/// `ResponseShapes+Data.swift`); references become indices into the definitions.
struct ShapeReader {
    let definitions: JSONObject
    let indexByName: [String: Int]

    init(definitions: JSONObject) {
        self.definitions = definitions
        var index: [String: Int] = [:]
        for (i, member) in definitions.enumerated() { index[member.key] = i }
        self.indexByName = index
    }

    func shape(_ value: JSONValue) throws(ShapeDocumentError) -> Shape {
        if let word = value.stringValue { return try scalarOrReference(word) }
        guard let object = value.objectValue, let first = object.first else {
            throw ShapeDocumentError("not a shape: \(value)")
        }
        switch first.key {
        case "enum": return .enumeration(EnumShape(try strings(first.value)))
        case "array": return .array(try shape(first.value))
        case "map": return .map(try shape(first.value))
        case "object": return .object(try objectShape(first.value))
        case "union": return .union(try unionShape(first.value, by: object["by"]?.stringValue))
        default: throw ShapeDocumentError("unknown shape kind \(first.key)")
        }
    }

    private func scalarOrReference(_ word: String) throws(ShapeDocumentError) -> Shape {
        switch word {
        case "string": return .string
        case "integer": return .integer
        case "number": return .number
        case "boolean": return .boolean
        case "date-time": return .dateTime
        case "any": return .any
        default:
            guard word.hasPrefix("#"), let index = indexByName[String(word.dropFirst())] else {
                throw ShapeDocumentError("unknown shape \(word)")
            }
            return .reference(index)
        }
    }

    /// `NAME` required, `NAME?` may be absent or null, `NAME~` required but may be null, `NAME-` may be absent.
    private func objectShape(_ value: JSONValue) throws(ShapeDocumentError) -> ObjectShape {
        guard let members = value.objectValue else { throw ShapeDocumentError("object fields must be an object") }
        var fields: [ShapeField] = []
        fields.reserveCapacity(members.count)
        for member in members {
            var name = member.key
            var required = true
            var nullable = false
            switch name.last {
            case "?": (required, nullable) = (false, true)
            case "~": (required, nullable) = (true, true)
            case "-": (required, nullable) = (false, false)
            default: break
            }
            if !required || nullable { name.removeLast() }
            fields.append(
                ShapeField(name: name, shape: try shape(member.value), required: required, nullable: nullable))
        }
        return ObjectShape(fields)
    }

    private func unionShape(_ value: JSONValue, by discriminator: String?) throws(ShapeDocumentError) -> UnionShape {
        guard let raw = value.arrayValue, !raw.isEmpty else { throw ShapeDocumentError("a union needs members") }
        let members = try raw.map { member throws(ShapeDocumentError) in try shape(member) }
        var values: [String] = []
        var memberOfValue: [Int] = []
        if let discriminator {
            for (i, member) in raw.enumerated() {
                for tag in try discriminatorValues(member, field: discriminator) {
                    values.append(tag)
                    memberOfValue.append(i)
                }
            }
        }
        return UnionShape(members: members, discriminator: discriminator, values: values, memberOfValue: memberOfValue)
    }

    /// The enum values a union member's discriminator field takes, following references.
    private func discriminatorValues(_ member: JSONValue, field: String) throws(ShapeDocumentError) -> [String] {
        var current = member
        while let word = current.stringValue, word.hasPrefix("#") {
            guard let next = definitions[String(word.dropFirst())] else { throw ShapeDocumentError("unknown \(word)") }
            current = next
        }
        guard let values = current["object"]?[field]?["enum"] else {
            throw ShapeDocumentError("a union member without an enum \(field)")
        }
        return try strings(values)
    }

    private func strings(_ value: JSONValue) throws(ShapeDocumentError) -> [String] {
        guard let array = value.arrayValue else { throw ShapeDocumentError("expected a list of strings") }
        return try array.map { element throws(ShapeDocumentError) in
            guard let s = element.stringValue else { throw ShapeDocumentError("expected a string: \(element)") }
            return s
        }
    }
}
