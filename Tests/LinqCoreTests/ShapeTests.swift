import Foundation
import LinqCore
import LinqEmulator
import LinqJSON
import TestSupport
import Testing

/// Response shapes from the official SDK (`ResponseShapes`): answers of the in-process emulator
/// conform; a changed answer shows each deviation, one line each, in document order; every catalog
/// operation has its SDK method and, unless it answers with no body, a shape; the generated data is
/// what `scripts/gen-shapes` makes of the installed SDK.
@Suite(.ownThread) struct ShapeTests {
    /// The operations the SDK types as returning `None`.
    static let bodiless: Set<String> = [
        "attachment.delete", "blocked.remove", "chat.read", "typing.start", "typing.stop", "background.set",
        "background.reset", "contactCard.share", "message.delete", "webhook.delete",
    ]

    @Test func theEmulatorsAnswersConform() async throws {
        let chat: JSONValue = .string(SeedData.chatID(1))
        for (id, arguments) in [
            ("chat.list", [:]), ("chat.get", ["chatId": chat]), ("message.list", ["chatId": chat]),
            ("chat.create", ["to": ["+15557770021"], "from": "+15551230001", "text": "Hello"]),
            ("webhook.list", [:]), ("number.list", [:]), ("poll.get", ["messageId": .string(SeedData.IDs.pollMessage)]),
        ] as [(String, [String: JSONValue])] {
            let (status, body) = try await answer(id, arguments)
            #expect(ResponseShapes.check(body, operationID: id, status: status) == [], "\(id)")
        }
    }

    @Test func extraMembersAreNotDeviations() async throws {
        var (_, body) = try await answer("chat.list")
        body = body.replacing(["chats", 0, "brand_new"], with: ["nested": true])
        body = body.replacing(["chats", 0, "handles", 1, "also_new"], with: 1)
        body = body.replacing(["next_page_token"], with: "x")
        #expect(ResponseShapes.check(body, operationID: "chat.list", status: 200) == [])
    }

    @Test func aMissingRequiredMember() async throws {
        let (status, body) = try await answer(
            "chat.create", ["to": ["+15557770021"], "from": "+15551230001", "text": "Hello"])
        let broken = body.replacing(["chat", "id"], with: nil)
        #expect(texts(broken, "chat.create", status) == ["chat.id is missing (required)"])
        // Optional members may be left out.
        let trimmed = body.replacing(["chat", "display_name"], with: nil)
        #expect(texts(trimmed, "chat.create", status) == [])
    }

    @Test func aChangedEnumValue() async throws {
        let (_, body) = try await answer("chat.list")
        let changed = body.replacing(["chats", 0, "service"], with: "Carrier")
        #expect(texts(changed, "chat.list") == [#"chats[0].service "Carrier" is not one of iMessage, SMS, RCS"#])
        let deviation = try #require(ResponseShapes.check(changed, operationID: "chat.list", status: 200)?.first)
        #expect(deviation.kind == .notInEnum)
        #expect(deviation.path == "chats[0].service")
    }

    @Test func aChangedType() async throws {
        let (status, body) = try await answer(
            "chat.create", ["to": ["+15557770021"], "from": "+15551230001", "text": "Hello"])
        let changed = body.replacing(["chat", "is_group"], with: "yes")
        #expect(texts(changed, "chat.create", status) == [#"chat.is_group is a string ("yes"), expected boolean"#])
        let object = body.replacing(["chat", "handles"], with: ["a": 1])
        #expect(texts(object, "chat.create", status) == ["chat.handles is an object, expected array"])
    }

