import Testing

@testable import LinqShell

/// The shortcuts a command's lookup and binding take (an index by first word, common flags
/// read by their spelling) find exactly what the command table says.
@Suite struct CommonFlagTests {
    /// Binding reads each common flag's values by its spelling (the parameter is not built per
    /// command): every parameter must be named so.
    @Test func eachCommonFlagsParameterIsNamedAsTheFlagIsSpelled() {
        for flag in CommonFlag.allCases {
            #expect(flag.parameter.name == flag.rawValue, "\(flag)")
            #expect(flag.parameter.spellings.first == flag.rawValue, "\(flag)")
        }
    }

    /// The index by first word finds what a walk over the table finds, for every spelling.
    @Test func theFirstWordIndexMatchesTheTable() {
        let spellings = Set(CommandRegistry.all.flatMap { [$0.words[0]] + ($0.wordAliases.first ?? []) })
        for word in spellings.union(["nope", ""]) {
            let walked = CommandRegistry.all.filter { $0.accepts(word, at: 0) }.map(\.words)
            #expect(CommandRegistry.commands(startingWith: word).map(\.words) == walked, "\(word)")
        }
    }
}
