import Foundation
import Synchronization

/// Runs blocking code (the interpreter, which waits for requests like the real `main` thread does)
/// on its own thread, so that it never occupies one of the few threads of Swift's cooperative
/// pool that the request itself needs.
public func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: body())
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Lets a non-Sendable value cross into `onDedicatedThread` (the caller waits for the thread, so
/// there is no concurrent access).
public struct Unchecked<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// A list several threads append to (a test's record of what happened, in order).
public final class LockedList: Sendable {
    private let storage = Mutex<[String]>([])
    public init() {}
    /// Appends one item.
    public func append(_ item: String) { storage.withLock { $0.append(item) } }
    /// Everything appended so far, in order.
    public var items: [String] { storage.withLock { $0 } }
}
