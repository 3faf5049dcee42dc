import AsyncHTTPClient
import LinqHash
import LinqJSON
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends webhook deliveries, off the request path, and retries them on the emulator's clock.
///
/// Contract (reference §E.1): at-least-once; a 2xx is delivered; 5xx, 429, a timeout (10 s) or a
/// connection error is retried, with the waits in `retryDelays` measured on `EmulatorClock` (so
/// `POST /_emulator/clock` makes a retry due at once); any other status is permanent. Up to
/// `maxAttempts` attempts (the current docs: up to 10 attempts over about 25 minutes). Every attempt
/// carries the same `webhook-id` and a fresh `webhook-timestamp` and signature. The timestamp is
/// real time, not emulated time, so that a receiver's replay check (±5 min) still passes after
/// the clock was moved.
///
/// Each delivery (one event to one subscription) gets a number when it is taken (`delivery_id`),
/// and each attempt one when it ends (`id`, what `?after=` follows); both count up for the life of
/// the process (a reset does not restart them). `redeliver` sends a delivery's event once more.
final class WebhookDispatcher: Sendable {
    /// Waits after attempts 1…9, in emulated seconds (about 25 minutes in all).
    static let retryDelays: [Double] = [5, 10, 30, 60, 120, 180, 240, 300, 540]
    static var maxAttempts: Int { retryDelays.count + 1 }
    /// How long a receiver has to answer.
    static let timeout: TimeAmount = .seconds(10)
    /// Attempts kept for `GET /_emulator/deliveries` (oldest dropped first), and deliveries kept
    /// for `redeliver`.
    static let historyLimit = 2000
    /// How often waiting retries are checked against the emulated clock (real milliseconds).
    static let pollMilliseconds = 20

    /// The HTTP client of all deliveries, for the life of the process (never shut down). A refused
    /// connection fails the attempt at once (no silent re-connecting until the timeout) and
    /// redirects are not followed (a 3xx is a failed delivery, as with the real API's sender).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    let clock: EmulatorClock
    private let state = Mutex(State())

    private struct State {
        var attempts: [DeliveryAttempt] = []
        /// Retries waiting for their time; `attempt` is the automatic attempt's index (1…`maxAttempts`).
        var waiting: [(job: WebhookJob, attempt: Int, due: Double)] = []
        var inFlight = 0
        var faults: [DeliveryFault] = []
        var polling = false
        /// First attempts waiting for the one before them to the same subscription: each
        /// subscription receives the events in the order they happened (`message.sent` before
        /// `message.delivered`). Retries go when due, as with the real API.
        var lanes: [String: [WebhookJob]] = [:]
        var busyLanes: Set<String> = []
        /// Routing tokens receivers returned, per subscription: its routing epoch and the token of
        /// each chat (`WebhookJob.Affinity`).
        var routingTokens: [String: (epoch: String, tokens: [String: String])] = [:]
        /// The newest `historyLimit` deliveries by number: the job (to send again) and how many
        /// attempts of it started (the next attempt's number follows).
        var deliveries: [Int: (job: WebhookJob, started: Int)] = [:]
        var nextDeliveryID = 1
        var nextAttemptID = 1
    }

    /// Told every attempt (the delivery log in the state database).
    let onAttempt: (@Sendable (DeliveryAttempt) -> Void)?

    init(clock: EmulatorClock, onAttempt: (@Sendable (DeliveryAttempt) -> Void)? = nil) {
        self.clock = clock
        self.onAttempt = onAttempt
    }

    /// Numbers each job (its `deliveryID`) and starts its first attempt, in order per subscription
    /// (returns at once).
    func enqueue(_ jobs: [WebhookJob]) {
        for var job in jobs {
            let number = state.withLock { s -> Int? in
                job.deliveryID = s.nextDeliveryID
                s.nextDeliveryID += 1
                s.deliveries[job.deliveryID] = (job, 0)
                s.deliveries[job.deliveryID - Self.historyLimit] = nil
                guard s.busyLanes.insert(job.subscriptionID).inserted else {
                    s.lanes[job.subscriptionID, default: []].append(job)
                    return nil
                }
                return Self.claim(&s, job, automatic: 1)
            }
            if let number { launch(job, number: number, automatic: 1) }
        }
    }

