import NIOCore
import NIOPosix
import Synchronization

/// The deadlines of the requests in flight, watched from a loop of their own (so a deadline fires
/// even when the loop of the request it guards is busy or stalled) with one timer for all of
/// them: the earliest. Adding a deadline later than the armed timer (the usual case: a script's
/// requests each get `now + total`) and removing one cost a lock each — no timer is scheduled or
/// cancelled, so the watching thread is not woken per request. When the timer fires it fires
/// the deadlines that passed and arms itself for the earliest left. Only requests in flight are
/// held (a finished one is removed at once), so a long script keeps nothing.
final class DeadlineWatch: Sendable {
    /// The watch every transport uses.
    static let shared = DeadlineWatch(loop: MultiThreadedEventLoopGroup(numberOfThreads: 1).next())

    private struct Entry {
        var deadline: NIODeadline
        var fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 0
        /// When the armed timer fires (`nil`: none is armed).
        var armedFor: NIODeadline?
    }

    private let loop: any EventLoop
    private let state = Mutex(State())

    init(loop: any EventLoop) { self.loop = loop }

    /// Watches `deadline`: `fire` runs on the watching loop once it passes, unless `remove`d
    /// first. Returns the id to remove it with.
    func add(_ deadline: NIODeadline, fire: @escaping @Sendable () -> Void) -> Int {
        let (id, arm) = state.withLock { s -> (Int, Bool) in
            s.nextID &+= 1
            s.entries[s.nextID] = Entry(deadline: deadline, fire: fire)
            if let armed = s.armedFor, armed <= deadline { return (s.nextID, false) }
            s.armedFor = deadline
            return (s.nextID, true)
        }
        if arm { schedule(deadline) }
        return id
    }

    /// Stops watching a deadline (its `fire` is released at once).
    func remove(_ id: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// How many deadlines are watched (for tests).
    var count: Int { state.withLock { $0.entries.count } }

    private func schedule(_ deadline: NIODeadline) {
        loop.scheduleTask(deadline: deadline) { [self] in tick() }
    }

    /// A timer fired: fires what passed, and arms the timer for the earliest deadline left
    /// (unless an earlier timer is armed already).
    private func tick() {
        let now = NIODeadline.now()
        let (due, next) = state.withLock { s -> ([@Sendable () -> Void], NIODeadline?) in
            var due: [@Sendable () -> Void] = []
            for (id, entry) in s.entries where entry.deadline <= now {
                due.append(entry.fire)
                s.entries[id] = nil
            }
            if let armed = s.armedFor, armed <= now { s.armedFor = nil }
            guard let earliest = s.entries.values.lazy.map(\.deadline).min() else { return (due, nil) }
            if let armed = s.armedFor, armed <= earliest { return (due, nil) }
            s.armedFor = earliest
            return (due, earliest)
        }
        for fire in due { fire() }
        if let next { schedule(next) }
    }
}
