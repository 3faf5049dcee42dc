import LinqJSON

/// The generated document (`ResponseShapes.document`) parsed into shapes, once, on first use.
struct ShapeCatalog: Sendable {
    /// The named definitions that `Shape.reference` points into.
    let definitions: [Shape]
    /// Operation id → the shape of its success body; absent when the operation answers with none.
    let responses: [String: Shape]
    /// Every operation of the document (those answering with no body too).
    let operationIDs: Set<String>

    /// Parsed on first use; the document is generated and valid, so a failure is a programming error.
    static let shared: ShapeCatalog = {
        do {
            return try ShapeCatalog(document: JSONValue.parse(ResponseShapes.document))
        } catch {
            preconditionFailure("ResponseShapes.document: \(error) (run scripts/gen-shapes)")
        }
    }()

    init(document: JSONValue) throws(ShapeDocumentError) {
        guard let definitions = document["definitions"]?.objectValue,
            let operations = document["responses"]?.objectValue
        else { throw ShapeDocumentError("the document needs \"definitions\" and \"responses\" objects") }
        let reader = ShapeReader(definitions: definitions)
        self.definitions = try definitions.map { member throws(ShapeDocumentError) in
            try reader.shape(member.value)
        }
        var responses: [String: Shape] = [:]
        for member in operations where !member.value.isNull {
            responses[member.key] = try reader.shape(member.value)
        }
        self.responses = responses
        self.operationIDs = Set(operations.map(\.key))
    }
}

/// A document that does not follow the format described in `ResponseShapes+Data.swift`.
struct ShapeDocumentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
