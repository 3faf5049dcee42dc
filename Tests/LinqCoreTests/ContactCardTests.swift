import Foundation
import LinqCore
import LinqEmulator
import LinqJSON
import TestSupport
import Testing

/// Every contact-card path of reference §C, through the typed API and the catalog, against the
/// in-process emulator.
@Suite struct ContactCardTests {
    @Test func createStoresAnActiveCardAndGetReturnsIt() async throws {
        let (client, _) = try makeInProcessClient()
        let card = try await client.contactCards.create(
            phoneNumber: Seed.acmeLine1, firstName: "John", lastName: "Doe",
            imageURL: "https://example.com/john.png")
        #expect(card.isActive)
        #expect(card.firstName == "John" && card.lastName == "Doe" && card.phoneNumber == Seed.acmeLine1)
        #expect(card.imageURL?.hasPrefix("https://cdn.linqapp.com/contact-card/") == true)
        #expect(card.imageURL?.hasSuffix(".png") == true)
        let all = try await client.contactCards.get()
        #expect(all == [card])
        #expect(try await client.contactCards.get(phoneNumber: Seed.acmeLine1) == [card])
    }

    @Test func responseKeepsTheDocumentedFieldOrder() async throws {
        let (client, _) = try makeInProcessClient()
        let response = try await client.perform(
            APICatalog.operation(id: "contactCard.create"),
            arguments: ["first_name": "Ann", "phone_number": .string(Seed.acmeLine2)])
        #expect(
            response.json?.objectValue?.keys == ["phone_number", "first_name", "last_name", "image_url", "is_active"])
        #expect(response.status == 200)
        #expect(response.attempts == 1)
    }

    @Test func secondCreateOnAnActiveCardIs409With2014AndNotRetried() async throws {
        let (client, emulator) = try makeInProcessClient()
        _ = try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John")
        let before = emulator.requestCount
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "Jane")
        }
        #expect(error?.kind == .api)
        #expect(error?.status == 409)
        #expect(error?.code == 2014)
        #expect(error?.message == "A contact card already exists for this phone number")
        #expect(error?.docURL == "https://docs.linqapp.com/error/codes/2xxx/2014/")
        #expect(error?.hint?.contains("card update") == true)
        #expect(error?.attempts == 1)
        #expect(emulator.requestCount == before + 1)
        // The card was not overwritten.
        #expect(try await client.contactCards.get(phoneNumber: Seed.acmeLine1).first?.firstName == "John")
    }

    @Test func updateMergesOnlyTheGivenFields() async throws {
        let (client, _) = try makeInProcessClient()
        _ = try await client.contactCards.create(
            phoneNumber: Seed.acmeLine1, firstName: "John", lastName: "Doe", imageURL: "https://example.com/a.jpg")
        let updated = try await client.contactCards.update(phoneNumber: Seed.acmeLine1, lastName: "Smith")
        #expect(updated.firstName == "John")
        #expect(updated.lastName == "Smith")
        #expect(updated.imageURL?.hasSuffix(".jpg") == true)
        #expect(updated.isActive)
    }

    @Test func updateSendsThePhoneNumberInTheQueryAndNamesInTheBody() throws {
        let configuration = LinqConfiguration(apiKey: "k", baseURL: "https://api.example.com/api/partner/")
        let request = try RequestBuilder.build(
            APICatalog.operation(id: "contactCard.update"),
            arguments: ["phone_number": "+15551234567", "first_name": "Zoë"], configuration: configuration)
        #expect(request.method == "PATCH")
        #expect(request.url == "https://api.example.com/api/partner/v3/contact_card?phone_number=%2B15551234567")
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == #"{"first_name":"Zoë"}"#)
        #expect(request.headers.value(for: "Authorization") == "Bearer k")
        #expect(request.headers.value(for: "Content-Type") == "application/json")
        #expect(request.headers.value(for: "User-Agent") == "linq-shell/\(LinqConfiguration.version)")
    }

    @Test func updateOfAMissingCardIs404With2012() async throws {
        let (client, _) = try makeInProcessClient()
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.update(phoneNumber: Seed.acmeLine3, firstName: "X")
        }
        #expect(error?.status == 404)
        #expect(error?.code == 2012)
        #expect(error?.message == "Contact card not found")
    }

    @Test func getByNumberWithoutACardIs404With2012() async throws {
        let (client, _) = try makeInProcessClient()
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.get(phoneNumber: Seed.acmeLine2)
        }
        #expect(error?.code == 2012)
    }

    @Test func nonE164NumberIs400With1002() async throws {
        let (client, _) = try makeInProcessClient()
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: "555-1234", firstName: "John")
        }
        #expect(error?.status == 400)
        #expect(error?.code == 1002)
        #expect(error?.message == "Phone number must be in E.164 format")
        #expect(error?.docURL == "https://docs.linqapp.com/error/codes/1xxx/1002/")
    }

    @Test func missingFirstNameIs400With1001() async throws {
        let (client, _) = try makeInProcessClient()
        let error = await linqError { () async throws(LinqError) in
            try await client.request(
                method: "POST", path: "/v3/contact_card", body: ["phone_number": .string(Seed.acmeLine1)])
        }
        #expect(error?.status == 400)
        #expect(error?.code == 1001)
        #expect(error?.message == "Missing required field")
    }

    @Test func bodyThatIsNotAnObjectIs400With1003() async throws {
        let (client, _) = try makeInProcessClient()
        for body: JSONValue in [["not", "an", "object"], ["first_name": 42, "phone_number": .string(Seed.acmeLine1)]] {
            let error = await linqError { () async throws(LinqError) in
                try await client.request(method: "POST", path: "/v3/contact_card", body: body)
            }
            #expect(error?.code == 1003)
            #expect(error?.message == "Invalid request body")
        }
    }

    @Test func wrongKeyIs401With2004() async throws {
        let (client, _) = try makeInProcessClient(key: "not-a-key")
        let error = await linqError { () async throws(LinqError) in try await client.contactCards.get() }
        #expect(error?.status == 401)
        #expect(error?.code == 2004)
        #expect(error?.message == "Unauthorized - missing or invalid authentication token")
        let (anonymous, _) = try makeInProcessClient(key: nil)
        let missing = await linqError { () async throws(LinqError) in try await anonymous.contactCards.get() }
        #expect(missing?.code == 2004)
    }

    @Test func anotherPartnersLineIs403() async throws {
        let (client, _) = try makeInProcessClient()
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: Seed.globexLine1, firstName: "John")
        }
        #expect(error?.status == 403)
        #expect(error?.code == 2005, "the contact-card page documents 2005 for another partner's line")
    }

    @Test func fourthCallWithinTenMinutesIs429WithTheWaitAndIsNotRetried() async throws {
        let (client, emulator) = try makeInProcessClient()
        let firstSentAt = Date()
        _ = try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "A")
        _ = try await client.contactCards.update(phoneNumber: Seed.acmeLine1, firstName: "B")
        _ = try await client.contactCards.update(phoneNumber: Seed.acmeLine1, firstName: "C")
        let before = emulator.requestCount
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.update(phoneNumber: Seed.acmeLine1, firstName: "D")
        }
        #expect(error?.status == 429)
        #expect(error?.code == 1007)
        let wait = try #require(error?.retryAfter)
        // The window counts down in real time: a loaded machine may take seconds between the calls.
        let elapsed = Date().timeIntervalSince(firstSentAt).rounded(.up)
        #expect(wait >= 600 - elapsed - 1 && wait <= 600)
        #expect(error?.response?.headers.value(for: "Retry-After") == String(Int(wait)))
        #expect(emulator.requestCount == before + 1, "a 429 with a wait over 60 s must not be re-sent")
        // Ten minutes later the budget is back.
        emulator.clock.advance(by: 601)
        #expect(try await client.contactCards.update(phoneNumber: Seed.acmeLine1, firstName: "D").firstName == "D")
    }

    @Test func setupFailure2022IsNotRetriedAndSaysWhatIsLeftOfTheBudget() async throws {
        var (client, emulator) = try makeInProcessClient()
        client.contactCardBudget = WriteBudget(limit: 3, window: .seconds(600), noun: "contact-card writes")
        emulator.inject(Fault(method: "POST", path: "/v3/contact_card", code: 2022, count: 1))
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John")
        }
        #expect(error?.code == 2022)
        #expect(emulator.requestCount == 1, "every attempt spends one of 3 writes per 10 minutes")
        #expect(error?.attempts == 1)
        #expect(error?.budget == nil, "how many are left is not known without the server's word")
        // The person's own second try completes the setup.
        let card = try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John")
        #expect(card.isActive)
    }

    @Test func setupFailure2022WithoutRetryLeavesTheCardInactive() async throws {
        let (client, emulator) = try makeInProcessClient(retry: .none)
        emulator.inject(Fault(method: "POST", path: "/v3/contact_card", code: 2022))
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John")
        }
        #expect(error?.status == 500)
        #expect(error?.code == 2022)
        #expect(error?.message == "Contact card setup failed")
        let stored = try await client.contactCards.get(phoneNumber: Seed.acmeLine1)
        #expect(stored.first?.isActive == false)
        // An inactive card may be created again (it is not a 409).
        #expect(try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John").isActive)
    }

    @Test func theBudgetIsToldOnlyWhenTheAnswerSaysSomethingAboutIt() async throws {
        var (client, _) = try makeInProcessClient()
        client.contactCardBudget = WriteBudget(limit: 3, window: .seconds(600), noun: "contact-card writes")
        let invalid = await linqError { () async throws(LinqError) in
            try await client.perform(
                APICatalog.operation(id: "contactCard.create"),
                arguments: ["phone_number": "555-1234", "first_name": "Ann"])
        }
        #expect(invalid?.code == 1002)
        #expect(invalid?.budget == nil, "a rejected request spent nothing")
        _ = try await client.contactCards.create(phoneNumber: Seed.acmeLine3, firstName: "A")
        _ = try await client.contactCards.update(phoneNumber: Seed.acmeLine3, lastName: "B")
        let conflict = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: Seed.acmeLine3, firstName: "A")
        }
        #expect(conflict?.code == 2014)
        #expect(conflict?.budget == nil, "the answer says nothing of the budget")
        let limited = await linqError { () async throws(LinqError) in
            try await client.contactCards.update(phoneNumber: Seed.acmeLine3, lastName: "C")
        }
        #expect(limited?.status == 429)
        #expect(limited?.budget?.remaining == 0)
        #expect(limited?.budget?.source == .rateLimited)
        if case .waitTooLong? = limited?.notRetried {
        } else {
            Issue.record("\(String(describing: limited?.notRetried))")
        }
    }

    @Test func upstreamLimit4004IsNeverRetriedAndLeavesTheCardInactive() async throws {
        let (client, emulator) = try makeInProcessClient()
        _ = try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John")
        emulator.inject(Fault(method: "PATCH", path: "/v3/contact_card", code: 4004, count: 3))
        let before = emulator.requestCount
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.update(phoneNumber: Seed.acmeLine1, firstName: "Jane")
        }
        #expect(error?.status == 503)
        #expect(error?.code == 4004)
        #expect(emulator.requestCount == before + 1)
        #expect(try await client.contactCards.get(phoneNumber: Seed.acmeLine1).first?.isActive == false)
    }

    @Test func shareSucceedsWith204ThenIsLimitedPerChat() async throws {
        let (client, emulator) = try makeInProcessClient(retry: .none)
        _ = try await client.contactCards.create(phoneNumber: Seed.acmeLine1, firstName: "John")
        let response = try await client.perform(
            APICatalog.operation(id: "contactCard.share"), arguments: ["chatId": .string(Seed.acmeChat1)])
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.share(chatID: Seed.acmeChat1)
        }
        #expect(error?.status == 429)
        #expect((error?.retryAfter ?? 0) > 0 && (error?.retryAfter ?? 0) <= 300)
        emulator.clock.advance(by: 300)
        try await client.contactCards.share(chatID: Seed.acmeChat1)
    }

    @Test func shareWithoutAnActiveCardOnTheChatsLineIs404With2012() async throws {
        let (client, _) = try makeInProcessClient()
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.share(chatID: Seed.acmeChat2)
        }
        #expect(error?.status == 404)
        #expect(error?.code == 2012)
    }

    @Test func shareIntoAnUnknownOrForeignChatIs404With2001() async throws {
        let (client, _) = try makeInProcessClient()
        for chat in ["00000000-0000-4000-8000-000000000000", Seed.globexChat1] {
            let error = await linqError { () async throws(LinqError) in
                try await client.contactCards.share(chatID: chat)
            }
            #expect(error?.code == 2001)
        }
    }

    @Test func everyErrorCarriesTheEnvelopeAndTheTraceID() async throws {
        let (client, _) = try makeInProcessClient()
        let error = try #require(
            await linqError { () async throws(LinqError) in
                try await client.contactCards.create(phoneNumber: "bad", firstName: "x")
            })
        let body = try #require(error.response?.json)
        #expect(body["success"] == false)
        #expect(body["error"]?.objectValue?.keys == ["status", "code", "message", "doc_url"])
        let trace = try #require(error.traceID)
        #expect(trace.count == 32 && trace.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(body["trace_id"]?.stringValue == trace)
        #expect(error.response?.headers.value(for: "X-Trace-ID") == trace)
    }

    @Test func unknownRoutesAndMethodsAnswerWithTheEnvelope() async throws {
        let (client, _) = try makeInProcessClient()
        let notFound = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/nope")
        }
        #expect(notFound?.status == 404)
        #expect(notFound?.kind == .api)
        let notAllowed = await linqError { () async throws(LinqError) in
            try await client.request(method: "DELETE", path: "/v3/contact_card")
        }
        #expect(notAllowed?.status == 405)
        #expect(notAllowed?.response?.headers.value(for: "Allow")?.contains("PATCH") == true)
    }
}
