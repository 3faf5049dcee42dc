import LinqJSON

/// Payment requests and agent payments (reference §D.19–D.20).
enum PaymentRoutes {
    static let routes: [Route] = []

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