    /// After a first attempt to a subscription: its next event goes (or the lane is free).
    private func laneDone(_ subscriptionID: String) {
        let next = state.withLock { s -> (WebhookJob, Int)? in
            guard var queued = s.lanes[subscriptionID], !queued.isEmpty else {
                s.busyLanes.remove(subscriptionID)
                s.lanes[subscriptionID] = nil
                return nil
            }
            let next = queued.removeFirst()
            s.lanes[subscriptionID] = queued
            return (next, Self.claim(&s, next, automatic: 1))
        }
        if let (job, number) = next { launch(job, number: number, automatic: 1) }
    }

    /// Attempts so far (optionally of one event type), oldest first.
    func attempts(eventType: String? = nil) -> [DeliveryAttempt] {
        state.withLock { s in s.attempts.filter { eventType == nil || $0.eventType == eventType } }
    }

    /// The attempts `filter` selects, oldest first.
    func attempts(_ filter: DeliveryFilter) -> [DeliveryAttempt] {
        let matching = state.withLock { s in s.attempts.filter(filter.matches) }
        guard let limit = filter.limit else { return matching }
        return Array(filter.fromEnd ? matching.suffix(limit) : matching.prefix(limit))
    }

    /// The job of delivery `id`, while it is among the newest `historyLimit`.
    func delivery(_ id: Int) -> WebhookJob? { state.withLock { $0.deliveries[id]?.job } }

    /// Sends delivery `id`'s event again now, as one more attempt, to `url` and signed afresh with
    /// `secret` (the subscription's current ones); the same `webhook-id` and body. The attempt is
    /// not retried, and once it is delivered the retries still waiting for the delivery are
    /// dropped. Returns the attempt's number, `nil` for a delivery not kept.
    func redeliver(_ id: Int, url: String, secret: String) -> Int? {
        guard var job = delivery(id) else { return nil }
        job.url = url
        job.secret = secret
        return start(job, automatic: nil)
    }

    /// Attempts running now plus retries waiting for their time.
    var pendingCount: Int {
        state.withLock { s in s.inFlight + s.waiting.count + s.lanes.values.reduce(0) { $0 + $1.count } }
    }

    /// What is left to send, read in one go: how many attempts run now (to any URL) and the
    /// retries waiting for their time — each one's URL, attempt number and due time (emulated
    /// seconds). With the attempt history it tells that nothing more will go to a receiver.
    var queue: (inFlight: Int, waiting: [(url: String, attempt: Int, due: Double)]) {
        let now = clock.now()
        return state.withLock { s in
            let queued = s.lanes.values.flatMap { $0 }.map { (url: $0.url, attempt: 1, due: now) }
            return (s.inFlight, s.waiting.map { ($0.job.url, $0.attempt, $0.due) } + queued)
        }
    }

    /// Adds a delivery fault.
    func inject(_ fault: DeliveryFault) { state.withLock { $0.faults.append(fault) } }
    var faults: [DeliveryFault] { state.withLock { $0.faults } }

    /// Drops faults, waiting retries and the attempt history (`POST /_emulator/reset`, `DELETE` of
    /// faults only clears faults).
    func clearFaults() { state.withLock { $0.faults = [] } }
    func reset() {
        state.withLock { s in
            s.faults = []
            s.waiting = []
            s.attempts = []
            s.lanes = [:]
            s.routingTokens = [:]
            s.deliveries = [:]
        }
    }

    /// Starts one attempt of `job`, numbered after the delivery's attempts so far (returned). An
    /// automatic attempt (`automatic`: its index, 1…`maxAttempts`) is retried when it fails; a
    /// redelivery (`nil`) is not.
    @discardableResult
    private func start(_ job: WebhookJob, automatic: Int?) -> Int {
        let number = state.withLock { s in Self.claim(&s, job, automatic: automatic) }
        launch(job, number: number, automatic: automatic)
        return number
    }

    /// Counts an attempt of `job` as in flight and numbers it — in the same locked step that took
    /// it from a lane or the retries, so that `queue` never shows it nowhere.
    private static func claim(_ s: inout State, _ job: WebhookJob, automatic: Int?) -> Int {
        s.inFlight += 1
        guard let started = s.deliveries[job.deliveryID]?.started else { return automatic ?? 1 }
        s.deliveries[job.deliveryID]?.started = started + 1
        return started + 1
    }

