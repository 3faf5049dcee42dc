import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension AsyncHTTPTransport {
    /// Maps AsyncHTTPClient, NIO and BoringSSL errors to a kind and a one-line summary.
    static func classify(
        _ error: any Error, endpoint: Endpoint, timeouts: LinqConfiguration.Timeouts, headReceived: Bool = false
    ) -> TransportError {
        if let known = error as? TransportError { return known }
        let failure = Failure(
            detail: String(describing: error), endpoint: endpoint, timeouts: timeouts, headReceived: headReceived)
        if let classified = classifyHTTP(error, failure) ?? classifyNetwork(error, failure)
            ?? classifyTLS(error, failure)
        {
            return classified
        }
        let lower = failure.detail.lowercased()
        if lower.contains("refused") { return failure.refused }
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") {
            return failure.make(.tls, tlsSummary(failure.detail, at: failure.at))
        }
        if lower.contains("reset") || lower.contains("closed") || lower.contains("eof") { return failure.closed }
        return failure.make(.other, "network error talking to \(failure.at)")
    }

    /// An error being classified: its description, where the request went, the limits in force and
    /// whether the response head had arrived; makes the `TransportError`s that share them.
    private struct Failure {
        let detail: String
        let endpoint: Endpoint
        let timeouts: LinqConfiguration.Timeouts
        let headReceived: Bool

        /// `host:port` for messages.
        var at: String { endpoint.hostPort }

        /// A `TransportError` of `kind` with this failure's detail.
        func make(_ kind: TransportError.Kind, _ summary: String, neverSent: Bool? = nil) -> TransportError {
            TransportError(
                kind, detail: detail, summary: summary, requestNeverSent: neverSent, headReceived: headReceived)
        }

        /// The server refused the connection.
        var refused: TransportError { make(.connectionRefused, "connection refused by \(at)") }

        /// The connection was not established within `timeouts.connect`.
        var connectTimeout: TransportError {
            make(.connectTimeout, "could not connect to \(at) within \(DurationText.short(timeouts.connect))")
        }

        /// The server closed the connection before (all of) the response.
        var closed: TransportError {
            make(
                .connectionReset,
                headReceived
                    ? "connection closed by the server before the response was complete"
                    : "connection closed by the server before a response")
        }
    }

    /// HTTP-level errors: a status below 100, HTTP parser and decoder errors, AsyncHTTPClient's
    /// own errors; else `nil`.
    private static func classifyHTTP(_ error: any Error, _ failure: Failure) -> TransportError? {
        let (timeouts, headReceived) = (failure.timeouts, failure.headReceived)
        if let status = error as? ResponseStatusGuard.InvalidStatus {
            return failure.make(.malformedResponse, "the server sent a malformed response (status \(status.text))")
        }
        if let parser = error as? HTTPParserError {
            // The connection ended mid-message (no or a partial response): a close, not bad HTTP.
            if parser == .invalidEOFState || parser == .closedConnection { return failure.closed }
            return failure.make(.malformedResponse, "the server sent a malformed response (\(describe(parser)))")
        }
        if error is NIOHTTPDecoderError {
            return failure.make(
                .malformedResponse, "the server sent a malformed response (an answer nobody asked for)")
        }
        guard let client = error as? HTTPClientError else { return nil }
        if client == .connectTimeout { return failure.connectTimeout }
        if client == .readTimeout {
            return failure.make(
                .idleTimeout, TransportError.idleSummary(limit: timeouts.idle, headReceived: headReceived))
        }
        if client == .deadlineExceeded {
            return failure.make(
                .timeout, TransportError.timeoutSummary(limit: timeouts.total, headReceived: headReceived))
        }
        if client == .writeTimeout {
            return failure.make(.timeout, "could not send the request within \(DurationText.short(timeouts.idle))")
        }
        if client == .remoteConnectionClosed { return failure.closed }
        if client == .tlsHandshakeTimeout {
            return failure.make(.tls, "TLS: handshake with \(failure.at) timed out", neverSent: true)
        }
        if client == .invalidURL || client == .emptyHost || client == .emptyScheme
            || failure.detail.contains("unsupportedScheme")
        {
            return failure.make(.invalidURL, "invalid URL: \(failure.endpoint.url)", neverSent: true)
        }
        if client == .redirectCycleDetected {
            return failure.make(
                .malformedResponse,
                "redirect loop: \(failure.endpoint.hostPort) redirected back to a URL it had already sent")
        }
        if client == .redirectLimitReached {
            return failure.make(
                .malformedResponse, "too many redirects (more than 5) from \(failure.endpoint.hostPort)")
        }
        if client == .bodyLengthMismatch {
            return failure.make(.malformedResponse, "the server sent a malformed response (wrong body length)")
        }
        return nil
    }

    /// Connection-level errors: NIO connection (DNS, or the first connect error classified),
    /// address, errno and channel errors; else `nil`.
    private static func classifyNetwork(_ error: any Error, _ failure: Failure) -> TransportError? {
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return failure.make(.hostNotFound, "cannot resolve host \(failure.endpoint.host)")
            }
            if let first = connection.connectionErrors.first?.error {
                var inner = classify(
                    first, endpoint: failure.endpoint, timeouts: failure.timeouts, headReceived: failure.headReceived)
                inner.detail = failure.detail
                return inner
            }
        }
        if error is SocketAddressError {
            return failure.make(.hostNotFound, "cannot resolve host \(failure.endpoint.host)")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return failure.refused
            case ECONNRESET, EPIPE: return failure.closed
            case ETIMEDOUT: return failure.connectTimeout
            case ENETUNREACH, EHOSTUNREACH:
                return failure.make(.connectionRefused, "no route to \(failure.at)", neverSent: true)
            default: break
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return failure.connectTimeout
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed: return failure.closed
            default: break
            }
        }
        return nil
    }

    /// TLS errors from NIOSSL (handshake failures in a few words); else `nil`.
    private static func classifyTLS(_ error: any Error, _ failure: Failure) -> TransportError? {
        let at = failure.at
        if let ssl = error as? NIOSSLError {
            switch ssl {
            case .handshakeFailed(let boring):
                return failure.make(.tls, tlsSummary(String(describing: boring), at: at), neverSent: true)
            case .uncleanShutdown: return failure.closed
            default: return failure.make(.tls, "TLS: \(at): \(shortName(of: ssl))")
            }
        }
        if let extra = error as? NIOSSLExtraError {
            if extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
                return failure.make(
                    .tls, "TLS: the certificate is not valid for \(failure.endpoint.host)", neverSent: true)
            }
            return failure.make(.tls, "TLS: \(at): \(shortName(of: extra))", neverSent: true)
        }
        return nil
    }
}
