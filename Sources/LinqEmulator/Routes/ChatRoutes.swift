import LinqJSON

/// Chats (reference §D.3–D.6, D.9 create poll, D.10 location, D.11 background): create, list, get, update, leave, read, voice memo, participants, typing, chat messages, polls, location, background.
enum ChatRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
