import LinqEmulator
import LinqJSON
import Testing

/// Attachments, phone numbers, available number, blocked handles and capability checks, in process.
@Suite struct AccountRoutesTests {
    let acmeLine = "+15551230001"
    let acmeLineID = "5e1f0000-0000-4000-8000-000000000001"
    let globexLineID = "5e1f0000-0000-4000-8000-000000000004"

    func call(
        _ emulator: Emulator, _ method: String, _ target: String, _ body: String = "", key: String? = SeedData.acmeKey,
        headers: [(name: String, value: String)] = []
    ) async -> EmulatorResponse {
        var all = key.map { [("Authorization", "Bearer \($0)")] } ?? []
        all += headers
        all.append(("Host", "127.0.0.1:4010"))
        return await emulator.handle(
            EmulatorRequest(method: method, target: target, headers: all, body: Array(body.utf8)))
    }

    func code(_ response: EmulatorResponse) -> Int? { response.json?["error"]?["code"]?.intValue }

    // MARK: Attachments

    /// Creates an attachment; returns the create response's JSON.
    func create(_ emulator: Emulator, _ filename: String = "photo.png", type: String = "image/png", size: Int = 5)
        async -> EmulatorResponse
    {
        await call(
            emulator, "POST", "/v3/attachments",
            #"{"filename":"\#(filename)","content_type":"\#(type)","size_bytes":\#(size)}"#)
    }

    /// The path-and-query part of an upload URL.
    func target(_ uploadURL: String) -> String {
        let rest = uploadURL.dropFirst("http://".count)
        return String(rest[rest.firstIndex(of: "/")!...])
    }

    @Test func createUploadGetFlow() async throws {
        let emulator = try Emulator(clock: .manual())
        let created = await create(emulator)
        #expect(created.status == 200)
        let json = try #require(created.json)
        #expect(
            json.objectValue?.keys == [
                "attachment_id", "download_url", "expires_at", "http_method", "required_headers", "upload_url",
            ])
        let id = try #require(json["attachment_id"]?.stringValue)
        #expect(json["http_method"] == "PUT")
        #expect(json["required_headers"] == ["Content-Type": "image/png"])
        #expect(
            json["download_url"]?.stringValue
                == "https://cdn.linqapp.com/attachments/partners/partner-acme/\(id)/photo.png")
        let upload = try #require(json["upload_url"]?.stringValue)
        #expect(upload.hasPrefix("http://127.0.0.1:4010/_uploads/\(id)?token="))

        let pending = await call(emulator, "GET", "/v3/attachments/\(id)")
        #expect(pending.json?["status"] == "pending")
        #expect(pending.json?["download_url"] == .null)

        let put = await call(
            emulator, "PUT", target(upload), "12345", key: nil, headers: [("Content-Type", "image/png")])
        #expect(put.status == 200)
        #expect(put.body.isEmpty)

