import Testing

@testable import LinqEmulator

/// Trace ids come from a fast generator seeded once: still the W3C shape, never the invalid
/// all-zero id, and unique.
@Suite struct IdentifierTests {
    @Test func traceIDsAreThirtyTwoHexDigitsAndUnique() {
        var seen = Set<String>()
        for _ in 0..<100_000 {
            let id = Identifiers.traceID()
            #expect(id.count == 32)
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
            #expect(id != String(repeating: "0", count: 32))
            seen.insert(id)
        }
        #expect(seen.count == 100_000)
    }
}
