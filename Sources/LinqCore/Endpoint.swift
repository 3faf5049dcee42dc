/// Scheme, host and port of a URL: for messages (`127.0.0.1:4399`) and for deciding what a base
/// URL points at (the production API is recognised by its host however the URL is spelled).
public struct Endpoint: Sendable, Equatable {
    public var url: String
    /// In lower case (`http` when the URL has none).
    public var scheme: String
    /// As written, without brackets around an IPv6 literal or user information.
    public var host: String
    /// The explicit port, or the scheme's default.
    public var port: Int

    public init(url: String) {
        self.url = url
        var rest = Substring(url)
        if let range = rest.utf8Range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        } else {
            scheme = "http"
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? authority[...]
        var host = String(hostPort)
        var port = scheme == "https" ? 443 : 80
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":"), let p = Int(after.dropFirst()) { port = p }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            if let p = Int(hostPort[hostPort.index(after: colon)...]) { port = p }
        }
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:4399`, `[::1]:80`.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The host as DNS compares it: lower case, without the trailing dot of a fully qualified
    /// name (`API.linqapp.com.` is `api.linqapp.com`) and without percent-escapes of plain
    /// characters (`api%2Elinqapp.com`).
    public var canonicalHost: String {
        var host = Self.unescaped(host).lowercased()
        while host.hasSuffix(".") { host.removeLast() }
        return host
    }

    /// Whether the URL points at the production Linq API (`api.linqapp.com`), whatever its
    /// scheme, port, path, case or trailing dot.
    public var isProductionAPI: Bool { canonicalHost == LinqConfiguration.productionHost }

    /// `%XX` escapes decoded (a host may be written with them; nothing else is changed).
    static func unescaped(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
