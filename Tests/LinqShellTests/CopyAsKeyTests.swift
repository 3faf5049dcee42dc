import LinqCore
import LinqJSON
import Testing

@testable import LinqShell

/// Copy as code without a server: what each language writes for `card create --first John
/// --last Doe`, and where keys, extra headers, extra query and body members and idempotency keys go.
@Suite struct CopyAsKeyTests {
    static let secret = "sk_live_0123456789"
    static let production = LinqConfiguration.defaultBaseURL

    /// A request as the shell sends it: its own default headers, `extra` after them.
    static func request(
        _ method: String, _ path: String, body: String? = nil, extra: [HTTPHeader] = [],
        key: String = secret, base: String = production
    ) -> HTTPRequestData {
        var headers = [
            HTTPHeader("Authorization", "Bearer \(key)"), HTTPHeader("Accept", "application/json"),
            HTTPHeader("User-Agent", "linq-shell/0.1.0"),
        ]
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        return HTTPRequestData(
            method: method, url: base + path, headers: headers + extra, body: body.map { Array($0.utf8) })
    }

    static func session(base: String = production, emulator: Bool = false) -> Session {
        var session = Session()
        session.apiKey = Sourced(secret, .flag)
        session.baseURL = Sourced(base, .flag)
        if emulator {
            session.emulatorURL = base
            session.emulatorKey = "linq-emulator-acme"
        }
        return session
    }

    static func copy(
        _ language: String, _ request: HTTPRequestData, _ operation: String?, session: Session = session()
    ) -> String {
        CopyAs.command(
            language, for: request, operation: operation.map(APICatalog.operation(id:)), session: session,
            secrets: [secret])
    }

    static let cardCreate = request(
        "POST", "/v3/contact_card", body: #"{"first_name":"John","last_name":"Doe","phone_number":"+15551230001"}"#)

    @Test func cardCreateInPython() {
        #expect(
            Self.copy("python", Self.cardCreate, "contactCard.create") == """
                # pip install linq-python

                from linq import LinqAPIV3

                client = LinqAPIV3()  # the key from LINQ_API_V3_API_KEY

                result = client.contact_card.create(
                    first_name="John",
                    last_name="Doe",
                    phone_number="+15551230001",
                )
                print(result.to_json())
                """)
    }