        let got = await call(emulator, "GET", "/v3/attachments/\(id)")
        #expect(got.status == 200)
        #expect(
            got.json?.objectValue?.keys == [
                "id", "content_type", "created_at", "filename", "size_bytes", "status", "download_url",
            ])
        #expect(got.json?["status"] == "complete")
        #expect(got.json?["size_bytes"] == 5)
        #expect(got.json?["download_url"] == json["download_url"])
    }

    @Test func uploadRejectsWrongSizeTypeTokenAndExpiry() async throws {
        let emulator = try Emulator(clock: .manual())
        let created = await create(emulator)
        let upload = target(try #require(created.json?["upload_url"]?.stringValue))
        let id = try #require(created.json?["attachment_id"]?.stringValue)
        let png = [("Content-Type", "image/png")]
        #expect(await call(emulator, "PUT", upload, "1234", key: nil, headers: png).status == 400)
        #expect(await call(emulator, "PUT", upload, "123456", key: nil, headers: png).status == 400)
        #expect(
            await call(emulator, "PUT", upload, "12345", key: nil, headers: [("Content-Type", "image/jpeg")]).status
                == 403)
        #expect(await call(emulator, "PUT", upload, "12345", key: nil).status == 403)
        #expect(
            await call(emulator, "PUT", "/_uploads/\(id)?token=nope", "12345", key: nil, headers: png).status == 403)
        #expect(await call(emulator, "PUT", "/_uploads/\(id)", "12345", key: nil, headers: png).status == 403)
        #expect(await call(emulator, "GET", "/v3/attachments/\(id)").json?["status"] == "pending")
        emulator.clock.advance(by: 901)
        #expect(await call(emulator, "PUT", upload, "12345", key: nil, headers: png).status == 403)
        #expect(await call(emulator, "GET", "/v3/attachments/\(id)").json?["status"] == "pending")
    }

    @Test func createValidation() async throws {
        let emulator = try Emulator(clock: .manual())
        #expect(code(await create(emulator, type: "application/x-msdownload")) == 5004)
        #expect(code(await create(emulator, "a.webp", type: "image/webp")) == 5004)
        #expect(code(await create(emulator, "a.svg", type: "image/svg+xml")) == 5004)
        let tooBig = await create(emulator, size: 104_857_601)
        #expect(tooBig.status == 400)
        #expect(code(tooBig) == 5005)
        #expect(await create(emulator, size: 104_857_600).status == 200)
        #expect(code(await create(emulator, size: 0)) == 1005)
        #expect(
            code(await call(emulator, "POST", "/v3/attachments", #"{"content_type":"image/png","size_bytes":1}"#))
                == 1001)
        #expect(
            code(
                await call(
                    emulator, "POST", "/v3/attachments",
                    #"{"filename":"a","content_type":"image/png","size_bytes":"1"}"#)) == 1003)
    }

    @Test func seedAttachmentGetAndDelete() async throws {
        let emulator = try Emulator(clock: .manual())
        let id = SeedData.IDs.attachment
        let seeded = await call(emulator, "GET", "/v3/attachments/\(id)")
        #expect(seeded.status == 200)
        #expect(seeded.json?["status"] == "complete")
        #expect(seeded.json?["content_type"] == "image/png")
        let foreign = await call(emulator, "GET", "/v3/attachments/\(id)", key: SeedData.globexKey)
        #expect(foreign.status == 404)
        #expect(code(foreign) == 2003)
        #expect(await call(emulator, "DELETE", "/v3/attachments/\(id)", key: SeedData.globexKey).status == 404)
        let notUUID = await call(emulator, "DELETE", "/v3/attachments/not-a-uuid")
        #expect(notUUID.status == 400)
        #expect(code(notUUID) == 1005)
        let deleted = await call(emulator, "DELETE", "/v3/attachments/\(id)")
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        let again = await call(emulator, "DELETE", "/v3/attachments/\(id)")
        #expect(again.status == 404)
        #expect(code(again) == 2003)
        #expect(code(await call(emulator, "GET", "/v3/attachments/\(id)")) == 2003)
    }

    @Test func uploadToADeletedAttachmentIsNotFound() async throws {
        let emulator = try Emulator(clock: .manual())
        let created = await create(emulator)
        let upload = target(try #require(created.json?["upload_url"]?.stringValue))
        let id = try #require(created.json?["attachment_id"]?.stringValue)
        #expect(await call(emulator, "DELETE", "/v3/attachments/\(id)").status == 204)
        #expect(
            await call(emulator, "PUT", upload, "12345", key: nil, headers: [("Content-Type", "image/png")]).status
                == 404)
    }

    // MARK: Phone numbers

    @Test func listPhoneNumbers() async throws {
        let emulator = try Emulator(clock: .manual())
        let response = await call(emulator, "GET", "/v3/phone_numbers")
        #expect(response.status == 200)
        let numbers = try #require(response.json?["phone_numbers"]?.arrayValue)
        #expect(numbers.map { $0["phone_number"]?.stringValue } == ["+15551230001", "+15551230002", "+15551230003"])
        #expect(numbers[0].objectValue?.keys == ["id", "phone_number", "reputation", "forwarding_number", "line_type"])
        #expect(numbers[0]["id"]?.stringValue == acmeLineID)
        #expect(numbers[0]["reputation"]?["status"] == "HEALTHY")
        #expect(numbers[0]["reputation"]?["doc_url"]?.stringValue?.hasPrefix("https://docs.linqapp.com/") == true)
        #expect(numbers[0]["forwarding_number"] == .null)
        #expect(numbers[2]["line_type"] == "RCS")
        let globex = await call(emulator, "GET", "/v3/phone_numbers", key: SeedData.globexKey)
        #expect(globex.json?["phone_numbers"]?.arrayValue?.count == 2)
        #expect(await call(emulator, "GET", "/v3/phone_numbers", key: "wrong").status == 401)
    }

    @Test func updateForwardingNumber() async throws {
        let emulator = try Emulator(clock: .manual())
        let set = await call(
            emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", #"{"forwarding_number":"+14155550100"}"#)
        #expect(set.status == 200)
        #expect(
            set.json == [
                "id": .string(acmeLineID), "forwarding_number": "+14155550100", "phone_number": "+15551230001",
            ])
        let listed = await call(emulator, "GET", "/v3/phone_numbers")
        #expect(listed.json?["phone_numbers"]?[0]?["forwarding_number"] == "+14155550100")
        let cleared = await call(emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", #"{"forwarding_number":""}"#)
        #expect(cleared.json?["forwarding_number"] == .null)
        _ = await call(emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", #"{"forwarding_number":"+14155550100"}"#)
        let nulled = await call(emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", #"{"forwarding_number":null}"#)
        #expect(nulled.json?["forwarding_number"] == .null)
        #expect(
            await call(emulator, "GET", "/v3/phone_numbers").json?["phone_numbers"]?[0]?["forwarding_number"] == .null)
    }

    @Test func updateForwardingErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let byNumber = await call(
            emulator, "PUT", "/v3/phone_numbers/+15551230001", #"{"forwarding_number":"+14155550100"}"#)
        #expect(byNumber.status == 404)
        #expect(code(byNumber) == 2019)
        #expect(
            code(await call(emulator, "PUT", "/v3/phone_numbers/\(globexLineID)", #"{"forwarding_number":null}"#))
                == 2019)
        #expect(code(await call(emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", "{}")) == 1001)
        #expect(
            code(await call(emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", #"{"forwarding_number":"415-555"}"#))
                == 1002)
        #expect(
            code(await call(emulator, "PUT", "/v3/phone_numbers/\(acmeLineID)", #"{"forwarding_number":5}"#)) == 1003)
    }

    @Test func reputationAuditLifecycle() async throws {
        let emulator = try Emulator(clock: .manual())
        let started = await call(emulator, "POST", "/v3/phone_numbers/+15551230002/reputation_audit")
        #expect(started.status == 202)
        #expect(started.json?["status"] == "pending")
        let id = try #require(started.json?["audit_id"]?.stringValue)
        let running = await call(emulator, "POST", "/v3/phone_numbers/%2B15551230002/reputation_audit")
        #expect(running.status == 202)
        #expect(running.json?["audit_id"]?.stringValue == id)

        let pending = await call(emulator, "GET", "/v3/phone_numbers/+15551230002/reputation_audit/\(id)")
        #expect(pending.status == 200)
        #expect(pending.json?["status"] == "pending")
        #expect(pending.json?["report"] == nil)

        emulator.clock.advance(by: 31)
        let done = await call(emulator, "GET", "/v3/phone_numbers/+15551230002/reputation_audit/\(id)")
        #expect(done.json?["status"] == "complete")
        #expect(done.json?["phone"] == "+15551230002")
        #expect(done.json?["generated_at"]?.stringValue != nil)
        #expect(done.json?["report"]?["severity"] == "HEALTHY")
        #expect(done.json?["report"]?["action_items"]?.arrayValue?.count == 1)

        let cooldown = await call(emulator, "POST", "/v3/phone_numbers/+15551230002/reputation_audit")
        #expect(cooldown.status == 429)
        #expect(code(cooldown) == 1007)
        #expect(cooldown.json?["error"]?["retry_after"]?.intValue ?? 0 > 0)
        #expect(cooldown.headers.contains { $0.name == "Retry-After" })
        emulator.clock.advance(by: 3600)
        let next = await call(emulator, "POST", "/v3/phone_numbers/+15551230002/reputation_audit")
        #expect(next.status == 202)
        #expect(next.json?["audit_id"]?.stringValue != id)
    }

    @Test func reputationAuditErrorsAndSeed() async throws {
        let emulator = try Emulator(clock: .manual())
        let seed = await call(emulator, "GET", "/v3/phone_numbers/+15551230001/reputation_audit/\(SeedData.IDs.audit)")
        #expect(seed.status == 200)
        #expect(seed.json?["status"] == "complete")
        #expect(seed.json?.objectValue?.keys == ["audit_id", "status", "generated_at", "phone", "report"])
        let otherLine = await call(
            emulator, "GET", "/v3/phone_numbers/+15551230002/reputation_audit/\(SeedData.IDs.audit)")
        #expect(otherLine.status == 404)
        #expect(
            await call(emulator, "GET", "/v3/phone_numbers/+15559870001/reputation_audit/\(SeedData.IDs.audit)").status
                == 404)
        let notE164 = await call(emulator, "POST", "/v3/phone_numbers/\(acmeLineID)/reputation_audit")
        #expect(notE164.status == 400)
        #expect(code(notE164) == 1002)
        let foreign = await call(emulator, "POST", "/v3/phone_numbers/+15559870001/reputation_audit")
        #expect(foreign.status == 404)
        #expect(code(foreign) == 2019)
        // The seeded audit finished two hours ago: the cooldown is over.
        #expect(await call(emulator, "POST", "/v3/phone_numbers/+15551230001/reputation_audit").status == 202)
    }

    @Test func deprecatedList() async throws {
        let emulator = try Emulator(clock: .manual())
        let response = await call(emulator, "GET", "/v3/phonenumbers")
        #expect(response.status == 200)
        let first = try #require(response.json?["phone_numbers"]?[0])
        #expect(first.objectValue?.keys == ["id", "phone_number", "capabilities", "country_code", "type"])
        #expect(first["capabilities"] == ["mms": true, "sms": true, "voice": true])
        #expect(first["type"] == .null)
    }

    // MARK: Available number

    @Test func availableNumberCyclesAndFilters() async throws {
        let emulator = try Emulator(clock: .manual())
        var seen: [String] = []
        for _ in 0..<3 {
            let r = await call(emulator, "GET", "/v3/available_number")
            #expect(r.status == 200)
            #expect(r.json?["vcf_url"]?.stringValue?.hasPrefix("https://") == true)
            seen.append(r.json?["phone_number"]?.stringValue ?? "")
            emulator.clock.advance(by: 1)
        }
        #expect(Set(seen) == ["+15551230001", "+15551230002", "+15551230003"], "least recently used first")
        let rcs = await call(emulator, "GET", "/v3/available_number?type=rcs")
        #expect(rcs.json?["phone_number"] == "+15551230003")
        let excluded = await call(emulator, "GET", "/v3/available_number?type=iMessage&exclude_from=%2B15551230001")
        #expect(excluded.json?["phone_number"] == "+15551230002")
        let repeated = await call(
            emulator, "GET", "/v3/available_number?exclude_from=%2B15551230001&exclude_from=%2B15551230003")
        #expect(repeated.json?["phone_number"] == "+15551230002")
        let sticky = await call(emulator, "GET", "/v3/available_number?to=%2B15557770002")
        #expect(sticky.json?["phone_number"] == "+15551230002", "the line of the existing chat")
        let group = await call(
            emulator, "GET", "/v3/available_number?to=%2B15557770011,%2B15557770012,someone%40example.com")
        #expect(group.json?["phone_number"] == "+15551230001")
    }

    @Test func availableNumberErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let bad = await call(emulator, "GET", "/v3/available_number?exclude_from=4155551234")
        #expect(bad.status == 400)
        #expect(code(bad) == 1002)
        let all = await call(
            emulator, "GET", "/v3/available_number?exclude_from=%2B15551230001,%2B15551230002,%2B15551230003")
        #expect(all.status == 400)
        #expect(code(all) == 1005)
        let none = await call(emulator, "GET", "/v3/available_number?type=RCS", key: SeedData.globexKey)
        #expect(none.status == 503)
        #expect(code(none) == 4004)
        #expect(code(await call(emulator, "GET", "/v3/available_number?type=fax")) == 1005)
    }

    // MARK: Blocked handles

    @Test func blockListUnblock() async throws {
        let emulator = try Emulator(clock: .manual())
        let seeded = await call(emulator, "GET", "/v3/blocked_handles")
        #expect(seeded.status == 200)
        #expect(
            seeded.json?["blocked_handles"]?.arrayValue?.map { $0["handle"]?.stringValue } == [
                SeedData.IDs.blockedHandle
            ])
        #expect(
            await call(emulator, "GET", "/v3/blocked_handles", key: SeedData.globexKey).json == ["blocked_handles": []])

        let blocked = await call(
            emulator, "POST", "/v3/blocked_handles", #"{"handle":"Spammer@Example.COM","reason":"spam"}"#)
        #expect(blocked.status == 200)
        let entry = try #require(blocked.json?["blocked_handle"])
        #expect(entry.objectValue?.keys == ["blocked_at", "handle", "reason"])
        #expect(entry["handle"] == "spammer@example.com")
        #expect(entry["reason"] == "spam")
        emulator.clock.advance(by: 5)
        let again = await call(
            emulator, "POST", "/v3/blocked_handles", #"{"handle":"spammer@example.com","reason":"other"}"#)
        #expect(again.json?["blocked_handle"] == entry, "idempotent: the existing entry")
        for handle in ["262966", "ACME Promo", "+1 (555) 000-1234"] {
            #expect(await call(emulator, "POST", "/v3/blocked_handles", #"{"handle":"\#(handle)"}"#).status == 200)
        }
        let list = await call(emulator, "GET", "/v3/blocked_handles")
        #expect(
            list.json?["blocked_handles"]?.arrayValue?.map { $0["handle"]?.stringValue } == [
                "+15550001234", "ACME Promo", "262966", "spammer@example.com", SeedData.IDs.blockedHandle,
            ], "newest first")

        let unblocked = await call(emulator, "DELETE", "/v3/blocked_handles", #"{"handle":"SPAMMER@example.com"}"#)
        #expect(unblocked.status == 204)
        #expect(
            await call(emulator, "DELETE", "/v3/blocked_handles", #"{"handle":"spammer@example.com"}"#).status == 204)
        #expect(await call(emulator, "GET", "/v3/blocked_handles").json?["blocked_handles"]?.arrayValue?.count == 4)
    }

    @Test func blockValidation() async throws {
        let emulator = try Emulator(clock: .manual())
        for handle in ["12", "123456789", "not an@email", "a@b", "!!", "TOOLONGSENDERID"] {
            let r = await call(emulator, "POST", "/v3/blocked_handles", #"{"handle":"\#(handle)"}"#)
            #expect(r.status == 400, "\(handle)")
            #expect(code(r) == 1005, "\(handle)")
        }
        #expect(code(await call(emulator, "POST", "/v3/blocked_handles", "{}")) == 1001)
        #expect(code(await call(emulator, "POST", "/v3/blocked_handles", #"{"handle":5}"#)) == 1003)
        #expect(code(await call(emulator, "DELETE", "/v3/blocked_handles", "{}")) == 1001)
    }

    // MARK: Capability

    @Test func checkIMessageIsDeterministic() async throws {
        let emulator = try Emulator(clock: .manual())
        let yes = await call(emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770001"}"#)
        #expect(yes.status == 200)
        #expect(yes.json == ["address": "+15557770001", "available": true, "selected_service": "iMessage"])
        let email = await call(
            emulator, "POST", "/v3/capability/check_imessage", #"{"address":"a@example.com","from":"+15551230002"}"#)
        #expect(email.json?["available"] == true)
        let no = await call(emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770008"}"#)
        #expect(
            no.json == [
                "address": "+15557770008", "available": false, "reason": "not_supported", "selected_service": "RCS",
            ])
        let sms = await call(emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770009"}"#)
        #expect(sms.json?["selected_service"] == "SMS")
        #expect(code(await call(emulator, "POST", "/v3/capability/check_imessage", #"{"address":"555-1234"}"#)) == 1002)
        #expect(code(await call(emulator, "POST", "/v3/capability/check_imessage", "{}")) == 1001)
        let foreign = await call(
            emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770001","from":"+15559870001"}"#)
        #expect(foreign.status == 403)
        #expect(code(foreign) == 2006)
    }

    @Test func checkRCS() async throws {
        let emulator = try Emulator(clock: .manual())
        let yes = await call(emulator, "POST", "/v3/capability/check_rcs", #"{"address":"+15557770008"}"#)
        #expect(yes.status == 200)
        #expect(yes.json == ["address": "+15557770008", "available": true, "selected_service": "RCS"])
        let no = await call(
            emulator, "POST", "/v3/capability/check_rcs", #"{"address":"+15557770007","from":"+15551230003"}"#)
        #expect(
            no.json == [
                "address": "+15557770007", "available": false, "reason": "not_supported", "selected_service": "SMS",
            ])
        let email = await call(emulator, "POST", "/v3/capability/check_rcs", #"{"address":"a@example.com"}"#)
        #expect(email.status == 400)
        #expect(code(email) == 1002)
        let imessageLine = await call(
            emulator, "POST", "/v3/capability/check_rcs", #"{"address":"+15557770001","from":"+15551230001"}"#)
        #expect(imessageLine.status == 503)
        #expect(code(imessageLine) == 4009)
        let globex = await call(
            emulator, "POST", "/v3/capability/check_rcs", #"{"address":"+15557770001"}"#, key: SeedData.globexKey)
        #expect(code(globex) == 4009)
    }

    @Test func capabilityChecksAreRateLimited() async throws {
        let emulator = try Emulator(clock: .manual())
        for _ in 0..<60 {
            _ = await call(emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770001"}"#)
        }
        let limited = await call(emulator, "POST", "/v3/capability/check_rcs", #"{"address":"+15557770001"}"#)
        #expect(limited.status == 429)
        #expect(code(limited) == 1007)
        #expect(
            await call(
                emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770001"}"#,
                key: SeedData.globexKey
            ).status == 200)
        emulator.clock.advance(by: 61)
        #expect(
            await call(emulator, "POST", "/v3/capability/check_imessage", #"{"address":"+15557770001"}"#).status == 200)
    }
}
