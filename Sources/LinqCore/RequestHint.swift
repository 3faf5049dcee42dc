/// Hints that depend on what was asked, not only on the code that came back: the catalog's hint
/// for 2001 is about chats, but the API answers any unknown path with 404/2001; a 405 comes with a
/// code whose hint is about values. A hint fits the operation and path, or is not given.
enum RequestHint {
    /// The hint for this method and path, `nil` when the catalog's (or none) fits better.
    static func hint(for error: LinqError) -> String? {
        guard let status = error.status, let request = error.request ?? error.response?.request else { return nil }
        let path = apiPath(request.url)
        switch status {
        case 300..<400:
            return "Check the base URL (`show`): it should name the server that answers, not one that redirects."
        case 405:
            let allowed = error.response?.headers.first { $0.name.lowercased() == "allow" }?.value
            return "\(path) does not take \(request.method)" + (allowed.map { "; it takes \($0)" } ?? "") + "."
        case 404 where error.code == nil || error.code == 2001:
            guard let operation = APICatalog.operation(method: request.method, path: path) else {
                return "No such endpoint: check the path (`help` lists the API's commands; paths start with /v3/)."
            }
            if operation.path.contains("{chatId}") && error.code == 2001 { return nil }  // the catalog's: a chat
            guard operation.path.contains("{") else { return nil }
            return "Check the id in the path (`\(operation.resource) list` shows yours, where there is a list)."
        default:
            return nil
        }
    }

    /// Whether the request is for an operation that takes `--limit` (its pages can be smaller).
    static func pages(_ request: HTTPRequestData?) -> Bool {
        guard let request else { return false }
        return APICatalog.operation(method: request.method, path: apiPath(request.url))?.parameters.contains {
            $0.name == "limit"
        } ?? false
    }

    /// `/v3/chats/x/messages` of a URL: from `/v3/` on, without the query.
    static func apiPath(_ url: String) -> String {
        let start = url.firstRange(of: "/v3/")?.lowerBound ?? url.startIndex
        return String(url[start...].prefix { $0 != "?" && $0 != "#" })
    }
}

extension APICatalog {
    /// The operation whose method and path template (`/v3/chats/{chatId}`) match a request.
    static func operation(method: String, path: String) -> APIOperation? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return operations.first { operation in
            guard operation.method == method else { return false }
            let template = operation.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }
}
