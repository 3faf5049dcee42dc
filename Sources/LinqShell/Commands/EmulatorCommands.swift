import LinqCore
import LinqJSON

/// Controls of the built-in emulator (its loopback-only `/_emulator/…` API): `emulator reset`.
enum EmulatorCommands {
    static let commands: [CommandSpec] = [reset]

    static let reset = CommandSpec(
        ["emulator", "reset"], group: .emulator,
        summary: "Put the emulator back to its seed data (a demo's fresh start)",
        details: """
            Forgets every card, chat, message and webhook created since the seed, in this shell and in \
            every other one sharing the emulator's state file. Only on an emulator (built-in or \
            standalone); `linq --fresh` does the same at start-up.
            """,
        examples: ["emulator reset"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            _ = try control(context, "POST", "/_emulator/reset")
            context.session.listPosition = nil
            context.err(context.errorRenderer.dim("emulator reset to its seed data") + "\n")
        })

    /// Sends a control request to the emulator the session talks to; its JSON answer, if any.
    /// A usage error on any other target, a request error when the control API answers badly.
    static func control(_ context: CommandContext, _ method: String, _ path: String, body: JSONValue? = nil)
        throws(ShellError) -> JSONValue?
    {
        let session = context.session
        // A standalone `linq emulator` is a custom URL: try it; never the production API.
        if case .production = session.target {
            throw ShellError.usage(
                "\(context.spec.name) works only on an emulator (the built-in one, or `linq emulator` at a URL), not on the production API"
            )
        }
        let url = origin(of: session.baseURL.value) + path
        var request = HTTPRequestData(method: method, url: url)
        if let body {
            request.headers = [HTTPHeader("Content-Type", "application/json")]
            request.body = Array(body.formatted(.compact).utf8)
        }
        let transport = context.environment.transport
        let timeouts = context.environment.baseConfiguration.timeouts
        let sent = request
        let result = Blocking.run { () async -> Result<HTTPResponseData, any Error> in
            do {
                return .success(try await transport.send(sent, timeouts: timeouts))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure(let error):
            throw ShellError.usage("the emulator did not answer \(method) \(path): \(error)")
        case .success(let response):
            let json = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self))
            guard (200..<300).contains(response.status) else {
                if response.status == 404 {
                    throw ShellError.usage("\(url) is not a linq emulator (it has no /_emulator control API)")
                }
                let message = json?["error"]?["message"]?.stringValue ?? "status \(response.status)"
                throw ShellError.usage("the emulator refused \(method) \(path): \(message)")
            }
            return response.body.isEmpty ? nil : json
        }
    }

    /// `scheme://host:port` of a URL (where the control API lives).
    static func origin(of url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // ["http:", "", "127.0.0.1:4010", "api/partner"]
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return url }
        return parts[0...2].joined(separator: "/")
    }
}
