import LinqCore
import LinqJSON

/// Requests to the control API (`/_emulator/…`) of the emulator a session talks to: the one
/// place that builds them and reads their answers, for the `emulator …` commands and for chat
/// mode's emulated contact. Never sent to the production API.
struct EmulatorControl: Sendable {
    /// `scheme://host:port` of the emulator.
    let origin: String
    let transport: any LinqTransport
    let timeouts: LinqConfiguration.Timeouts
    /// The command named in errors (`emulator inbound`).
    let command: String
    let isProduction: Bool

    init(session: Session, environment: ShellEnvironment, command: String) {
        origin = EmulatorCommands.origin(of: session.baseURL.value)
        transport = environment.transport
        timeouts = environment.baseConfiguration.timeouts
        self.command = command
        if case .production = session.target { isProduction = true } else { isProduction = false }
    }

    /// The wire request (a JSON body when one is given).
    func request(_ method: String, _ path: String, body: JSONValue?) -> HTTPRequestData {
        var request = HTTPRequestData(method: method, url: origin + path)
        if let body {
            request.headers = [HTTPHeader("Content-Type", "application/json")]
            request.body = Array(body.formatted(.compact).utf8)
        }
        return request
    }

    /// Sends a control request and waits (on the thread that owns the terminal); its JSON answer,
    /// if any. A usage error on the production API or where no emulator answers; a request error
    /// when the emulator refuses.
    func call(_ method: String, _ path: String, body: JSONValue? = nil) throws(ShellError) -> JSONValue? {
        // A standalone `linq emulator` is a custom URL: try it; never the production API.
        if isProduction {
            throw ShellError.usage(
                "\(command) works only on an emulator (the built-in one, or `linq emulator` at a URL), not on the production API"
            )
        }
        switch Blocking.send(request(method, path, body: body), through: transport, timeouts: timeouts) {
        case .failure(let error):
            if error is CancellationError { throw ShellError(.interrupted, "interrupted") }
            throw ShellError(.request, "the emulator did not answer \(method) \(path): \(error)")
        case .success(let response):
            return try Self.answer(response, method: method, path: path, url: origin + path)
        }
    }

    /// Sends a control request from any thread (the emulated contact's task); the refusal's
    /// message when it fails, `nil` when it worked.
    func post(_ path: String, _ body: JSONValue) async -> String? {
        do {
            let response = try await transport.send(request("POST", path, body: body), timeouts: timeouts)
            _ = try Self.answer(response, method: "POST", path: path, url: origin + path)
            return nil
        } catch let error as ShellError {
            return error.message
        } catch {
            return "the emulator did not answer POST \(path): \(error)"
        }
    }

    /// The JSON of a 2xx answer; a usage error naming the emulator's message otherwise.
    static func answer(_ response: HTTPResponseData, method: String, path: String, url: String) throws(ShellError)
        -> JSONValue?
    {
        let json = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self))
        guard (200..<300).contains(response.status) else {
            let message = json?["error"]?["message"]?.stringValue
            // The API's generic 404: no control API there. A control route's own 404 says what is missing.
            if response.status == 404 && (message == nil || message == "Resource not found") {
                throw ShellError.usage("\(url) is not a linq emulator (it has no /_emulator control API)")
            }
            throw ShellError(
                .request, "the emulator refused \(method) \(path): \(message ?? "status \(response.status)")")
        }
        return response.body.isEmpty ? nil : json
    }
}
