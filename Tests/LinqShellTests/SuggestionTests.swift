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
