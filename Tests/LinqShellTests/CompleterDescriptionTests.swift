import LinqJSON
import LinqShell
import Testing

/// What the completer tells the line editor besides the candidates: descriptions, `$variables`
/// anywhere, and the right-hand hint of missing required parameters.
@Suite struct CompleterDescriptionTests {
    var session: Session {
        var s = Session()
        s.knownNumbers = ["+15551230001"]
        return s
    }

    @Test func verbsFlagsAndFirstWordsCarryDescriptions() {
        let verbs = Completer().complete("card ", session: session)
        #expect(verbs.descriptions["create"] == "Set up the contact card of one of your lines (one-time)")
        let flags = Completer().complete("card create --", session: session)
        #expect(flags.descriptions["--first"] == "First name on the card (required)")
        #expect(flags.descriptions["--last"] == "Last name on the card")
        let first = Completer().complete("ca", session: session)
        #expect(first.descriptions["card"]?.contains("create, get, update, share") == true)
        let settings = Completer().complete("set ", session: session)
        #expect(settings.descriptions["output"] == Setting.output.summary)
        // Values have none.
        #expect(Completer().complete("set output ", session: session).descriptions.isEmpty)
    }

    /// Groups are described like the API's (issue 18, item 13): a single command by its summary,
    /// a built-in group by what it is about, verbs once.
    @Test func groupsAreDescribedAlike() {
        let require = Completer().complete("req", session: session)
        #expect(
            require.descriptions["require"] == "Stop unless talking to this target (production also allows its writes)")
        let profile = Completer().complete("prof", session: session)
        #expect(profile.descriptions["profile"] == "Saved profiles (key, base URL and number): list, save, use, delete")
        let webhook = Completer().complete("webh", session: session).descriptions["webhook"] ?? ""
        #expect(webhook.components(separatedBy: "listen").count - 1 == 1, "\(webhook)")
        #expect(HelpFormatter.synopsis(CommandRegistry.command(named: ["card", "get"])!).contains("--number"))
        #expect(
            ManPage.render(options: "OPTIONS:\n  --keep-going   Run on.\n").contains(
                ".TP\n.B \\-\\-keep\\-going\nRun on."))
    }

    @Test func aDollarWordCompletesVariablesAnywhere() {
        var s = session
        s.variables["greeting"] = .string("hi")
        s.variables["group"] = .string("x")
        let result = Completer().complete("echo $gr", session: s)
        #expect(result.candidates == ["$greeting", "$group"])
        #expect(Completer().complete("card get $l", session: s).candidates == ["$last"])
    }

    @Test func theHintNamesRequiredParametersNotYetGiven() {
        let c = Completer()
        #expect(c.hint(for: "card create ", session: session) == "--first <string> (required)")
        #expect(c.hint(for: "card create --last Doe", session: session) == "--first <string> (required)")
        #expect(c.hint(for: "card create --first", session: session) == nil)
        #expect(c.hint(for: "card create --first=Jo", session: session) == nil)
        #expect(c.hint(for: "try card create", session: session) == "--first <string> (required)")
        #expect(c.hint(for: "show; card create", session: session) == "--first <string> (required)")
        #expect(c.hint(for: "card", session: session) == nil, "no command yet")
        #expect(c.hint(for: "card get", session: session) == nil, "nothing required")
        #expect(c.hint(for: "zzz ", session: session) == nil)
        #expect(c.hint(for: "", session: session) == nil)
    }
}
