import NIOCore
import Testing

@testable import LinqEmulator

/// The connection guard's reading of a request head: where it ends, and the `Content-Length` it
/// declares (read from the bytes, as an HTTP/1 server must: names without case, digits only).
@Suite struct HeadScanTests {
    /// The verdict and declared length for a head fed in pieces of `piece` bytes.
    static func scan(_ text: String, piece: Int = .max, bodyLimit: Int = 1_000) -> (
        ConnectionGuard.HeadScan.Verdict, Int?
    ) {
        var scan = ConnectionGuard.HeadScan()
        var limits = HTTPLimits()
        limits.bodyBytes = bodyLimit
        let bytes = Array(text.utf8)
        var verdict = ConnectionGuard.HeadScan.Verdict.incomplete
        var offset = 0
        while offset < bytes.count, verdict == .incomplete {
            let end = min(bytes.count, offset + min(piece, bytes.count))
            verdict = scan.feed(ByteBuffer(bytes: bytes[offset..<end]), limits)
            offset = end
        }
        return (verdict, scan.declaredLength())
    }

    @Test(
        arguments: [
            ("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", 12),
            ("POST / HTTP/1.1\r\ncontent-LENGTH:12\r\n\r\n", 12),
            ("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 12),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n", 7),
            ("POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", nil),
            ("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", nil),
            ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", Int.max),
            ("POST / HTTP/1.1\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n", nil),
            ("\r\nPOST / HTTP/1.1\r\nHost: x\r\n\r\n", nil),
            ("POST /Content-Length:9 HTTP/1.1\r\nHost: x\r\n\r\n", nil),
        ] as [(String, Int?)])
    func theDeclaredLengthIsReadFromTheBytes(_ head: String, _ length: Int?) {
        for piece in [Int.max, 1, 7] {
            let (verdict, declared) = Self.scan(head, piece: piece, bodyLimit: .max)
            #expect(verdict == .complete, "piece \(piece)")
            #expect(declared == length, "piece \(piece): \(head.debugDescription)")
        }
    }

    @Test func aDeclaredBodyOverTheLimitIsRefusedFromTheHead() {
        #expect(Self.scan("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n").0 == .bodyTooLarge)
        #expect(Self.scan("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n").0 == .complete)
        #expect(Self.scan("POST / HTTP/1.1\r\nContent-Length: 1000\r\n").0 == .incomplete)
    }
}
