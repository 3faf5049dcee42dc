import Foundation
import LinqJSON
import Testing

/// `DirectoryListing` reads names in place: every name whole (up to 255 bytes, UTF-8), no `.`/`..`.
@Suite struct DirectoryListingTests {
    @Test func everyNameComesBackWholeWithoutDotEntries() throws {
        let folder = NSTemporaryDirectory() + "linq-listing-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var expected: Set<String> = []
        for length in 1...255 {
            let name = String(repeating: "n", count: length - 1) + (length % 2 == 0 ? "x" : "y")
            expected.insert(name)
            FileManager.default.createFile(atPath: folder + "/" + name, contents: nil)
        }
        expected.insert("Zoë.txt")
        FileManager.default.createFile(atPath: folder + "/Zoë.txt", contents: nil)
        let names = try #require(DirectoryListing.names(in: folder))
        #expect(Set(names) == expected)
        #expect(names.count == expected.count)
        #expect(DirectoryListing.names(in: folder, limit: 10)?.count == 10)
        #expect(DirectoryListing.names(in: folder + "/missing") == nil)
    }
}