    /// Runs a claimed attempt.
    private func launch(_ job: WebhookJob, number: Int, automatic: Int?) {
        Task { await self.run(job, number: number, automatic: automatic) }
    }

    private enum Outcome {
        case status(Int)
        case failure(String)
    }

    private func run(_ job: WebhookJob, number: Int, automatic: Int?) async {
        let outcome: Outcome
        if let fault = takeFault(job.eventType) {
            if let status = fault.status {
                outcome = .status(status)
            } else if fault.timeout {
                outcome = .failure("timed out after 10 s (injected fault)")
            } else {
                outcome = .failure("connection closed without an answer (injected fault)")
            }
        } else if let host = Self.reservedHost(job.url) {
            outcome = .failure("\(host) is a reserved example domain (RFC 2606) that never resolves: not sent")
        } else {
            outcome = await send(job)
        }
        let now = clock.now()
        var record = DeliveryAttempt(
            deliveryID: job.deliveryID, subscriptionID: job.subscriptionID, url: job.url, eventType: job.eventType,
            eventID: job.eventID, webhookID: job.eventID, attempt: number, status: nil, error: nil,
            outcome: "delivered", at: now, redelivery: automatic == nil)
        let retryable: Bool
        switch outcome {
        case .status(let status):
            record.status = status
            retryable = status >= 500 || status == 429
            if !(200...299).contains(status) { record.outcome = "failed" }
        case .failure(let message):
            record.error = message
            record.outcome = "failed"
            retryable = true
        }
        state.withLock { s in
            s.inFlight -= 1
            if let automatic, retryable && automatic < Self.maxAttempts {
                let due = now + Self.retryDelays[automatic - 1]
                record.outcome = "retrying"
                record.nextRetryAt = due
                s.waiting.append((job, automatic + 1, due))
            }
            if automatic == nil && record.outcome == "delivered" {
                // The receiver has the event now: the retries waiting to send it again are not needed.
                s.waiting.removeAll { $0.job.deliveryID == job.deliveryID }
            }
            record.id = s.nextAttemptID
            s.nextAttemptID += 1
            s.attempts.append(record)
            onAttempt?(record)
            if s.attempts.count > Self.historyLimit { s.attempts.removeFirst(s.attempts.count - Self.historyLimit) }
        }
        if record.nextRetryAt != nil { ensurePolling() }
        if automatic == 1 { laneDone(job.subscriptionID) }
    }

    private func takeFault(_ eventType: String) -> DeliveryFault? {
        state.withLock { s in
            guard let index = s.faults.firstIndex(where: { $0.eventType == nil || $0.eventType == eventType }) else {
                return nil
            }
            let fault = s.faults[index]
            s.faults[index].remaining -= 1
            if s.faults[index].remaining <= 0 { s.faults.remove(at: index) }
            return fault
        }
    }

    /// Runs the retry loop while retries wait: every `pollMilliseconds`, starts those now due.
    private func ensurePolling() {
        let begin = state.withLock { s -> Bool in
            if s.polling { return false }
            s.polling = true
            return true
        }
        guard begin else { return }
        Task { [self] in
            while true {
                try? await Task.sleep(for: .milliseconds(Self.pollMilliseconds))
                let now = clock.now()
                let due = state.withLock { s -> [(WebhookJob, Int, Int)]? in
                    if s.waiting.isEmpty {
                        s.polling = false
                        return nil
                    }
                    let ready = s.waiting.filter { $0.due <= now }
                    s.waiting.removeAll { $0.due <= now }
                    return ready.map { ($0.job, $0.attempt, Self.claim(&s, $0.job, automatic: $0.attempt)) }
                }
                guard let due else { return }
                for (job, attempt, number) in due { launch(job, number: number, automatic: attempt) }
            }
        }
    }

