import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The emulator's notion of now: real time plus an offset that tests and demos move forward
/// (`POST /_emulator/clock`), so a 10-minute rate window passes in milliseconds. A manual clock
/// (`EmulatorClock.manual()`) does not follow real time at all: it moves only when advanced, so a
/// test about a 30-second window holds however slowly a loaded machine runs it.
public final class EmulatorClock: Sendable {
    /// How far emulated time may be from real time, in seconds: 100 years either way, so that every
    /// emulated time prints as a four-digit-year ISO-8601 date and all arithmetic on it is exact.
    public static let offsetRange: ClosedRange<Double> = -3_155_760_000...3_155_760_000

    private let offset = Mutex<Double>(0)
    /// For a manual clock, the real time it was made at and how many readings it has given.
    private let manual: Mutex<(start: Double, readings: Double)>?

    public init(offset: Double = 0) {
        manual = nil
        self.offset.withLock { $0 = Self.clamped(offset) }
    }

    private init(manualFrom start: Double) { manual = Mutex((start, 0)) }

    /// A clock that stands still unless advanced: each reading is one microsecond after the last
    /// (so records made one after another keep their order), starting at the real time of the call.
    public static func manual() -> EmulatorClock { EmulatorClock(manualFrom: realNow()) }

    /// Seconds since 1970, with fractions, in emulated time.
    public func now() -> Double {
        let base =
            manual?.withLock { state in
                state.readings += 1
                return state.start + state.readings / 1e6
            } ?? Self.realNow()
        return base + offset.withLock { $0 }
    }

    /// Moves emulated time forward (or back, with a negative value), staying within `offsetRange`
    /// (a non-finite value is ignored).
    public func advance(by seconds: Double) { offset.withLock { $0 = Self.clamped($0 + seconds) } }

    /// Whether moving the clock by `seconds` keeps it within `offsetRange`.
    public func canAdvance(by seconds: Double) -> Bool {
        seconds.isFinite && Self.offsetRange.contains(offset.withLock { $0 } + seconds)
    }

    /// How far emulated time is ahead of real time (set: clamped to `offsetRange`).
    public var currentOffset: Double {
        get { offset.withLock { $0 } }
        set { offset.withLock { $0 = Self.clamped(newValue) } }
    }

    /// `value` limited to `offsetRange`; a non-finite value is 0.
    static func clamped(_ value: Double) -> Double {
        value.isFinite ? min(max(value, offsetRange.lowerBound), offsetRange.upperBound) : 0
    }

    /// A wait in seconds as a whole `Retry-After` value: rounded up, at least 1, and never a trap
    /// (a non-finite or huge value is capped).
    static func waitSeconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 1 }
        return Int(min(max(seconds.rounded(.up), 1), Double(Int32.max)))
    }

    static func realNow() -> Double {
        var ts = Glibc.timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// ISO-8601 in UTC with milliseconds: `2026-11-29T00:41:00.123Z`. Total: a time outside the
    /// years 1…9999 (which no valid state holds) prints as the nearest end, a non-finite one as 1970.
    public static func iso8601(_ seconds: Double) -> String {
        let bounded =
            seconds.isFinite
            ? min(max(seconds, EmulatorStore.timeRange.lowerBound), EmulatorStore.timeRange.upperBound) : 0
        let millis = Int64((bounded * 1000).rounded(.down))
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3_600_000, 2)):"
            + "\(pad(rest / 60_000 % 60, 2)):\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))Z"
    }
}

/// Random identifiers in the API's formats.
enum Identifiers {
    /// 32 lowercase hex characters (a W3C trace id): unique, not secret, so drawn from a fast
    /// generator seeded once from the system's (which costs a system call per number, two per
    /// request).
    static func traceID() -> String {
        let (a, b) = traceBits.withLock { state -> (UInt64, UInt64) in (splitMix(&state), splitMix(&state)) }
        return hex(a == 0 ? 1 : a) + hex(b)
    }

    /// The trace ids' generator state (SplitMix64).
    private static let traceBits = Mutex(UInt64.random(in: 0...UInt64.max))

    /// The next SplitMix64 output (a full-period 64-bit sequence: no repeats within a process).
    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random version-4 UUID in lowercase.
    static func uuid() -> String {
        let a = UInt64.random(in: 0...UInt64.max)
        let b = UInt64.random(in: 0...UInt64.max)
        let h = hex(a) + hex((b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
        let c = Array(h)
        let v4 = String(c[0..<12]) + "4" + String(c[13..<32])
        let d = Array(v4)
        return String(d[0..<8]) + "-" + String(d[8..<12]) + "-" + String(d[12..<16]) + "-" + String(d[16..<20]) + "-"
            + String(d[20..<32])
    }

    static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// A stable 64-bit FNV-1a hash as 16 hex characters.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hex(hash)
    }
}
