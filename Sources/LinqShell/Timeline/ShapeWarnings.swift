import LinqCore

/// How a timeline entry's body departs from its operation's documented shape, one line each.
enum ShapeWarnings {
    /// The deviations of an exchange's response (none for deliveries, failures without a body,
    /// or operations without a documented shape).
    static func of(_ entry: TimelineEntry) -> [String] {
        []
    }
}
