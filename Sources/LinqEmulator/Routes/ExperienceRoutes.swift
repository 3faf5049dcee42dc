import LinqJSON

/// Experiences (reference §D.18): the fixed catalog of iMessage-app cards a partner may send —
/// `agentpay/request_payment`, `agentcard/attach_card`, `agentcard/approve_card`, `link/open` —
/// listed by `GET /v3/experiences` and one by one by `GET /v3/experiences/{experience}`.
///
/// Choices where the sources are silent: an unknown experience is the API's generic 404
/// (`2001`, `Resource not found`); the fields of every action except `request_payment`
/// (`checkout_url`, `title`, `note`) and all `max` lengths are the emulator's own.
/// The catalog is seeded into the `experiences` table, which message routes check an `experience`
/// message against.
enum ExperienceRoutes {
    static let routes: [Route] = [
        Route("GET", "/v3/experiences", list),
        Route("GET", "/v3/experiences/{experience}", get),
    ]

    /// One field an action accepts in `params`.
    struct Field: Sendable {
        var name: String
        /// `string`, `cents`, `int` or `url` (a `url` value must be an absolute https URL).
        var type: String
        var required: Bool
        /// Maximum length, for strings.
        var max: Int? = nil
    }

    /// One action of an experience.
    struct Action: Sendable {
        var name: String
        var summary: String
        var fields: [Field]
    }

    /// One experience: its name (as used in `message.experience.name`), display name and actions.
    struct Experience: Sendable {
        var name: String
        var displayName: String
        var actions: [Action]

        /// The API's shape, in the SDK's member order (`actions`, `display_name`, `experience`).
        var json: JSONValue {
            let actions: [JSONValue] = actions.map { action in
                var fields = JSONObject()
                for field in action.fields {
                    var spec = JSONObject()
                    if let max = field.max { spec["max"] = .int(max) }
                    spec["required"] = .bool(field.required)
                    spec["type"] = .string(field.type)
                    fields[field.name] = .object(spec)
                }
                return ["fields": .object(fields), "name": .string(action.name), "summary": .string(action.summary)]
            }
            return ["actions": .array(actions), "display_name": .string(displayName), "experience": .string(name)]
        }
    }

    /// Every experience enabled for every emulated partner.
    static let catalog: [Experience] = [
        Experience(
            name: "agentpay", displayName: "Agent Pay",
            actions: [
                Action(
                    name: "request_payment",
                    summary:
                        "A payment request they can pay in the app. Turns itself into \"Paid\" in place once it settles.",
                    fields: [
                        Field(name: "checkout_url", type: "url", required: true),
                        Field(name: "title", type: "string", required: false, max: 60),
                        Field(name: "note", type: "string", required: false, max: 140),
                    ])
            ]),
        Experience(
            name: "agentcard", displayName: "Agent Card",
            actions: [
                Action(
                    name: "attach_card", summary: "A prompt to add a card to their wallet.",
                    fields: [
                        Field(name: "attach_url", type: "url", required: true),
                        Field(name: "title", type: "string", required: false, max: 60),
                    ]),
                Action(
                    name: "approve_card", summary: "A passkey approval for a virtual card.",
                    fields: [
                        Field(name: "approval_url", type: "url", required: true),
                        Field(name: "title", type: "string", required: false, max: 60),
                    ]),
            ]),
        Experience(
            name: "link", displayName: "Link",
            actions: [
                Action(
                    name: "open", summary: "A card that opens a URL you supply.",
                    fields: [
                        Field(name: "url", type: "url", required: true),
                        Field(name: "title", type: "string", required: false, max: 60),
                        Field(name: "subtitle", type: "string", required: false, max: 120),
                    ])
            ]),
    ]

    /// The action `action` of experience `name`, if the catalog has it.
    static func action(_ name: String, _ action: String) -> Action? {
        catalog.first { $0.name == name }?.actions.first { $0.name == action }
    }

    /// The store table: one row per experience, keyed by name, in the API's shape (message routes
    /// check `experience` messages against it).
    static let table = "experiences"

    /// The experiences in the store (the catalog when an older state file has none).
    static func experiences(_ store: EmulatorStore) -> [JSONObject] {
        let rows = store[table: table].all
        return rows.isEmpty ? catalog.compactMap(\.json.objectValue) : rows
    }

    /// `GET /v3/experiences` → `{experiences}`.
    static func list(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, ["experiences": .array(experiences(store).map(\.publicView))])
    }

    /// `GET /v3/experiences/{experience}` → the experience, else 404 (`2001`, `Resource not found`).
    static func get(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let name = context.param("experience")
        guard let experience = experiences(store).first(where: { $0["experience"]?.stringValue == name }) else {
            throw APIFailure(2001, message: "Resource not found")
        }
        return .json(200, experience.publicView)
    }

    /// Writes the catalog into the `experiences` table.
    static func seed(_ store: inout EmulatorStore, now: Double) {
        for experience in catalog {
            store[table: table][experience.name] = experience.json.objectValue
        }
    }
}
