import LinqJSON

/// Experiences (reference §D.18): list and get.
enum ExperienceRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