    @Test func aNullWhereTheModelHasNoOptional() async throws {
        let (client, _) = try makeInProcessClient(retry: .none)
        let created = try await client.perform(
            APICatalog.operation(id: "contactCard.create"),
            arguments: ["phone_number": "+15551230001", "first_name": "John", "last_name": "Doe"])
        let card = try created.parseJSON()
        #expect(texts(card, "contactCard.create") == [])
        #expect(
            texts(card.replacing(["first_name"], with: .null), "contactCard.create") == [
                "first_name is null, expected string"
            ])
        let listed = try await client.perform(APICatalog.operation(id: "contactCard.get"), arguments: [:]).parseJSON()
        let nulled = listed.replacing(["contact_cards", 0, "is_active"], with: .null)
        #expect(texts(nulled, "contactCard.get") == ["contact_cards[0].is_active is null, expected boolean"])
        // last_name is Optional in the SDK's model: null is fine.
        #expect(texts(listed.replacing(["contact_cards", 0, "last_name"], with: .null), "contactCard.get") == [])
    }

    @Test func nestedArraysAndDocumentOrder() async throws {
        let (_, body) = try await answer("chat.list")
        var changed = body.replacing(["chats", 1, "handles", 0, "service"], with: "Fax")
        changed = changed.replacing(["chats", 0, "handles", 1, "joined_at"], with: "yesterday")
        changed = changed.replacing(["chats", 0, "id"], with: nil)
        changed = changed.replacing(["chats", 0, "is_archived"], with: 0)
        #expect(
            texts(changed, "chat.list") == [
                #"chats[0].handles[1].joined_at "yesterday" is not a date-time (RFC 3339)"#,
                "chats[0].is_archived is a number (0), expected boolean",
                "chats[0].id is missing (required)",
                #"chats[1].handles[0].service "Fax" is not one of iMessage, SMS, RCS"#,
            ])
    }

    @Test func unionMembersAreChosenByTheirType() async throws {
        let (_, message) = try await answer("message.get", ["messageId": .string(SeedData.IDs.message(1))])
        let unknown = message.replacing(["parts", 0, "type"], with: "hologram")
        #expect(
            texts(unknown, "message.get") == [
                #"parts[0].type "hologram" is not one of text, media, link, imessage_app, app_clip"#
            ])
        // A text part turned into a media part lacks what a media part needs.
        let media = message.replacing(["parts", 0, "type"], with: "media")
        #expect(
            texts(media, "message.get") == [
                "parts[0].id is missing (required)", "parts[0].filename is missing (required)",
                "parts[0].mime_type is missing (required)", "parts[0].size_bytes is missing (required)",
                "parts[0].url is missing (required)",
            ])
        #expect(
            texts(message.replacing(["parts", 0], with: "hi"), "message.get") == [
                #"parts[0] is a string ("hi"), expected object"#
            ])
    }

    @Test func integersAndDateTimes() async throws {
        let (_, poll) = try await answer("poll.get", ["messageId": .string(SeedData.IDs.pollMessage)])
        #expect(texts(poll.replacing(["poll", "total_voters"], with: .number("2.0")), "poll.get") == [])
        #expect(
            texts(poll.replacing(["poll", "total_voters"], with: .number("1.5")), "poll.get") == [
                "poll.total_voters is a number (1.5), expected integer"
            ])
        for good in ["2025-01-31T12:00:00Z", "2025-01-31T12:00:00.123456+02:00", "2025-01-31 12:00:00z"] {
            #expect(texts(poll.replacing(["created_at"], with: .string(good)), "poll.get") == [], "\(good)")
        }
        for bad in ["2025-13-01T12:00:00Z", "2025-01-31T12:00:00", "2025-01-31", "1706702400", "2025-01-31T12:00Z"] {
            #expect(
                texts(poll.replacing(["created_at"], with: .string(bad)), "poll.get") == [
                    "created_at \"\(bad)\" is not a date-time (RFC 3339)"
                ])
        }
        #expect(
            texts(poll.replacing(["created_at"], with: 1_706_702_400), "poll.get") == [
                "created_at is a number (1706702400), expected date-time string"
            ])
    }

    @Test func valuesAreEscapedAndShortened() async throws {
        let (_, body) = try await answer("chat.list")
        let hostile = "\u{1B}]0;pwned\u{07}\n" + String(repeating: "x", count: 100) + "\""
        let changed = body.replacing(["chats", 0, "service"], with: .string(hostile))
        let text = try #require(texts(changed, "chat.list")?.first)
        #expect(text.hasPrefix(#"chats[0].service "\e]0;pwned\a\nxxx"#))
        #expect(text.contains("…\" is not one of"))
        #expect(!text.contains("\u{1B}") && !text.contains("\n") && text.count < 120)
        let key = body.replacing(["chats", 0, "handles", 0, "service"], with: 7)
        #expect(texts(key, "chat.list") == ["chats[0].handles[0].service is a number (7), expected string"])
        // A long enum list is cut.
        let (_, events) = try await answer("webhook.events")
        let list = try #require(texts(events.replacing(["events", 0], with: "x"), "webhook.events")?.first)
        #expect(list.hasPrefix(#"events[0] "x" is not one of message.sent, message.received, "#), "\(list)")
        #expect(list.hasSuffix(", … (75 in all)"), "\(list)")  // the SDK's WebhookEventType
    }

    @Test func aBodyOfAnotherTypeAtTheTop() {
        #expect(texts([1, 2], "chat.get") == ["body is an array, expected object"])
        #expect(texts(.null, "chat.get") == ["body is null, expected object"])
    }

    @Test func noShapeIsKnownForUnknownOperationsBodilessAnswersAndOtherStatuses() {
        #expect(ResponseShapes.check([:], operationID: "chat.nope", status: 200) == nil)
        #expect(ResponseShapes.check([:], operationID: "chat.read", status: 204) == nil)
        #expect(ResponseShapes.check([:], operationID: "chat.get", status: 302) == nil)
        #expect(ResponseShapes.check([:], operationID: "chat.nope", status: 404) == nil)
        #expect(ResponseShapes.hasShape(operationID: "chat.get", status: 200))
        #expect(!ResponseShapes.hasShape(operationID: "typing.start", status: 204))
    }

    @Test func errorEnvelopesAreCheckedAsTheReferenceDocumentsThem() async throws {
        let (status, body) = try await answer("chat.get", ["chatId": "7b3c3a10-0001-4c2e-9a51-0000000000ff"])
        #expect(status == 404)
        #expect(ResponseShapes.check(body, operationID: "chat.get", status: status) == [])
        let broken: JSONValue = ["error": ["status": 404, "code": "2001"]]
        #expect(
            texts(broken, "chat.get", 404) == [
                #"error.code is a string ("2001"), expected integer"#, "error.message is missing (required)",
            ])
    }

    @Test func everyOperationHasAShapeUnlessItAnswersWithNoBody() {
        let ids = Set(APICatalog.operations.map(\.id))
        #expect(ids.count == 70)
        #expect(ResponseShapes.operationIDs == ids)
        for operation in APICatalog.operations {
            let hasBody = ResponseShapes.answersWithBody(operationID: operation.id)
            #expect(hasBody == !Self.bodiless.contains(operation.id), "\(operation.id)")
            if operation.successStatus == 204 { #expect(hasBody == false, "\(operation.id)") }
            #expect(
                ResponseShapes.hasShape(operationID: operation.id, status: operation.successStatus ?? 200) == hasBody)
        }
    }

    @Test(.enabled(if: Self.venvExists, "the Python venv (.venv) is missing: scripts/test creates it"))
    func theGeneratedDataIsWhatTheSDKGives() throws {
        let result = try LinqBinary.runExecutable(
            Self.root + "/.venv/bin/python", [Self.root + "/scripts/gen-shapes", "--check"],
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// The cost of checking a typical answer (a page of 20 messages, and one chat): printed, not
    /// bounded (speed is measured by scripts/bench; a debug build under a loaded machine says
    /// nothing about it). The checks themselves must find both answers conforming.
    @Test func checkingIsCheap() async throws {
        let (client, _) = try makeInProcessClient()
        for n in 0..<20 {
            _ = try await client.perform(
                APICatalog.operation(id: "message.send"),
                arguments: ["chatId": .string(SeedData.chatID(1)), "text": .string("message \(n)")])
        }
        let page = try await client.perform(
            APICatalog.operation(id: "message.list"), arguments: ["chatId": .string(SeedData.chatID(1))]
        ).parseJSON()
        let chat = try await client.perform(
            APICatalog.operation(id: "chat.get"), arguments: ["chatId": .string(SeedData.chatID(1))]
        ).parseJSON()
        #expect(ResponseShapes.check(page, operationID: "message.list", status: 200) == [])
        let rounds = 2000
        let clock = ContinuousClock()
        let pageTime = clock.measure {
            for _ in 0..<rounds { _ = ResponseShapes.check(page, operationID: "message.list", status: 200) }
        }
        let chatTime = clock.measure {
            for _ in 0..<rounds { _ = ResponseShapes.check(chat, operationID: "chat.get", status: 200) }
        }
        print("shape check: \(pageTime / rounds) per page of 20 messages, \(chatTime / rounds) per chat")
        #expect(ResponseShapes.check(chat, operationID: "chat.get", status: 200) == [])
    }

    // MARK: helpers

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let venvExists = FileManager.default.isExecutableFile(atPath: root + "/.venv/bin/python")

    /// The in-process emulator's answer to one operation: status and body.
    func answer(_ id: String, _ arguments: [String: JSONValue] = [:]) async throws -> (Int, JSONValue) {
        let (client, _) = try makeInProcessClient(retry: .none)
        let response: LinqResponse
        do {
            response = try await client.perform(APICatalog.operation(id: id), arguments: arguments)
        } catch {
            guard let failed = error.response else { throw error }
            response = failed
        }
        return (response.status, try response.parseJSON())
    }

    /// The deviations as printed.
    func texts(_ body: JSONValue, _ id: String, _ status: Int = 200) -> [String]? {
        ResponseShapes.check(body, operationID: id, status: status)?.map(\.description)
    }
}

/// One step into a JSON value, for building changed answers.
enum JSONStep: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)
    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

extension JSONValue {
    /// This value with the one at `path` replaced by `new` (`nil` removes an object member).
    func replacing(_ path: [JSONStep], with new: JSONValue?) -> JSONValue {
        guard let step = path.first else { return new ?? .null }
        let rest = Array(path.dropFirst())
        switch (self, step) {
        case (.object(var object), .key(let key)):
            if rest.isEmpty {
                object[key] = new
            } else if let inner = object[key] {
                object[key] = inner.replacing(rest, with: new)
            }
            return .object(object)
        case (.array(var elements), .index(let i)) where elements.indices.contains(i):
            elements[i] = elements[i].replacing(rest, with: new)
            return .array(elements)
        default:
            return self
        }
    }
}
