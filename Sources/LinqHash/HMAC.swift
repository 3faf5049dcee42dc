/// HMAC-SHA256 (RFC 2104), on top of `SHA256`.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key` (any length).
    public static func authenticationCode<Key: Collection, Message: Sequence>(for message: Message, key: Key)
        -> [UInt8] where Key.Element == UInt8, Message.Element == UInt8
    {
        var block = key.count > SHA256.blockSize ? SHA256.hash(key) : Array(key)
        block += [UInt8](repeating: 0, count: SHA256.blockSize - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func constantTimeEquals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
