import LinqJSON

/// Walks a JSON value along a shape and collects the deviations in document order (an object's
/// missing members come after its present ones). Nothing is allocated while the value conforms:
/// there is no path stack; a deviation gets its path as the walk returns through each level.
struct ShapeChecker {
    let definitions: [Shape]
    /// Deviations found so far, each with its path innermost step first.
    private(set) var found: [(path: [PathComponent], kind: ShapeDeviation.Kind, message: String)] = []

    init(definitions: [Shape]) { self.definitions = definitions }

    /// The deviations, with their paths written out.
    var deviations: [ShapeDeviation] {
        found.map { ShapeDeviation(path: ShapeText.render($0.path.reversed()), kind: $0.kind, message: $0.message) }
    }

    mutating func check(_ value: JSONValue, _ shape: Shape) {
        switch shape {
        case .any: return
        case .reference(let index): check(value, definitions[index])
        case .string: if case .string = value {} else { wrongType(value, shape) }
        case .number: if case .number = value {} else { wrongType(value, shape) }
        case .boolean: if case .bool = value {} else { wrongType(value, shape) }
        case .integer:
            guard case .number(let text) = value, ShapeText.isIntegral(text) else { return wrongType(value, shape) }
        case .dateTime:
            guard case .string(let text) = value else { return wrongType(value, shape) }
            if !ShapeText.isDateTime(text) {
                report(.notDateTime, "\(ShapeText.quoted(text)) is not a date-time (RFC 3339)")
            }
        case .enumeration(let enumeration):
            guard case .string(let text) = value else { return wrongType(value, shape) }
            if !enumeration.contains(text) { notInEnum(text, enumeration.values) }
        case .array(let elementShape):
            guard case .array(let elements) = value else { return wrongType(value, shape) }
            for i in elements.indices { check(elements[i], elementShape, at: .index(i)) }
        case .map(let valueShape):
            guard case .object(let object) = value else { return wrongType(value, shape) }
            for member in object.members { check(member.value, valueShape, at: .key(member.key)) }
        case .object(let objectShape):
            guard case .object(let object) = value else { return wrongType(value, shape) }
            checkObject(object, objectShape)
        case .union(let union):
            checkUnion(value, union, shape)
        }
    }

    /// `check` one level down: deviations found there get `step` on their path.
    private mutating func check(_ value: JSONValue, _ shape: Shape, at step: @autoclosure () -> PathComponent) {
        let before = found.count
        check(value, shape)
        if found.count > before { under(step(), from: before) }
    }

    /// Puts `step` on the paths of the deviations found since `start`.
    private mutating func under(_ step: PathComponent, from start: Int) {
        for i in start..<found.count { found[i].path.append(step) }
    }

    private mutating func checkObject(_ object: JSONObject, _ shape: ObjectShape) {
        var requiredSeen = 0
        var next = 0  // members usually come in the model's order: look there first
        for member in object.members {
            guard let i = shape.field(named: member.key, from: next) else { continue }  // unknown members are allowed
            next = i + 1
            let field = shape.fields[i]
            if field.required { requiredSeen += 1 }
            if case .null = member.value {
                if !field.nullable {
                    report(.null, "is null, expected \(expected(field.shape))")
                    under(.key(member.key), from: found.count - 1)
                }
                continue
            }
            check(member.value, field.shape, at: .key(member.key))
        }
        guard requiredSeen < shape.requiredCount else { return }
        for field in shape.fields where field.required && object[field.name] == nil {
            report(.missing, "is missing (required)")
            under(.key(field.name), from: found.count - 1)
        }
    }

    private mutating func checkUnion(_ value: JSONValue, _ union: UnionShape, _ shape: Shape) {
        if let discriminator = union.discriminator {
            guard case .object(let object) = value else { return wrongType(value, shape) }
            guard let tag = object[discriminator] else {
                report(.missing, "is missing (required)")
                return under(.key(discriminator), from: found.count - 1)
            }
            guard case .string(let text) = tag, let member = union.member(tagged: text) else {
                if case .string(let text) = tag { notInEnum(text, union.values) } else { wrongType(tag, .string) }
                return under(.key(discriminator), from: found.count - 1)
            }
            return check(value, union.members[member])
        }
        var best: ShapeChecker?
        for member in union.members {
            var trial = ShapeChecker(definitions: definitions)
            trial.check(value, member)
            if trial.found.isEmpty { return }
            if best == nil || trial.found.count < best!.found.count { best = trial }
        }
        guard let best else { return }
        if best.found.count == 1, best.found[0].kind == .wrongType, best.found[0].path.isEmpty {
            report(.noUnionMember, "is \(ShapeText.describe(value)), expected \(expected(shape))")
        } else {
            found += best.found
        }
    }

    private mutating func report(_ kind: ShapeDeviation.Kind, _ message: String) {
        found.append(([], kind, message))
    }

    private mutating func wrongType(_ value: JSONValue, _ shape: Shape) {
        if case .null = value { return report(.null, "is null, expected \(expected(shape))") }
        report(.wrongType, "is \(ShapeText.describe(value)), expected \(expected(shape))")
    }

    private mutating func notInEnum(_ text: String, _ values: [String]) {
        report(.notInEnum, "\(ShapeText.quoted(text)) is not one of \(ShapeText.list(values))")
    }

    /// What a shape expects, in a message: `string`, `integer`, `date-time string`, `object`, `text or media`.
    func expected(_ shape: Shape) -> String {
        switch shape {
        case .string, .enumeration: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .dateTime: "date-time string"
        case .any: "any value"
        case .array: "array"
        case .map, .object: "object"
        case .reference(let index): expected(definitions[index])
        case .union(let union):
            union.discriminator != nil ? "object" : union.members.map { expected($0) }.joined(separator: " or ")
        }
    }
}

/// One step of a path into a JSON value.
enum PathComponent: Sendable {
    case key(String)
    case index(Int)
}
