import LinqJSON

/// Blocked handles (reference §D.15): list, block, unblock.
enum BlockedHandleRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
