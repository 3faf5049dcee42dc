import LinqJSON
import Synchronization

/// The emulator's own control API under `/_emulator` (no API key needed; off when the server
/// listens beyond loopback, unless started with `--control-on-all-interfaces`):
///
/// | Request | Effect |
/// |---|---|
/// | `GET /_emulator` | partners, API keys, lines, chats, clock |
/// | `POST /_emulator/faults` `{"code":2022,"count":1,"method":"POST","path":"/v3/contact_card"}` | inject a fault (`code`, `status`, `retry_after`, `delay_ms`, `drop`; `async` with a delivery-failure code on a send: accepted, then `message.failed`) |
/// | `GET` / `DELETE /_emulator/faults` | list / clear pending faults |
/// | `GET /_emulator/clock`, `POST /_emulator/clock` `{"advance_seconds":600}` | read / move the clock (±100 years at most) |
/// | `GET` / `DELETE /_emulator/requests` | API requests counted so far (and the last 100) / reset the count |
/// | `POST /_emulator/reset` | back to the seed data (204) |
/// | `POST /_emulator/faults` `{"delivery":true,"status":503,"count":2,"event_type":"message.sent"}` | make the next webhook delivery attempts fail (`status`, `drop` or `timeout`; see `DeliveryFault`) |
/// | `GET /_emulator/deliveries…`, `POST /_emulator/deliveries/N/redeliver` | the delivery log, a redelivery (see `ControlRoutes+Deliveries.swift`) |
/// | `POST /_emulator/inbound` `{"from":"+1555…","to":LINE,"text":"hi"}` | the other side acts in a chat (see `InboundControl`) |
/// | `POST /_emulator/trigger` `{"event":"message.received"}` | a sample event of any type to matching subscriptions |
/// | `/_emulator/logs…`, `/_emulator/snapshots…` | the request log and stage snapshots (see `ControlRoutes+Logs.swift`) |
enum ControlRoutes {
    static func handle(_ request: EmulatorRequest, path: String, emulator: Emulator, traceID: String)
        -> EmulatorResponse
    {
        let method = request.method.uppercased()
        do throws(APIFailure) {
            switch (method, path) {
            case ("GET", "/_emulator"), ("GET", "/_emulator/"):
                return try refreshed(emulator) { info(emulator) }
            case ("GET", "/_emulator/faults"):
                let faults = emulator.faults.withLock { $0.map(\.json) } + emulator.webhooks.faults.map(\.json)
                return .json(200, ["faults": .array(faults)])
            case ("POST", "/_emulator/faults"):
                return try injectFault(request, emulator: emulator)
            case ("DELETE", "/_emulator/faults"):
                emulator.faults.withLock { $0 = [] }
                emulator.webhooks.clearFaults()
                return EmulatorResponse(status: 204)
            case ("GET", "/_emulator/clock"):
                return try refreshed(emulator) { clock(emulator) }
            case ("POST", "/_emulator/clock"):
                return try advanceClock(request, emulator: emulator)
            case ("GET", "/_emulator/requests"):
                return requestStats(emulator)
            case ("DELETE", "/_emulator/requests"):
                emulator.stats.withLock { $0 = Emulator.RequestStats() }
                return EmulatorResponse(status: 204)
            case ("POST", "/_emulator/inbound"):
                return try inbound(request, emulator: emulator, traceID: traceID)
            case ("POST", "/_emulator/trigger"):
                return .json(202, try trigger(request, emulator: emulator, traceID: traceID))
            case ("POST", "/_emulator/reset"):
                if case .failure(let error) = emulator.resetState() { throw stateFailure(error) }
                return EmulatorResponse(status: 204)
            default:
                if let answer = try logsAndSnapshots(request, method: method, path: path, emulator: emulator) {
                    return answer
                }
                if let answer = try deliveries(request, method: method, path: path, emulator: emulator) {
                    return answer
                }
                throw APIFailure(2001, message: "Resource not found", status: 404)
            }
        } catch {
            return emulator.failure(error, traceID: traceID)
        }
    }

    /// `POST /_emulator/faults` → 201 with the fault injected: a webhook delivery fault when
    /// `delivery` is true, else an API fault; a body that is not a JSON object → 1003.
    private static func injectFault(_ request: EmulatorRequest, emulator: Emulator) throws(APIFailure)
        -> EmulatorResponse
    {
        guard let object = (try? JSONValue.parse(request.body))?.objectValue else { throw APIFailure(1003) }
        if object["delivery"]?.boolValue == true {
            let fault = try DeliveryFault(json: object)
            emulator.webhooks.inject(fault)
            return .json(201, fault.json)
        }
        let fault = try Fault(json: object)
        emulator.inject(fault)
        return .json(201, fault.json)
    }

