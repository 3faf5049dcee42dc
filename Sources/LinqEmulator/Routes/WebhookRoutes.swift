import LinqJSON

/// Webhook events and subscriptions (reference §D.17): event types, create (secret only here), list, get, update, delete.
enum WebhookRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
