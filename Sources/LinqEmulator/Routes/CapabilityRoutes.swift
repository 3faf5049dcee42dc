import LinqJSON

/// Capability checks (reference §D.16): iMessage and RCS availability of an address.
enum CapabilityRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
