import LinqCore
import LinqJSON
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one record of the session: every exchange with the API (the request as sent, every
/// attempt, the response or failure) and every webhook delivery the listener kept, numbered in
/// one sequence as they happened. `last`, `$last`, `timeline`, `inspect`, `diff`, `replay`,
/// copy-as-code and `$events` all read it; nothing keeps a copy of its own.
///
/// Bounded: the last `limit` entries and `maxKeptBytes` of bodies. The newest exchange keeps its
/// whole body (for `last` and `$last`); once another follows, a body over `maxBodyKept` is cut
/// to that size and the entry says so (`truncatedFrom`).
///
/// Thread-safe: exchanges are recorded by the thread that runs commands, deliveries by the
/// webhook listener's event loop.
public final class Timeline: Sendable {
    /// At most this many entries are kept (the oldest go first).
    public static let limit = 1000
    /// At most this many bytes of request and response bodies are kept.
    public static let maxKeptBytes = 16 * 1_048_576
    /// An older exchange's body is cut to this many bytes.
    public static let maxBodyKept = 64 * 1024

    private let state = Mutex(State())

    struct State {
        var entries: [TimelineEntry] = []
        /// The number the next entry gets.
        var next = 1
        var bytes = 0
        /// The newest exchange, whole (it stays even if deliveries push it out of `entries`).
        var lastExchange: TimelineEntry?
    }

    public init() {}

    // MARK: Recording

    /// A number for an exchange about to be sent (with the time it starts): deliveries that
    /// arrive while it runs come after it, as they followed from it.
    public func reserve() -> (number: Int, at: Double) {
        let at = Self.wallClock()
        return state.withLock { state in
            defer { state.next += 1 }
            return (state.next, at)
        }
    }

    /// Records an exchange (under a number from `reserve`, or the next) and returns its number.
    /// The previous newest exchange's body is cut to `maxBodyKept` if longer.
    @discardableResult
    public func record(_ exchange: Exchange, reserved: (number: Int, at: Double)? = nil) -> Int {
        let at = reserved?.at ?? Self.wallClock()
        return state.withLock { state in
            if let previous = state.lastExchange, let index = state.index(of: previous.number),
                case .exchange(let old) = state.entries[index].kind, let cut = old.truncated(to: Self.maxBodyKept)
            {
                state.bytes -= old.keptBytes - cut.keptBytes
                state.entries[index].kind = .exchange(cut)
            }
            let number = reserved?.number ?? state.next
            if reserved == nil { state.next += 1 }
            let entry = TimelineEntry(number: number, at: at, kind: .exchange(exchange))
            state.lastExchange = entry
            state.append(entry)
            return entry.number
        }
    }

    /// Records a webhook delivery; the event comes back numbered.
    public func record(_ event: ReceivedEvent) -> ReceivedEvent {
        let at = Self.wallClock()
        return state.withLock { state in
            var event = event
            event.number = state.next
            state.next += 1
            state.append(TimelineEntry(number: event.number, at: at, kind: .event(event)))
            return event
        }
    }

    /// Changes a kept delivery (e.g. the forward's answer once known); the event as it is now,
    /// or `nil` when it is no longer kept.
    public func update(event number: Int, _ change: (inout ReceivedEvent) -> Void) -> ReceivedEvent? {
        state.withLock { state in
            guard let index = state.index(of: number), case .event(var event) = state.entries[index].kind else {
                return nil
            }
            change(&event)
            state.entries[index].kind = .event(event)
            return event
        }
    }

    /// Forgets everything (`timeline clear`); numbering goes on.
    public func clear() {
        state.withLock { state in
            state.entries = []
            state.bytes = 0
            state.lastExchange = nil
        }
    }

    // MARK: Reading

    /// Every entry kept, oldest first.
    public var entries: [TimelineEntry] { state.withLock { $0.entries } }

    /// The entry numbered `number`, if still kept (the newest exchange always is).
    public func entry(_ number: Int) -> TimelineEntry? {
        state.withLock { state in
            if let last = state.lastExchange, last.number == number { return last }
            return state.index(of: number).map { state.entries[$0] }
        }
    }

    /// The newest exchange (whole), if any.
    public var lastExchange: Exchange? {
        state.withLock { state in
            guard case .exchange(let exchange)? = state.lastExchange?.kind else { return nil }
            return exchange
        }
    }

    /// The deliveries numbered `from` or later, oldest first.
    public func events(from first: Int) -> [ReceivedEvent] {
        state.withLock { state in
            state.entries.compactMap { entry in
                guard entry.number >= first, case .event(let event) = entry.kind else { return nil }
                return event
            }
        }
    }

    /// The number the next entry will get.
    public var nextNumber: Int { state.withLock { $0.next } }

    /// The range of numbers kept (for messages naming what there is), `nil` when empty.
    public var keptRange: ClosedRange<Int>? {
        state.withLock { state in
            guard let first = state.entries.first?.number, let last = state.entries.last?.number else { return nil }
            return first...last
        }
    }

    /// Seconds since 1970 (the wall clock, for `--since` and the times shown).
    static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension Timeline.State {
    /// Where entry `number` is (numbers increase along `entries`).
    func index(of number: Int) -> Int? {
        guard let first = entries.first?.number, number >= first else { return nil }
        // Usually exact (numbers are consecutive unless entries were cleared); else search.
        let guess = number - first
        if guess < entries.count, entries[guess].number == number { return guess }
        var low = 0
        var high = entries.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if entries[mid].number == number { return mid }
            if entries[mid].number < number { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// Appends an entry, then drops the oldest while over the bounds (in chunks of a tenth of
    /// the limit, so a full timeline does not shift its whole array on every command).
    mutating func append(_ entry: TimelineEntry) {
        // In number order: an exchange is recorded after the deliveries that came while it ran.
        var at = entries.count
        while at > 0 && entries[at - 1].number > entry.number { at -= 1 }
        entries.insert(entry, at: at)
        bytes += entry.keptBytes
        var drop = 0
        if entries.count > Timeline.limit + Timeline.limit / 10 { drop = entries.count - Timeline.limit }
        var freed = entries[..<drop].reduce(0) { $0 + $1.keptBytes }
        while bytes - freed > Timeline.maxKeptBytes && drop < entries.count - 1 {
            freed += entries[drop].keptBytes
            drop += 1
        }
        guard drop > 0 else { return }
        bytes -= entries[..<drop].reduce(0) { $0 + $1.keptBytes }
        entries.removeFirst(drop)
    }
}

extension Timeline {
    /// The newest exchange's number, if any.
    public var lastExchangeNumber: Int? { state.withLock { $0.lastExchange?.number } }

    /// Why entry `number` cannot be had: `#99 is not in the timeline (it keeps #12–#1011)`.
    public func missing(_ number: Int) -> String {
        guard let range = keptRange else { return "#\(number) is not in the timeline: it is empty (nothing sent yet)" }
        if number >= nextNumber {
            return "#\(number) is not in the timeline yet: the last is #\(range.upperBound)"
        }
        return "#\(number) is no longer in the timeline (it keeps #\(range.lowerBound)–#\(range.upperBound))"
    }
}