    @Test func cardCreateInNode() {
        #expect(
            Self.copy("node", Self.cardCreate, "contactCard.create") == """
                // npm install @linqapp/sdk   (save as snippet.mjs: it awaits at the top level)
                import LinqAPIV3 from '@linqapp/sdk';

                const client = new LinqAPIV3(); // the key from LINQ_API_V3_API_KEY

                const result = await client.contactCard.create({
                  first_name: 'John',
                  last_name: 'Doe',
                  phone_number: '+15551230001',
                });
                console.log(JSON.stringify(result, null, 2));
                """)
    }

    @Test func cardCreateInGo() {
        #expect(
            Self.copy("go", Self.cardCreate, "contactCard.create") == """
                // go get github.com/linq-team/linq-go
                package main

                import (
                \t"context"
                \t"fmt"

                \t"github.com/linq-team/linq-go"
                )

                func main() {
                \tclient := linqgo.NewClient() // the key from LINQ_API_V3_API_KEY
                \tresult, err := client.ContactCard.New(context.TODO(), linqgo.ContactCardNewParams{
                \t\tFirstName:   "John",
                \t\tLastName:    linqgo.String("Doe"),
                \t\tPhoneNumber: "+15551230001",
                \t})
                \tif err != nil {
                \t\tpanic(err.Error())
                \t}
                \tfmt.Println(result.RawJSON())
                }
                """)
    }

    @Test func cardCreateInSwift() {
        #expect(
            Self.copy("swift", Self.cardCreate, "contactCard.create") == """
                // Swift 6, with this repository's LinqCore and LinqJSON as dependencies (top-level code)
                import LinqCore
                import LinqJSON

                let configuration = LinqConfiguration.fromEnvironment()  // the key from LINQ_API_V3_API_KEY
                let transport = AsyncHTTPTransport()
                let client = LinqClient(configuration: configuration, transport: transport)

                let card = try await client.contactCards.create(phoneNumber: "+15551230001", firstName: "John", lastName: "Doe")
                print(card)
                await transport.shutdown()
                """)
    }

    @Test func aKeyTheSessionUsedIsNeverWritten() {
        // In the Authorization header, and inside another header's value.
        let request = Self.request(
            "GET", "/v3/chats?limit=1", extra: [HTTPHeader("X-Forwarded-Key", "Token \(Self.secret)")])
        for language in ["python", "node", "go", "swift"] {
            for operation in ["chat.list", nil] {
                let text = Self.copy(language, request, operation)
                #expect(!text.contains(Self.secret), "\(language) \(operation ?? "by hand")")
                #expect(text.contains("LINQ_API_V3_API_KEY"), "\(language)")
            }
        }
        #expect(
            Self.copy("python", request, "chat.list").contains(
                #"extra_headers={"X-Forwarded-Key": "Token " + os.environ["LINQ_API_V3_API_KEY"]}"#))
        #expect(Self.copy("go", request, "chat.list").contains(#""Token " + os.Getenv("LINQ_API_V3_API_KEY")"#))
    }

    @Test func aForeignKeyTypedWithHIsWrittenAsSent() {
        let request = Self.request("GET", "/v3/chats", key: "sk_other_typed")
        #expect(
            Self.copy("python", request, "chat.list").contains(#"api_key="sk_other_typed",  # the key this request"#))
        #expect(Self.copy("node", request, "chat.list").contains("apiKey: 'sk_other_typed', // the key this request"))
        #expect(Self.copy("go", request, "chat.list").contains(#"option.WithAPIKey("sk_other_typed"), // the key"#))
        #expect(Self.copy("swift", request, "chat.list").contains(#"configuration.apiKey = "sk_other_typed"  // the"#))
    }

    @Test func theEmulatorsPublicKeyIsWrittenOutWithItsNote() {
        let base = "http://127.0.0.1:4010/api/partner"
        let request = Self.request("GET", "/v3/chats", key: "linq-emulator-acme", base: base)
        let text = Self.copy("python", request, "chat.list", session: Self.session(base: base, emulator: true))
        #expect(text.contains("# the built-in emulator's port lives as long as this shell"))
        #expect(text.contains(#"api_key="linq-emulator-acme",  # the built-in emulator's public key"#))
        #expect(text.contains(#"base_url="http://127.0.0.1:4010/api/partner","#))
        let go = Self.copy("go", request, "chat.list", session: Self.session(base: base, emulator: true))
        #expect(go.contains(#"option.WithBaseURL("http://127.0.0.1:4010/api/partner/"),"#))
    }

    @Test func aRequestByHandGoesThroughTheGenericCall() {
        let request = Self.request("POST", "/v3/blocked_handles", body: #"{"handle":"+15557770123"}"#)
        let python = Self.copy("python", request, nil)
        #expect(python.contains("import json"))
        #expect(
            python.contains(
                """
                result = client.post(
                    "/v3/blocked_handles",
                    cast_to=object,
                    body={"handle": "+15557770123"},
                )
                """))
        #expect(python.contains("print(json.dumps(result, indent=2))"))
        #expect(Self.copy("node", request, nil).contains("await client.post('/v3/blocked_handles', { body: {"))
        #expect(
            Self.copy("go", request, nil).contains(
                "err := client.Post(\n\t\tcontext.TODO(),\n\t\t\"v3/blocked_handles\","))
        #expect(Self.copy("swift", request, nil).contains("var request = RequestBuilder.request("))
    }

    @Test func aRequestItsSDKMethodWouldRefuseIsSentAsIs() {
        let request = Self.request("POST", "/v3/contact_card", body: #"{"phone_number":"+15551230001"}"#)
        let python = Self.copy("python", request, "contactCard.create")
        #expect(python.contains("# sent as is, not through its SDK method: it has no first_name"))
        #expect(python.contains("result = client.post(\n    \"/v3/contact_card\",\n    cast_to=object,"))
    }

    @Test func whatTheMethodHasNoArgumentForGoesAlong() {
        let request = Self.request(
            "GET", "/v3/chats?limit=2&debug=1", extra: [HTTPHeader("X-Trace", "t-1")])
        let python = Self.copy("python", request, "chat.list")
        #expect(
            python.contains(
                """
                result = client.chats.list_chats(
                    limit=2,
                    extra_query={"debug": "1"},
                    extra_headers={"X-Trace": "t-1"},
                )
                """))
        #expect(
            Self.copy("node", request, "chat.list").contains(
                "client.chats.listChats({ limit: 2, debug: '1' }, { headers: { 'X-Trace': 't-1' } });"))
        let go = Self.copy("go", request, "chat.list")
        #expect(go.contains(#"option.WithQuery("debug", "1")"#) && go.contains(#"option.WithHeader("X-Trace", "t-1")"#))
    }

    @Test func anIdempotencyKeyGoesWhereTheSDKTakesIt() {
        let header = [HTTPHeader("Idempotency-Key", "k-1")]
        let message = Self.request(
            "POST", "/v3/messages", body: #"{"to":["+15557770001"],"message":{"parts":[]}}"#, extra: header)
        #expect(Self.copy("python", message, "message.create").contains(#"idempotency_key="k-1""#))
        #expect(Self.copy("node", message, "message.create").contains("'Idempotency-Key': 'k-1'"))
        let payment = Self.request(
            "POST", "/v3/payments", body: #"{"amount_cents":100,"currency":"usd","handle":"+15557770001"}"#,
            extra: header)
        #expect(Self.copy("python", payment, "payment.create").contains(#"extra_headers={"Idempotency-Key": "k-1"}"#))
    }
}
