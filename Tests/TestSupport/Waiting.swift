import Foundation

/// Waits until `condition` holds, checking it every 10 ms, for at most `seconds` — a guard against
/// a test that would hang, not a measure of speed. Returns whether it held. For tests that run on a
/// thread of their own (a pseudo-terminal, blocking sockets).
@discardableResult
public func blockUntil(seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
}

/// Waits until `condition` holds, checking it every 10 ms, for at most `seconds` — a guard against
/// a test that would hang, not a measure of speed. Returns whether it held.
@discardableResult
public func waitUntil(seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try await condition() { return true }
        if Date() >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