    /// `POST /_emulator/clock {"advance_seconds": N}` → 200 with the clock moved (and what fell due
    /// applied, as after a write); missing → 1001,
    /// not a number → 1003, beyond 100 years of real time → 1005.
    private static func advanceClock(_ request: EmulatorRequest, emulator: Emulator) throws(APIFailure)
        -> EmulatorResponse
    {
        guard let object = (try? JSONValue.parse(request.body))?.objectValue,
            let value = object["advance_seconds"], !value.isNull
        else { throw APIFailure(1001, message: "send {\"advance_seconds\": N}") }
        guard let seconds = value.doubleValue else {
            throw APIFailure(1003, message: "advance_seconds must be a number of seconds")
        }
        let outcome = emulator.transaction(writing: true) { store -> (Bool, save: Bool) in
            guard emulator.clock.canAdvance(by: seconds) else { return (false, save: false) }
            emulator.clock.advance(by: seconds)
            // What fell due in the time skipped happens now, with its events (a demo that moves
            // the clock past a payment request's expiry sees `payment.expired` at once).
            PaymentRoutes.expireDueRequests(now: emulator.clock.now(), &store)
            return (true, save: true)
        }
        switch outcome {
        case .success(true): return .json(200, clock(emulator))
        case .success(false):
            let limit = Int(EmulatorClock.offsetRange.upperBound)
            throw APIFailure(
                1005,
                message: "advance_seconds must keep the clock within 100 years of real time "
                    + "(an offset between -\(limit) and \(limit) seconds; it is now "
                    + "\(EmulatorStore.number(emulator.clock.currentOffset).formatted(.compact)))")
        case .failure(let error): throw stateFailure(error)
        }
    }

    /// `GET /_emulator/requests` → 200 `{count, recent}`: API requests counted so far and the last ones.
    private static func requestStats(_ emulator: Emulator) -> EmulatorResponse {
        let stats = emulator.stats.withLock { $0 }
        return .json(
            200,
            [
                "count": .int(stats.count),
                "recent": .array(
                    stats.recent.map {
                        ["method": .string($0.method), "path": .string($0.path), "status": .int($0.status)]
                    }),
            ])
    }

    /// `POST /_emulator/inbound` → 201 (see `InboundControl`); a body that is not a JSON object → 1003.
    private static func inbound(_ request: EmulatorRequest, emulator: Emulator, traceID: String) throws(APIFailure)
        -> EmulatorResponse
    {
        guard let object = (try? JSONValue.parse(request.body))?.objectValue else {
            throw APIFailure(
                1003,
                message:
                    "send a JSON object such as {\"from\": \"+15551234567\", \"to\": LINE, \"text\": \"hi\"}")
        }
        return .json(201, try InboundControl.handle(object, emulator: emulator, traceID: traceID))
    }

    /// A 200 with `body()` computed after re-reading the state file if another process changed it.
    static func refreshed(_ emulator: Emulator, _ body: () -> JSONValue) throws(APIFailure) -> EmulatorResponse {
        if case .failure(let error) = emulator.transaction(writing: false, { _ in ((), save: false) }) {
            throw stateFailure(error)
        }
        return .json(200, body())
    }

    /// A state-file failure as the answer (500, code 3006), also printed on stderr.
    static func stateFailure(_ error: StateFailure) -> APIFailure {
        printError("linq emulator: \(error.description)")
        return APIFailure(3006, message: "The emulator could not use its state file: \(error)")
    }

    static func clock(_ emulator: Emulator) -> JSONValue {
        let now = emulator.clock.now()
        return [
            "now": .string(EmulatorClock.iso8601(now)),
            "offset_seconds": EmulatorStore.number(emulator.clock.currentOffset),
        ]
    }

    static func info(_ emulator: Emulator) -> JSONValue {
        let chats = emulator.chats
        return [
            "partners": .array(
                emulator.partners.map { partner in
                    [
                        "id": .string(partner.id), "name": .string(partner.name), "api_key": .string(partner.apiKey),
                        "lines": .array(
                            partner.lines.map { line in
                                [
                                    "phone_number": .string(line.phoneNumber), "id": .string(line.id),
                                    "line_type": .string(line.lineType),
                                    "chat_id": chats.first { $0.line == line.phoneNumber }.map { .string($0.id) }
                                        ?? .null,
                                ]
                            }),
                    ]
                }),
            "clock": clock(emulator),
        ]
    }

    /// `POST /_emulator/trigger {"event": TYPE, "partner_id"?: ID}` → 202 `{event, deliveries}`:
    /// one sample event per partner (or the one named), to its matching subscriptions. An unknown
    /// type → 400/1005 listing the valid ones.
    static func trigger(_ request: EmulatorRequest, emulator: Emulator, traceID: String) throws(APIFailure) -> JSONValue
    {
        guard let object = (try? JSONValue.parse(request.body))?.objectValue,
            let type = object["event"]?.stringValue
        else {
            throw APIFailure(
                1001,
                message: "send {\"event\": TYPE}, TYPE one of: " + WebhookRoutes.eventTypes.joined(separator: ", "))
        }
        guard WebhookRoutes.knownEvents.contains(type) else {
            throw APIFailure(
                1005, message: "unknown event type \(type); valid: " + WebhookRoutes.eventTypes.joined(separator: ", "))
        }
        let only = object["partner_id"]?.stringValue
        let outcome = emulator.transaction(writing: true) { store -> (Int, save: Bool) in
            store.traceID = traceID
            let before = store.outbox.count
            for partner in store.partners where only == nil || partner.id == only {
                WebhookSamples.emit(type, partner: partner, now: emulator.clock.now(), &store)
            }
            return (store.outbox.count - before, save: true)
        }
        switch outcome {
        case .success(let count): return ["event": .string(type), "deliveries": .int(count)]
        case .failure(let error): throw stateFailure(error)
        }
    }
}
