extension ResponseShapes {
    /// The member of an operation's success body that holds its list of objects — `chats`,
    /// `messages`, `contact_cards`, `data` — read from the documented shape: an object with exactly
    /// one member that is an array of objects. `nil` for an operation whose answer is not a list
    /// (a chat with its `handles` has other object members; see `APIOperation.listKey`).
    public static func listKey(operationID: String) -> String? {
        let catalog = ShapeCatalog.shared
        guard let response = catalog.responses[operationID], case .object(let object) = resolved(response, catalog)
        else { return nil }
        var key: String?
        for field in object.fields {
            switch resolved(field.shape, catalog) {
            case .array(let element):
                guard key == nil, case .object = resolved(element, catalog) else { return nil }
                key = field.name
            case .object, .map, .union: return nil
            default: continue
            }
        }
        return key
    }

    private static func resolved(_ shape: Shape, _ catalog: ShapeCatalog) -> Shape {
        if case .reference(let index) = shape { return catalog.definitions[index] }
        return shape
    }
}

extension APIOperation {
    /// The member of this operation's answer that holds its list (`chats`, `contact_cards`):
    /// the paginated item key, else the one the documented shape shows; `nil` when it is no list.
    public var listKey: String? {
        switch pagination {
        case .cursor(let key)?, .offset(let key)?: key
        case nil: ResponseShapes.listKey(operationID: id)
        }
    }
}
