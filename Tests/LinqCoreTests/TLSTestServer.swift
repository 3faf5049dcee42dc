import NIOCore
import NIOPosix
import NIOSSL

/// An https server on 127.0.0.1 (NIO + BoringSSL) that answers every request with `200 {}`,
/// presenting one of the test certificates below, for the TLS failure messages.
final class TLSTestServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }
    var baseURL: String { "https://127.0.0.1:\(port)/api/partner" }

    init(certificatePEM: String, keyPEM: String) async throws {
        let certificates = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        let context = try NIOSSLContext(configuration: configuration)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(Answer())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }

    /// Answers the first bytes of a request with a fixed response and closes.
    final class Answer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
            context.close(promise: nil)
        }
    }
}

/// Test certificates (EC P-256, made with openssl for these tests only; the keys protect nothing).
enum TestCertificates {
    /// Self-signed, CN and SAN 127.0.0.1, valid until 2126.
    static let selfSigned = """
        -----BEGIN CERTIFICATE-----
        MIIBmzCCAUGgAwIBAgIUcJiZLC6Gbob57c+0XYQx5udVQCYwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMjA1NDgxOVoYDzIxMjYxMTA4
        MDU0ODE5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAQKxE1HUjYeaaeCGspIXNlOBNunKsV7KY+hAfaNL08FndDK5SfIVLfI
        ikGR7JZB7nK4mYCga0cRpVqhABgO+x7bo28wbTAdBgNVHQ4EFgQU5VbHiezTR1D4
        O+8pQz90VYqyZ04wHwYDVR0jBBgwFoAU5VbHiezTR1D4O+8pQz90VYqyZ04wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
        zj0EAwIDSAAwRQIgT7itm4GDoFVNcMR72pNuZ7zU2dM9cEESlm0/BEJ8daoCIQDs
        RlMijp9qpTHEn/pQAt2VpOCCxAw8/e/fMGHMOMu7/A==
        -----END CERTIFICATE-----
        """
    static let selfSignedKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgl7PESBuQUKF7D/+Z
        2X/Y9pwfrNdU/RG3l0fdc90MRAWhRANCAAQKxE1HUjYeaaeCGspIXNlOBNunKsV7
        KY+hAfaNL08FndDK5SfIVLfIikGR7JZB7nK4mYCga0cRpVqhABgO+x7b
        -----END PRIVATE KEY-----
        """
    /// A CA the system does not trust.
    static let ca = """
        -----BEGIN CERTIFICATE-----
        MIIBhjCCASugAwIBAgIUYJvhhWJi57Y/zsijfTCAyve6AUwwCgYIKoZIzj0EAwIw
        FzEVMBMGA1UEAwwMbGlucSB0ZXN0IENBMCAXDTI2MTIwMjA1NDgxOVoYDzIxMjYx
        MTA4MDU0ODE5WjAXMRUwEwYDVQQDDAxsaW5xIHRlc3QgQ0EwWTATBgcqhkjOPQIB
        BggqhkjOPQMBBwNCAAQGZXxzWnCDnLu4e5MsE2by1M8k6KTtKdy17Dybk7XQS7yO
        Nowte3EoYTm2b9ZuyXvGvH/R3XV7vpyrm+vMhEkao1MwUTAdBgNVHQ4EFgQUIHaD
        +wsSN3Wb2Ba/kJA3V31DDu4wHwYDVR0jBBgwFoAUIHaD+wsSN3Wb2Ba/kJA3V31D
        Du4wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAtwbeUwHnS0Gz
        EdRXwm+1PjUtC58Q6oC4VSILUJJqTQUCIQC0/XWzyvfMz5cvkvUo8lN1h7jIJWdC
        h8DlU/lFCYJkCw==
        -----END CERTIFICATE-----
        """
    /// Issued by `ca` for `other.example` only, valid until 2126.
    static let otherHost = """
        -----BEGIN CERTIFICATE-----
        MIIBkDCCATWgAwIBAgIUONZvCrk9mabQTDyxIDClh+9ASCIwCgYIKoZIzj0EAwIw
        FzEVMBMGA1UEAwwMbGlucSB0ZXN0IENBMCAXDTI2MTIwMjA1NDgxOVoYDzIxMjYx
        MTA4MDU0ODE5WjAYMRYwFAYDVQQDDA1vdGhlci5leGFtcGxlMFkwEwYHKoZIzj0C
        AQYIKoZIzj0DAQcDQgAEJtp/NHNbVBiPBXx2QY1+LXh3heSkYdMh6ZKtXOlR+5i1
        DKDUeZiBwMvePkfexv2r3sZdxkLkNVlOZs4CofhJF6NcMFowGAYDVR0RBBEwD4IN
        b3RoZXIuZXhhbXBsZTAdBgNVHQ4EFgQUZGSN92vYwXtVNFK7z8OZYWG/7YEwHwYD
        VR0jBBgwFoAUIHaD+wsSN3Wb2Ba/kJA3V31DDu4wCgYIKoZIzj0EAwIDSQAwRgIh
        AJWiIhYtnnppVBvGCp0k30tAsRZ0DQwKD/rJD+b7QxnuAiEAihw/4fvpPbKXxINl
        jmBnCRz93KMdNxJdI+bh3q9l+ew=
        -----END CERTIFICATE-----
        """
    static let otherHostKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLp11ihty0+YSCYoq
        WYRH8ose+bdPyWVWQ+72JLuriTGhRANCAAQm2n80c1tUGI8FfHZBjX4teHeF5KRh
        0yHpkq1c6VH7mLUMoNR5mIHAy94+R97G/avexl3GQuQ1WU5mzgKh+EkX
        -----END PRIVATE KEY-----
        """
    /// Issued by `ca` for 127.0.0.1, valid only in 2020.
    static let expired = """
        -----BEGIN CERTIFICATE-----
        MIIBbTCCAROgAwIBAgIBATAKBggqhkjOPQQDAjAXMRUwEwYDVQQDDAxsaW5xIHRl
        c3QgQ0EwHhcNMjAwMTAxMDAwMDAwWhcNMjEwMTAxMDAwMDAwWjAUMRIwEAYDVQQD
        DAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQGu9QYyPswpOUR
        rw1sTez+jYNWTnhvbMPc/wypbjJbSYEUWZ1AyfC9MDXY/BeXQ0t6zZl3FQgoBlDQ
        DCMRwgXso1MwUTAPBgNVHREECDAGhwR/AAABMB0GA1UdDgQWBBQTWzEDQ/9F2RN8
        KQpyvKzRZKMz0jAfBgNVHSMEGDAWgBQgdoP7CxI3dZvYFr+QkDdXfUMO7jAKBggq
        hkjOPQQDAgNIADBFAiEA87OIdBbUAiCxgx6O1gwKmChrwbMp6YmeoYgacTr/+ckC
        IHPXBmxsmeYDhLNhduR5jY0rpMhxp4Xvyhdj2KFNBQk2
        -----END CERTIFICATE-----
        """
    static let expiredKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLBLstXsRjb7lJ8MH
        2G7Z/0xkDIctqKt4tsmZF1BcIKahRANCAAQGu9QYyPswpOURrw1sTez+jYNWTnhv
        bMPc/wypbjJbSYEUWZ1AyfC9MDXY/BeXQ0t6zZl3FQgoBlDQDCMRwgXs
        -----END PRIVATE KEY-----
        """
}
