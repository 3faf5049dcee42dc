import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a server's certificate is not trusted, in two or three words.
///
/// BoringSSL reports every untrusted chain as `CERTIFICATE_VERIFY_FAILED`. After such a failure
/// (only then) the transport opens one more connection that records the chain the server
/// presents and aborts the handshake, then reads it: the leaf issued by itself (`self-signed`),
/// out of its validity period (`expired`, `not yet valid`), or issued by a CA the system does not
/// trust (`unknown issuer`). Nothing is sent on that connection.
enum TLSDiagnosis {
    /// The reason, or `nil` when the chain could not be fetched in `timeout`.
    static func untrustedReason(host: String, port: Int, timeout: Duration) async -> String? {
        guard let chain = await presentedChain(host: host, port: port, timeout: timeout), let leaf = chain.first
        else { return nil }
        let now = time(nil)
        if leaf.notValidAfter < now { return "expired" }
        if leaf.notValidBefore > now { return "not yet valid" }
        guard let names = try? DERNames(leaf.toDERBytes()) else { return nil }
        if names.issuer == names.subject { return "self-signed" }
        return "unknown issuer"
    }

    /// The certificates the server presents, leaf first.
    static func presentedChain(host: String, port: Int, timeout: Duration) async -> [NIOSSLCertificate]? {
        let seen = Mutex<[NIOSSLCertificate]?>(nil)
        do {
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            let isIP = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(
                            context: context, serverHostname: isIP ? nil : host,
                            customVerificationCallback: { certificates, promise in
                                seen.withLock { $0 = certificates }
                                promise.succeed(.failed)
                            })
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: host, port: port).get()
            _ = try? await AsyncHTTPTransport.within(timeout) { try await channel.closeFuture.get() }
            channel.close(promise: nil)
        } catch {
            return seen.withLock { $0 }
        }
        return seen.withLock { $0 }
    }
}

/// The issuer and subject names of a DER certificate, as raw bytes (enough to compare them).
struct DERNames {
    var issuer: [UInt8]
    var subject: [UInt8]

    struct Malformed: Error {}

    /// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
    /// signature, issuer, validity, subject, … }, … }
    init(_ der: [UInt8]) throws {
        var outer = DERReader(der[...])
        var certificate = try outer.enter(tag: 0x30)
        var tbs = try certificate.enter(tag: 0x30)
        if tbs.peekTag == 0xA0 { _ = try tbs.next() }  // version
        _ = try tbs.next()  // serialNumber
        _ = try tbs.next()  // signature algorithm
        issuer = Array(try tbs.next())
        _ = try tbs.next()  // validity
        subject = Array(try tbs.next())
    }
}

/// A minimal DER reader: tag, length (short or long form), value.
struct DERReader {
    var bytes: ArraySlice<UInt8>
    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var peekTag: UInt8? { bytes.first }

    /// The next element whole (tag, length and value).
    mutating func next() throws -> ArraySlice<UInt8> {
        let all = bytes
        let (_, value) = try header()
        bytes = bytes[value.upperBound...]
        return all[all.startIndex..<value.upperBound]
    }

    /// The value of the next element, which must have `tag`, as a reader.
    mutating func enter(tag: UInt8) throws -> DERReader {
        let (found, value) = try header()
        guard found == tag else { throw DERNames.Malformed() }
        let inner = bytes[value]
        bytes = bytes[value.upperBound...]
        return DERReader(inner)
    }

    private func header() throws -> (tag: UInt8, value: Range<Int>) {
        var i = bytes.startIndex
        guard i < bytes.endIndex else { throw DERNames.Malformed() }
        let tag = bytes[i]
        i += 1
        guard i < bytes.endIndex else { throw DERNames.Malformed() }
        var length = Int(bytes[i])
        i += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count > 0, count <= 4, i + count <= bytes.endIndex else { throw DERNames.Malformed() }
            length = 0
            for _ in 0..<count {
                length = length << 8 | Int(bytes[i])
                i += 1
            }
        }
        guard i + length <= bytes.endIndex else { throw DERNames.Malformed() }
        return (tag, i..<(i + length))
    }
}
