import Foundation
import TestSupport
import Testing

/// Every ```` ```linq ```` block of the README runs as printed on a fresh emulator (issue 11:
/// "the README's first script fails at line 3" must not happen again).
@Suite(.ownThread) struct ReadmeExampleTests {
    /// The README's `linq` blocks, in order.
    static func blocks() throws -> [String] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```linq" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theReadmeHasScriptExamples() throws {
        #expect(try Self.blocks().count >= 3)
    }

    @Test(arguments: 0..<8)
    func eachExampleRunsAsPrinted(_ index: Int) throws {
        let blocks = try Self.blocks()
        guard index < blocks.count else { return }
        let home = TempDirectory()
        defer { home.remove() }
        let script = home.file("example\(index).linq")
        writeTextFile(script, blocks[index])
        let result = try LinqBinary.run(["--fresh", script], environment: LinqBinary.environment(home: home.path))
        #expect(result.status == 0, "README example \(index + 1):\n\(blocks[index])\n\(result.stderr)")
        #expect(!result.stderr.contains("error:") || result.stderr.contains("(expected)"))
    }
}
