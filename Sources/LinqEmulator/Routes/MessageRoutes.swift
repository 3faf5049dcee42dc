import LinqJSON

/// Messages (reference §D.7–D.9): send without a chat, get, edit, delete, thread, reactions, sticker placement, app-card update, polls.
enum MessageRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
