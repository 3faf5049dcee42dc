import LinqCore
import LinqJSON
import Testing

@testable import LinqShell

/// Issue 13: a did-you-mean on a long enum leads with the suggestion and lists at most ten
/// values; poll option ids seen in responses complete.
@Suite struct SuggestionTests {
    @Test func aLongEnumShowsTheSuggestionFirstAndTenValues() {
        let message = DidYouMean.notOneOf("--event", "message.delivred", APICatalog.webhookEvents)
        #expect(message.hasPrefix("--event 'message.delivred': did you mean 'message.delivered'"), "\(message)")
        #expect(message.contains("… \(APICatalog.webhookEvents.count - 10) more"))
        #expect(!message.contains(APICatalog.webhookEvents.last!))
        let short = DidYouMean.notOneOf("--type", "zzz", ["a", "b"])
        #expect(short == "--type must be one of a, b, not 'zzz'")
    }

    @Test func pollOptionIdsAreRememberedForCompletion() throws {
        var session = Session()
        let poll = try JSONValue.parse(
            #"{"poll":{"question":"When?","options":[{"option_id":"opt-1","text":"Tue"},{"option_id":"opt-2","text":"Thu"}]}}"#
        )
        IDHarvester.harvest(poll, into: &session)
        #expect(session.seenIDs[.pollOption] == ["opt-1", "opt-2"])
        let vote = APICatalog.operation(id: "poll.vote")
        #expect(vote.parameters.contains { $0.name == "option_id" && $0.type == .identifier(.pollOption) })
    }
}

/// Issue 13: `$variables` complete with their paths.
@Suite struct VariablePathCompletionTests {
    @Test func fieldsAndIndexesOfAVariableComplete() throws {
        var session = Session()
        session.variables["card"] = try JSONValue.parse(#"{"first_name":"Ann","handles":[{"id":"h1"},{"id":"h2"}]}"#)
        let fields = Completer().complete("echo $card.", session: session)
        #expect(fields.candidates == ["$card.first_name", "$card.handles"])
        #expect(fields.descriptions["$card.handles"] == "list of 2")
        let typed = Completer().complete("echo $card.fi", session: session)
        #expect(typed.candidates == ["$card.first_name"])
        let indexes = Completer().complete("echo $card.handles[", session: session)
        #expect(indexes.candidates == ["$card.handles[0]", "$card.handles[1]"])
        let deeper = Completer().complete("echo $card.handles[1].", session: session)
        #expect(deeper.candidates == ["$card.handles[1].id"])
        #expect(Completer().complete("echo $nope.", session: session).candidates.isEmpty)
        #expect(Completer().complete("echo $ca", session: session).candidates == ["$card"])
    }
}

/// Review fixes: the production target whatever the URL's spelling; a delivery's text escaped.
@Suite struct ReviewFixTests {
    @Test(arguments: [
        "https://api.linqapp.com/api/partner/", "HTTPS://API.LINQAPP.COM/api/partner",
        "https://api.linqapp.com:443/api/partner",
    ])
    func theProductionURLIsProductionHoweverSpelled(_ url: String) {
        #expect(Target.classify(url, emulatorURL: nil) == .production)
    }

    @Test func aDeliverysTextCannotDriveTheTerminal() throws {
        let event = ReceivedEvent(
            number: 1, eventType: "\u{1B}]52;c;aGk=\u{07}", eventID: "e", method: "POST", path: "/",
            headers: [], body: [], json: nil, verification: .invalid("bad \u{1B}[2J"))
        let line = WebhookCommands.line(for: event, renderer: Renderer(color: false, output: .pretty, secret: nil))
        #expect(!line.contains("\u{1B}"), "\(line.debugDescription)")
        #expect(line.contains("BAD SIGNATURE"))
    }
}