    /// The host of `url` when it lies under a name reserved never to resolve (`.example`,
    /// `.invalid`, `.test`, `example.com/net/org`), such as the seeded subscription's
    /// `hooks.acme.example`: the emulator does not look those up, so it stays off the network.
    static func reservedHost(_ url: String) -> String? {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return nil }
        let rest = parts[2]
        var host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = host[..<colon] }
        let name = host.lowercased()
        let reserved = [".example", ".invalid", ".test", "example.com", "example.net", "example.org"]
        let hit = reserved.contains { suffix in
            name.hasSuffix(suffix)
                && (name.count == suffix.count || suffix.hasPrefix(".")
                    || name.dropLast(suffix.count).hasSuffix("."))
        }
        return hit ? name : nil
    }

    /// One real POST to the receiver, with the chat's routing token when one was learned; a 2xx
    /// answer's routing-key header sets the token for the next deliveries (`WebhookJob.Affinity`).
    private func send(_ job: WebhookJob) async -> Outcome {
        var request = HTTPClientRequest(url: job.url)
        request.method = .POST
        for (name, value) in Self.headers(for: job, timestamp: Int(EmulatorClock.realNow())) {
            request.headers.add(name: name, value: value)
        }
        if let affinity = job.affinity, let token = routingToken(job.subscriptionID, affinity) {
            request.headers.add(name: affinity.header, value: token)
        }
        request.body = .bytes(ByteBuffer(bytes: job.body))
        do {
            let response = try await Self.client.execute(request, timeout: Self.timeout)
            _ = try? await response.body.collect(upTo: 1 << 20)
            if let affinity = job.affinity, (200...299).contains(response.status.code),
                let token = response.headers.first(name: affinity.header), !token.isEmpty
            {
                learn(token, job.subscriptionID, affinity)
            }
            return .status(Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure("timed out after 10 s")
        } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
            // The receiver's earlier deliveries still hold every connection: this one timed out too.
            return .failure("timed out after 10 s (the receiver was still busy with earlier deliveries)")
        } catch let error as HTTPClientError where error == .connectTimeout {
            return .failure("could not connect within 5 s")
        } catch {
            let text = String(describing: error)
            if text.contains("Connection refused") { return .failure("connection refused") }
            return .failure(text)
        }
    }

    /// The routing token learned for the job's chat in the subscription's current routing epoch.
    private func routingToken(_ subscriptionID: String, _ affinity: WebhookJob.Affinity) -> String? {
        state.withLock { s in
            guard let kept = s.routingTokens[subscriptionID], kept.epoch == affinity.epoch else { return nil }
            return kept.tokens[affinity.chatID]
        }
    }

    /// Keeps `token` for the chat (a new routing epoch drops the tokens of the previous one).
    private func learn(_ token: String, _ subscriptionID: String, _ affinity: WebhookJob.Affinity) {
        state.withLock { s in
            var kept = s.routingTokens[subscriptionID] ?? (affinity.epoch, [:])
            if kept.epoch != affinity.epoch { kept = (affinity.epoch, [:]) }
            kept.tokens[affinity.chatID] = token
            s.routingTokens[subscriptionID] = kept
        }
    }

    /// The headers of one attempt (reference §E.2): Standard Webhooks `webhook-id`,
    /// `webhook-timestamp`, `webhook-signature`; the legacy `X-Webhook-*` four (legacy signature: hex
    /// HMAC-SHA256 of `"{timestamp}.{body}"` keyed by the secret string's bytes, as the docs'
    /// examples do); and the chat-id routing header when affinity is on (the routing token is added
    /// by `send`, once the receiver returned one).
    static func headers(for job: WebhookJob, timestamp: Int) -> [(String, String)] {
        let key = Base64.decode(String(job.secret.dropFirst("whsec_".count))) ?? []
        let signed = Array("\(job.eventID).\(timestamp).".utf8) + job.body
        let signature = "v1," + Base64.encode(HMACSHA256.authenticationCode(for: signed, key: key))
        let legacy = Base64.hex(
            HMACSHA256.authenticationCode(for: Array("\(timestamp).".utf8) + job.body, key: Array(job.secret.utf8)))
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"), ("User-Agent", "Linq-Webhooks (linq emulator)"),
            ("webhook-id", job.eventID), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature),
            ("X-Webhook-Event", job.eventType), ("X-Webhook-Subscription-ID", job.subscriptionID),
            ("X-Webhook-Timestamp", String(timestamp)), ("X-Webhook-Signature", legacy),
        ]
        headers += job.routingHeaders.map { ($0.name, $0.value) }
        return headers
    }
}
