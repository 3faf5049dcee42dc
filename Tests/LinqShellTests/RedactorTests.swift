import LinqJSON
import Testing

@testable import LinqShell

/// The redaction stage's function (`set redact on`): what it masks and what it leaves alone.
@Suite struct RedactorTests {
    let redact = Redactor()

    @Test func phoneNumbersKeepTheirFirstAndLastFourDigits() {
        #expect(redact("call +15550000001 now") == "call +1••••••0001 now")
        #expect(redact(#"{"handle":"+447700900123"}"#) == #"{"handle":"+4•••••••0123"}"#)
        #expect(
            redact("/v3/contact_card?phone_number=%2B15551230001&x=1")
                == "/v3/contact_card?phone_number=%2B1••••••0001&x=1")
        // Not numbers: too short, too long, a leading 0, glued to a word, a time zone.
        for text in ["+1555", "+1234567890123456", "+0555123456", "a+15550000001", "2026-12-07T21:13:19+00:00"] {
            #expect(redact(text) == text)
        }
    }

    @Test func emailsKeepTheirDomain() {
        #expect(redact("mail ann.lee+x@example.org.") == "mail •••@example.org.")
        #expect(redact(#""handle": "someone@example.com""#) == #""handle": "•••@example.com""#)
        #expect(redact("to=bob%40example.net") == "to=•••@example.net".replacingOccurrences(of: "@", with: "%40"))
        for text in ["@FILE", "user@localhost", "a @ b.com"] { #expect(redact(text) == text) }
    }

    @Test func secretsKeepTheirLastFour() {
        let secret = "whsec_BA+2CR88OoWG/rwcwK8aQc0wOubVPVGjKLKodLVtP7E="
        #expect(redact("secret: " + secret) == "secret: whsec_…P7E=")
        #expect(redact("> Authorization: Bearer sk_live_abcdef123456") == "> Authorization: Bearer …3456")
        #expect(
            redact(#"{"token":"abcdefghijkl","api_key": "k-1234567890"}"#) == #"{"token":"…ijkl","api_key": "…7890"}"#)
        #expect(redact("access_token: abcdefghijkl\nname: Ann") == "access_token: …ijkl\nname: Ann")
        #expect(redact("GET /x?api_key=abcdefghijkl&n=1") == "GET /x?api_key=…ijkl&n=1")
        // Known secrets anywhere; short ones wholly.
        #expect(Redactor(secrets: ["my-own-key-9876"])("key my-own-key-9876.") == "key …9876.")
        #expect(redact(#"{"signing_secret": "short"}"#) == #"{"signing_secret": "…••••"}"#)
        // Prose and masked values are left alone.
        #expect(redact("the token: is what you send") == "the token: is what you send")
        #expect(redact("Authorization: Bearer …acme") == "Authorization: Bearer …acme")
    }

    @Test func idsColourAndOtherTextAreKept() {
        let text =
            #"{"id": "7b3c3a10-0001-4c2e-9a51-000000000001", "created_at": "2026-12-07T21:13:19.217Z", "n": 15550000001}"#
        #expect(redact(text) == text)
        let coloured = "\u{1B}[34m\"handle\"\u{1B}[0m: \u{1B}[32m\"+15550000001\"\u{1B}[0m"
        #expect(redact(coloured) == "\u{1B}[34m\"handle\"\u{1B}[0m: \u{1B}[32m\"+1••••••0001\"\u{1B}[0m")
        let member = "\u{1B}[34m\"signing_secret\"\u{1B}[0m: \u{1B}[32m\"abcdefghijkl\"\u{1B}[0m"
        #expect(redact(member) == "\u{1B}[34m\"signing_secret\"\u{1B}[0m: \u{1B}[32m\"…ijkl\"\u{1B}[0m")
        // An email right after a colour sequence keeps the sequence whole.
        #expect(redact("\u{1B}[2mann@example.org\u{1B}[0m") == "\u{1B}[2m•••@example.org\u{1B}[0m")
        // A number or secret right after one is still a word of its own.
        #expect(redact("\u{1B}[2m+15557770001 acted") == "\u{1B}[2m+1••••••0001 acted")
        #expect(redact("\u{1B}[2mwhsec_abcdefghijkl") == "\u{1B}[2mwhsec_…ijkl")
        // Idempotent: what it printed passes again unchanged.
        let once = redact(#"{"handle": "+15550000001", "token": "abcdefghijkl", "e": "a@b.co"}"#)
        #expect(redact(once) == once)
    }

    @Test func secretsFoundByNameAreReportedAndJSONIsRedactedMemberByMember() {
        #expect(redact.redact(#"{"token": "abcdefghijkl"}"#).found == ["abcdefghijkl"])
        var found: Set<String> = []
        let value: JSONValue = ["id": "x", "token": "abcdefghijkl", "handles": [["handle": "+15550000001"]]]
        let redacted = redact.redact(value, found: &found)
        #expect(redacted == ["id": "x", "token": "…ijkl", "handles": [["handle": "+1••••••0001"]]])
        #expect(found == ["abcdefghijkl"])
    }

    @Test func theStateRedactsOnlyWhenOnAndRemembersWhatItFound() {
        let state = RedactionState()
        #expect(state.apply("+15550000001") == "+15550000001")
        state.update(on: true, keys: ["live-key-abcd1234"])
        #expect(state.apply("key live-key-abcd1234") == "key …1234")
        _ = state.apply(#"{"token": "plain-token-wxyz"}"#)
        #expect(state.apply("echo plain-token-wxyz") == "echo …wxyz", "a secret seen by name is masked bare later")
    }
}
