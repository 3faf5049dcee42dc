import LinqCore
import LinqJSON
import Synchronization

/// The webhook listener's end: stopped by `webhook listen stop` and whenever a run ends.
extension Interpreter {
    /// Stops the listener and deletes the subscription it made (errors ignored: the shell may
    /// be ending); its events stay readable as `$events`.
    public func stopListener() {
        guard let listener = webhooks.listener else { return }
        webhooks.listener = nil
        webhooks.stoppedFrom = listener.firstNumber
        stop(listener)
    }

    /// Stops a receiver (the shell's, or chat mode's own) and deletes the subscription it made.
    func stop(_ listener: WebhookListener) {
        listener.stop()
        // Forwards under way finish (each within its own 10-s limit) and print their line.
        _ = Blocking.wait(upTo: 15) { listener.forwardsInFlight == 0 }
        Blocking.drain()
        guard let id = listener.subscription.withLock({ $0 }) else { return }
        let delete = APICatalog.operation(id: "webhook.delete")
        let call = BoundCall(
            operation: delete, arguments: ["subscriptionId": .string(id)], body: nil, noValidate: false, output: nil)
        guard let request = try? prepare(call) else { return }
        let client = self.client
        _ = Blocking.run(on: EventLoopExecutor.shared) { () async -> Bool in
            (try? await client.send(request, idempotent: true)) != nil
        }
    }

    /// The events received so far (of the running listener, or the last one stopped).
    var receivedEvents: [ReceivedEvent] {
        if let listener = webhooks.listener { return listener.received }
        return webhooks.stoppedFrom.map { session.timeline.events(from: $0) } ?? []
    }
}
