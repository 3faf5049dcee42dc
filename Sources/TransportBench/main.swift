// `linq-transport-bench URL KEY N`: the floor under `linq`'s per-command cost, for `scripts/bench`.
// Sends N `GET /v3/contact_card` through the same transport, on the same event loop and from a
// blocking main thread the way the shell does, with none of the shell (no parsing, binding,
// client policy, rendering). `linq`'s CPU per command minus this one's is the CPU of our own.
import Dispatch
import LinqCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = Int(arguments[3]), count > 0 else {
    print("usage: linq-transport-bench BASE_URL API_KEY COUNT")
    exit(2)
}
let request = HTTPRequestData(
    method: "GET", url: arguments[1] + "/v3/contact_card",
    headers: [HTTPHeader("Authorization", "Bearer " + arguments[2]), HTTPHeader("Accept", "application/json")])
let timeouts = LinqConfiguration.Timeouts()

/// Sends the request once from the calling (non-loop) thread and waits, as `Blocking.run` does.
func sendOnce() -> Int {
    let status = Mutex(0)
    let done = DispatchSemaphore(value: 0)
    Task.detached(executorPreference: EventLoopExecutor.shared) {
        let code = (try? await AsyncHTTPTransport.shared.send(request, timeouts: timeouts))?.status ?? -1
        status.withLock { $0 = code }
        done.signal()
    }
    done.wait()
    return status.withLock { $0 }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

guard sendOnce() == 200 else {
    print("linq-transport-bench: GET \(request.url) did not answer 200")
    exit(1)
}
let start = ContinuousClock.now
let cpuStart = cpuSeconds()
for _ in 0..<count where sendOnce() != 200 { exit(1) }
let wall = ContinuousClock.now - start
let perRequest = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
print(
    "transport \(String(perRequest / Double(count) * 1000)) \(String((cpuSeconds() - cpuStart) / Double(count) * 1000))"
)
