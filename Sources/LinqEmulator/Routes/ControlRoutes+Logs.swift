import LinqJSON

/// The control API's request log and stage snapshots:
///
/// | Request | Effect |
/// |---|---|
/// | `GET /_emulator/logs[?after=ID&status=4xx&method=POST&path=/v3/chats&limit=N&last=N&bodies=true]` | requests served to any client, oldest first (`{requests, last_id}`) |
/// | `GET /_emulator/logs/ID` | one request with its bodies |
/// | `GET /_emulator/snapshots` | saved snapshots |
/// | `POST /_emulator/snapshots` `{"name":"stage"}` | save the whole state as NAME (replacing one of that name) |
/// | `POST /_emulator/snapshots/NAME/restore` | put the state back as saved |
/// | `DELETE /_emulator/snapshots/NAME` | delete a snapshot |
extension ControlRoutes {
    /// Answers the routes above; `nil` for any other path.
    static func logsAndSnapshots(_ request: EmulatorRequest, method: String, path: String, emulator: Emulator)
        throws(APIFailure) -> EmulatorResponse?
    {
        let parts = path.split(separator: "/").map(String.init)
        switch (method, parts.count > 1 ? parts[1] : "") {
        case ("GET", "logs") where parts.count == 2: return .json(200, try logs(request, emulator: emulator))
        case ("GET", "logs") where parts.count == 3:
            var filter = RequestFilter()
            filter.after = (Int64(parts[2]) ?? 0) - 1
            filter.limit = 1
            guard let entry = emulator.log.entries(filter).first, String(entry.id) == parts[2] else {
                throw APIFailure(2001, message: "no logged request \(parts[2])", status: 404)
            }
            return .json(200, entry.json(bodies: true))
        case ("GET", "snapshots") where parts.count == 2:
            return .json(200, ["snapshots": .array(emulator.snapshots().map(\.json))])
        case ("POST", "snapshots") where parts.count == 2:
            let name = (try? JSONValue.parse(request.body))?["name"]?.stringValue ?? ""
            return .json(
                201, try snapshot { () throws(Emulator.SnapshotFailure) in try emulator.saveSnapshot(name).json })
        case ("POST", "snapshots") where parts.count == 4 && parts[3] == "restore":
            _ = try snapshot { () throws(Emulator.SnapshotFailure) in try emulator.restoreSnapshot(parts[2]) }
            return .json(200, ["restored": .string(parts[2])])
        case ("DELETE", "snapshots") where parts.count == 3:
            _ = try snapshot { () throws(Emulator.SnapshotFailure) in try emulator.deleteSnapshot(parts[2]) }
            return EmulatorResponse(status: 204)
        default:
            return nil
        }
    }

    /// `{requests, last_id}` for the query's filter: the first `limit` after `after`, or the
    /// last `last`.
    private static func logs(_ request: EmulatorRequest, emulator: Emulator) throws(APIFailure) -> JSONValue {
        var filter = RequestFilter()
        filter.after = Int64(try wholeNumber(request, "after") ?? 0)
        filter.status = request.queryValues("status").first
        filter.method = request.queryValues("method").first
        filter.path = request.queryValues("path").first
        filter.limit = pageSize(try wholeNumber(request, "limit") ?? 100)
        if let last = try wholeNumber(request, "last") {
            filter.limit = pageSize(last)
            filter.fromEnd = true
        }
        let bodies = request.queryValues("bodies").first == "true"
        let entries = emulator.log.entries(filter)
        return [
            "requests": .array(entries.map { $0.json(bodies: bodies) }),
            "last_id": .int(Int(entries.last?.id ?? filter.after)),
        ]
    }

    /// Runs a snapshot operation; its failure as the API's error (404 for a missing snapshot).
    private static func snapshot<T>(_ body: () throws(Emulator.SnapshotFailure) -> T) throws(APIFailure) -> T {
        do {
            return try body()
        } catch {
            throw APIFailure(error.missing ? 2001 : 1005, message: error.description, status: error.missing ? 404 : 400)
        }
    }
}
