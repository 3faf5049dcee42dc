import LinqCore
import LinqJSON
import Testing

@testable import LinqShell

/// The timeline's bounds and order, the JSON diff, and replay's edits (issue 20).
@Suite struct TimelineUnitTests {
    func exchange(_ path: String, body: String = "{}", status: Int = 200) -> Exchange {
        let request = HTTPRequestData(method: "GET", url: "http://127.0.0.1:1/api/partner" + path)
        let response = LinqResponse(
            status: status, headers: [], body: Array(body.utf8), duration: .milliseconds(1), attempts: 1,
            request: request)
        return Exchange(command: nil, operation: nil, request: request, response: response, error: nil)
    }

    @Test func theTimelineKeepsItsLastThousandAndCutsOlderLargeBodies() {
        let timeline = Timeline()
        let big = "\"" + String(repeating: "x", count: Timeline.maxBodyKept * 2) + "\""
        timeline.record(exchange("/v3/big", body: big))
        #expect(timeline.lastExchange?.response?.body.count == big.utf8.count, "the newest is whole")
        timeline.record(exchange("/v3/next"))
        guard case .exchange(let cut)? = timeline.entry(1)?.kind else {
            Issue.record("entry 1 is kept")
            return
        }
        #expect(cut.response?.body.count == Timeline.maxBodyKept)
        #expect(cut.truncatedFrom == big.utf8.count)
        for i in 0..<1200 { timeline.record(exchange("/v3/n\(i)")) }
        let entries = timeline.entries
        #expect(entries.count <= Timeline.limit + Timeline.limit / 10 && entries.count >= Timeline.limit)
        #expect(entries.last?.number == 1202)
        #expect(timeline.entry(1) == nil)
        #expect(timeline.missing(1).contains("no longer in the timeline"))
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.number + 1 == $1.number })
    }

    @Test func anExchangeComesBeforeTheDeliveriesThatArrivedWhileItRan() {
        let timeline = Timeline()
        let reserved = timeline.reserve()
        let event = timeline.record(
            ReceivedEvent(
                number: 0, eventType: "message.sent", eventID: "e", method: "POST", path: "/", headers: [], body: [],
                json: nil, verification: .unchecked))
        timeline.record(exchange("/v3/chats/x/messages"), reserved: reserved)
        #expect(event.number == 2)
        #expect(timeline.entries.map(\.number) == [1, 2])
        if case .exchange = timeline.entries.first?.kind {} else { Issue.record("the exchange is first") }
        #expect(timeline.events(from: 1).map(\.number) == [2])
    }

    @Test func theDiffListsChangesInDocumentOrderAndLeavesOutVolatileValues() throws {
        let old = try JSONValue.parse(
            #"{"id":"a","name":"Ann","gone":1,"tags":["x"],"updated_at":"2026-12-07T10:00:00Z","n":1.0}"#)
        let new = try JSONValue.parse(
            #"{"id":"b","name":"Bea","tags":["x","y"],"updated_at":"2026-12-07T11:00:00Z","n":1,"added":true}"#)
        let diff = JSONDiff(old, new)
        #expect(
            diff.changes == [
                .changed("name", old: "Ann", new: "Bea"), .removed("gone", 1), .added("tags[1]", "y"),
                .added("added", true),
            ])
        #expect(diff.ignored == 2, "id and updated_at")
        let all = JSONDiff(old, new, all: true)
        #expect(all.changes.count == 6)
        #expect(JSONDiff(old, old).isEqual)
    }

    @Test func listsOfObjectsWithIdsAreMatchedById() throws {
        let old = try JSONValue.parse(#"{"chats":[{"id":"c1","name":"A"},{"id":"c2","name":"B"}]}"#)
        let new = try JSONValue.parse(
            #"{"chats":[{"id":"c0","name":"Z"},{"id":"c2","name":"B2"},{"id":"c1","name":"A"}]}"#)
        let diff = JSONDiff(old, new)
        #expect(
            diff.changes == [
                .added("chats[0]", try JSONValue.parse(#"{"id":"c0","name":"Z"}"#)),
                .changed("chats[1].name", old: "B", new: "B2"),
            ], "a new chat at the top is one addition, not three changes")
    }

    @Test func replayEditsBodyQueryAndPathParameters() throws {
        let update = APICatalog.operation(id: "contactCard.update")
        let request = HTTPRequestData(
            method: "PATCH", url: "http://h/api/partner/v3/contact_card?phone_number=%2B15551230001",
            headers: [HTTPHeader("Content-Type", "application/json")], body: Array(#"{"first_name":"Ann"}"#.utf8))
        let edited = try ReplayEdit.apply(
            ["first-name=Bea", "phone_number=+15551230002", "extra.list[0]=3"], to: request, operation: update)
        #expect(edited.url == "http://h/api/partner/v3/contact_card?phone_number=%2B15551230002")
        #expect(String(decoding: edited.body ?? [], as: UTF8.self) == #"{"first_name":"Bea","extra":{"list":[3]}}"#)
        let get = APICatalog.operation(id: "chat.get")
        let chat = HTTPRequestData(method: "GET", url: "http://h/api/partner/v3/chats/abc")
        #expect(
            try ReplayEdit.apply(["chatId=x y"], to: chat, operation: get).url == "http://h/api/partner/v3/chats/x%20y")
        #expect(throws: ShellError.self) { try ReplayEdit.apply(["nothing"], to: chat, operation: get) }
    }

    @Test func rawRequestsAreMatchedToTheirOperation() {
        #expect(
            APICatalog.operation(method: "get", url: "http://h/api/partner/v3/chats/abc/messages?limit=1")?.id
                == "message.list")
        #expect(APICatalog.operation(method: "POST", url: "/v3/contact_card")?.id == "contactCard.create")
        #expect(APICatalog.operation(method: "GET", url: "/v3/nowhere") == nil)
    }
}
