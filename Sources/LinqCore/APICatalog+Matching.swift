extension APICatalog {
    /// The operation a request is, by method and path: `GET …/v3/chats/7b3c…/messages?limit=1`
    /// is `message.list`. The URL may be absolute (anything before `/v3/` is the base) or a bare
    /// path; the query is ignored. A literal segment beats a placeholder (`/v3/chats/read` would
    /// not be taken for a chat id when a route names `read`). `nil` when none matches.
    public static func operation(method: String, url: String) -> APIOperation? {
        guard let start = url.firstRange(of: "/v3/")?.lowerBound else { return nil }
        var path = url[start...]
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let method = method.uppercased()
        var best: (operation: APIOperation, literals: Int)?
        for operation in operationsByMethod[method] ?? [] {
            guard let literals = matches(operation.pathSegments, segments) else { continue }
            if best == nil || literals > best!.literals { best = (operation, literals) }
        }
        return best?.operation
    }

    /// The operations by HTTP method.
    private static let operationsByMethod: [String: [APIOperation]] = Dictionary(
        grouping: operations, by: { $0.method.uppercased() })

    /// How many literal segments matched, or `nil` when the path does not fit the template.
    private static func matches(_ template: [Substring], _ segments: ArraySlice<Substring>) -> Int? {
        guard template.count == segments.count else { return nil }
        var literals = 0
        for (pattern, actual) in zip(template, segments) {
            if pattern.hasPrefix("{") {
                if actual.isEmpty { return nil }
            } else if pattern == actual {
                literals += 1
            } else {
                return nil
            }
        }
        return literals
    }
}

extension APIOperation {
    /// The path template's segments after the leading `/` (`v3`, `chats`, `{chatId}`).
    var pathSegments: [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }
}
