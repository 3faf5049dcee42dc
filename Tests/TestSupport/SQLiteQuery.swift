import Foundation

/// Runs a query on an SQLite file the way a user would look into the emulator's state (Python's
/// `sqlite3`, which every machine running the conformance suite has): one row per line, columns
/// separated by a tab. Read-only.
public func sqliteQuery(_ path: String, _ sql: String) throws -> [[String]] {
    let program = """
        import sqlite3, sys
        db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
        for row in db.execute(sys.argv[2]):
            print("\\t".join("" if v is None else str(v) for v in row))
        """
    // The repository's venv (scripts/test makes it), else the system's Python.
    let root = LinqBinary.path.components(separatedBy: "/.build").first ?? ""
    let python =
        [root + "/.venv/bin/python", "/usr/bin/python3", "/usr/local/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        } ?? "/usr/bin/python3"
    let result = try LinqBinary.runExecutable(
        python, ["-c", program, path, sql], environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
    guard result.status == 0 else { throw SQLiteQueryError(message: result.stderr) }
    return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
        $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
}

/// A query that failed: Python's message.
public struct SQLiteQueryError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
