import LinqJSON

/// Phone numbers (reference §D.13–D.14): list, forwarding, reputation audits, the deprecated list, available number.
enum NumberRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
