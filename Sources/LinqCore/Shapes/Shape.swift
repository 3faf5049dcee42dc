/// What a JSON value must look like: one node of a response shape, read from the generated
/// document (`ResponseShapes+Data.swift`). Members an object shape does not list are allowed,
/// as the SDK's models allow them.
indirect enum Shape: Sendable {
    case string
    case integer
    case number
    case boolean
    /// A string holding an RFC 3339 date-time (`2025-01-31T12:00:00Z`, `…+02:00`).
    case dateTime
    /// Any JSON value, null included.
    case any
    case enumeration(EnumShape)
    case array(Shape)
    /// An object of any keys whose values all have one shape (a `Dict[str, X]`).
    case map(Shape)
    case object(ObjectShape)
    case union(UnionShape)
    /// A named definition, by its index in `ShapeCatalog.definitions`.
    case reference(Int)
}

/// The strings a value may be, in the SDK's order (for messages); a long list is also kept as a set.
struct EnumShape: Sendable {
    let values: [String]
    private let allowed: Set<String>?

    init(_ values: [String]) {
        self.values = values
        self.allowed = values.count > 12 ? Set(values) : nil  // a short list is faster to scan than to hash
    }

    func contains(_ value: String) -> Bool {
        if let allowed { return allowed.contains(value) }
        return values.contains(value)
    }
}

/// One member an object shape knows.
struct ShapeField: Sendable {
    let name: String
    let shape: Shape
    /// The member must be present.
    let required: Bool
    /// The member may be `null`.
    let nullable: Bool
}

/// An object's known members, in the SDK's order.
struct ObjectShape: Sendable {
    let fields: [ShapeField]
    let requiredCount: Int

    init(_ fields: [ShapeField]) {
        self.fields = fields
        self.requiredCount = fields.count(where: \.required)
    }

    /// The index of the field named `name`, looked for from `start` on and then before it (an
    /// object's members usually come in the model's order, so the first comparison most often hits).
    func field(named name: String, from start: Int) -> Int? {
        var i = start
        while i < fields.count {
            if fields[i].name == name { return i }
            i += 1
        }
        i = 0
        while i < min(start, fields.count) {
            if fields[i].name == name { return i }
            i += 1
        }
        return nil
    }
}

/// One of several shapes. With a discriminator, the member is chosen by the value of that field
/// (`type`: `text`, `media`, …); without one, the value must fit at least one member.
struct UnionShape: Sendable {
    let members: [Shape]
    let discriminator: String?
    /// The discriminator values in member order (for messages) and the member each selects.
    let values: [String]
    let memberOfValue: [Int]

    /// The member a discriminator value selects (a short list: scanned, not hashed).
    func member(tagged tag: String) -> Int? {
        values.firstIndex(of: tag).map { memberOfValue[$0] }
    }
}
