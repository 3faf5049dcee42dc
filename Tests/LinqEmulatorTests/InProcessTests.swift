import LinqEmulator
import LinqJSON
import Testing

/// The emulator's in-process mode: `handle(_:)` without sockets.
@Suite struct InProcessTests {
    func request(_ method: String, _ target: String, _ body: String = "", key: String? = SeedData.acmeKey)
        -> EmulatorRequest
    {
        EmulatorRequest(
            method: method, target: target, headers: key.map { [("Authorization", "Bearer \($0)")] } ?? [],
            body: Array(body.utf8))
    }

    @Test func seedDataHasTwoPartnersWithLinesAndAChatPerLine() throws {
        let emulator = try Emulator()
        #expect(emulator.partners.count >= 2)
        #expect(Set(emulator.partners.map(\.apiKey)).count == emulator.partners.count)
        let lines = emulator.partners.flatMap(\.lines)
        #expect(lines.allSatisfy { $0.phoneNumber.hasPrefix("+") })
        #expect(emulator.chats.count == lines.count + 1, "a chat per line and Acme's group chat")
        #expect(Set(emulator.chats.map(\.line)) == Set(lines.map(\.phoneNumber)))
        #expect(emulator.chats.contains { $0.id == SeedData.IDs.groupChat })
    }

    @Test func partnersAreIsolated() async throws {
        let emulator = try Emulator()
        _ = await emulator.handle(
            request("POST", "/v3/contact_card", #"{"first_name":"A","phone_number":"+15551230001"}"#))
        let globex = await emulator.handle(request("GET", "/v3/contact_card", key: SeedData.globexKey))
        #expect(globex.json == ["contact_cards": []])
        let foreign = await emulator.handle(
            request("GET", "/v3/contact_card?phone_number=%2B15551230001", key: SeedData.globexKey))
        #expect(foreign.status == 403)
    }

    @Test func patchWithoutFieldsOrNumberIsRejected() async throws {
        let emulator = try Emulator()
        let noNumber = await emulator.handle(request("PATCH", "/v3/contact_card", #"{"first_name":"A"}"#))
        #expect(noNumber.status == 400)
        #expect(noNumber.json?["error"]?["code"] == 1001)
        _ = await emulator.handle(
            request("POST", "/v3/contact_card", #"{"first_name":"A","phone_number":"+15551230001"}"#))
        let empty = await emulator.handle(request("PATCH", "/v3/contact_card?phone_number=%2B15551230001", "{}"))
        #expect(empty.json?["error"]?["code"] == 1001)
    }

    @Test func anUnfetchableImageURLIs5007() async throws {
        let emulator = try Emulator()
        let response = await emulator.handle(
            request(
                "POST", "/v3/contact_card", #"{"first_name":"A","phone_number":"+15551230001","image_url":"not a url"}"#
            ))
        #expect(response.status == 400)
        #expect(response.json?["error"]?["code"] == 5007)
    }

    @Test func patchCanClearTheLastNameWithNull() async throws {
        let emulator = try Emulator()
        _ = await emulator.handle(
            request("POST", "/v3/contact_card", #"{"first_name":"A","last_name":"B","phone_number":"+15551230001"}"#))
        let patched = await emulator.handle(
            request("PATCH", "/v3/contact_card?phone_number=%2B15551230001", #"{"last_name":null}"#))
        #expect(patched.json?["last_name"] == .null)
        #expect(patched.json?["first_name"] == "A")
    }

    @Test func timestampsAreISO8601UTC() {
        #expect(EmulatorClock.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(EmulatorClock.iso8601(1_795_000_000.5) == "2026-11-18T11:06:40.500Z")
        #expect(EmulatorClock.iso8601(951_782_400) == "2000-02-29T00:00:00.000Z")
    }
}
