import LinqCore
import LinqShell
import Testing

/// The catalog covers the whole API once, and every entry is usable from the shell.
@Suite struct CatalogTests {
    @Test func coversAll70OperationsOnce() {
        #expect(APICatalog.operations.count == 70)
        let routes = Set(APICatalog.operations.map { "\($0.method) \($0.path)" })
        #expect(routes.count == 70, "no operation twice")
        let ids = Set(APICatalog.operations.map(\.id))
        #expect(ids.count == 70)
        let commands = Set(APICatalog.operations.map(\.commandName))
        #expect(commands.count == 70, "command words are unique")
    }

    @Test(arguments: [
        ("DELETE", "/v3/blocked_handles"), ("DELETE", "/v3/chats/{chatId}/participants"),
        ("DELETE", "/v3/chats/{chatId}/location"),
        ("PUT", "/v3/chats/{chatId}"), ("PATCH", "/v3/messages/{messageId}"),
        ("PUT", "/v3/webhook-subscriptions/{subscriptionId}"),
        ("PUT", "/v3/phone_numbers/{phoneNumberId}"), ("GET", "/v3/phonenumbers"), ("GET", "/v3/webhook-events"),
        ("POST", "/v3/chats/{chatId}/share_contact_card"), ("GET", "/v3/payments/{paymentId}/credentials"),
    ])
    func includesTheTrickyOnes(method: String, path: String) {
        #expect(APICatalog.operations.contains { $0.method == method && $0.path == path })
    }

    @Test func everyOperationHasAResourceHelpAndABindableExample() throws {
        for operation in APICatalog.operations {
            #expect(APICatalog.resource(named: operation.resource) != nil, "\(operation.id)")
            #expect(!operation.summary.isEmpty)
            for parameter in operation.parameters where parameter.location == .path {
                #expect(operation.path.contains("{\(parameter.name)}"), "\(operation.id) \(parameter.name)")
            }
            let placeholders = operation.path.split(separator: "{").dropFirst().count
            #expect(operation.parameters.filter { $0.location == .path }.count == placeholders, "\(operation.id)")
            // The example's last command binds to this operation without errors.
            let commands = try Tokenizer.split(operation.example)
            let words = commands.last!.map { $0.literal ?? "placeholder" }
            #expect(
                words.count >= 2 && APICatalog.operation(resource: words[0], verb: words[1])?.id == operation.id,
                "\(operation.example)")
            #expect(throws: Never.self, "\(operation.example)") {
                _ = try BoundCall.bind(operation: operation, defaultNumber: "+15551230001", Array(words.dropFirst(2)))
            }
            #expect(UsageFormatter.help(for: operation).contains(operation.example))
        }
    }

    @Test func messageFlagsComposeTheMessageObject() throws {
        let operation = APICatalog.operation(id: "message.send")
        let call = try BoundCall.bind(
            operation: operation, defaultNumber: nil,
            [
                "7b3c", "--text", "Hi", "--media", "https://x.io/a.png", "--effect", "slam", "--reply-to", "m1",
                "--service", "SMS",
            ])
        let request = try RequestBuilder.build(
            operation, arguments: call.arguments, configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        let body = String(decoding: request.body ?? [], as: UTF8.self)
        #expect(
            body
                == #"{"message":{"parts":[{"type":"text","value":"Hi"},{"type":"media","url":"https://x.io/a.png"}],"effect":{"type":"bubble","name":"slam"},"reply_to":{"message_id":"m1"},"preferred_service":"SMS"}}"#
        )
        #expect(request.url == "http://h/v3/chats/7b3c/messages")
    }

    @Test func arraysRepeatOrCommaJoinAndWrapElements() throws {
        let operation = APICatalog.operation(id: "poll.create")
        let call = try BoundCall.bind(
            operation: operation, defaultNumber: nil,
            [
                "c1", "--option", "Tue", "--option", "Thu,Fri",
            ])
        let request = try RequestBuilder.build(
            operation, arguments: call.arguments, configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        #expect(
            String(decoding: request.body ?? [], as: UTF8.self)
                == #"{"poll":{"options":[{"text":"Tue"},{"text":"Thu"},{"text":"Fri"}]}}"#)
        let available = APICatalog.operation(id: "number.available")
        let query = try BoundCall.bind(
            operation: available, defaultNumber: nil,
            [
                "--to", "+15557770001", "--to", "a@b.co",
            ])
        let built = try RequestBuilder.build(
            available, arguments: query.arguments, configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        #expect(built.url == "http://h/v3/available_number?to=%2B15557770001%2Ca%40b.co")
    }

    @Test func enumsAreValidatedWithDidYouMeanAndDefaultsAreSent() throws {
        let react = APICatalog.operation(id: "message.react")
        #expect {
            try BoundCall.bind(operation: react, defaultNumber: nil, ["m1", "--type", "lvoe"])
        } throws: { error in
            "\(error)".contains("did you mean 'love'")
        }
        let call = try BoundCall.bind(operation: react, defaultNumber: nil, ["m1", "--type", "love"])
        let request = try RequestBuilder.build(
            react, arguments: call.arguments, configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == #"{"type":"love","operation":"add"}"#)
    }

    @Test func deleteWithAJSONBodyAndPlusOrAtInPaths() throws {
        let unblock = APICatalog.operation(id: "blocked.remove")
        let call = try BoundCall.bind(operation: unblock, defaultNumber: nil, ["+15550000666"])
        let request = try RequestBuilder.build(
            unblock, arguments: call.arguments, configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        #expect(request.method == "DELETE")
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == #"{"handle":"+15550000666"}"#)
        let handle = APICatalog.operation(id: "payment-handle.get")
        let email = try RequestBuilder.build(
            handle, arguments: ["handle": "ann@example.com"],
            configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        #expect(email.url == "http://h/v3/payments/handles/ann@example.com/connection")
        let audit = APICatalog.operation(id: "audit.start")
        let number = try RequestBuilder.build(
            audit, arguments: ["phoneNumber": "+15551230001"],
            configuration: LinqConfiguration(apiKey: "k", baseURL: "http://h"))
        #expect(number.url == "http://h/v3/phone_numbers/+15551230001/reputation_audit")
    }
}
