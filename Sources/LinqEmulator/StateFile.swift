import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a state file of the previous format (`linq-emulator-state/1`: the whole state as one
/// JSON document): checked field by field, so that a damaged file is refused with the field
/// named. The emulator imports such a file once into its database (see `StateDatabase.open`).
enum StateFile {
    /// The store and clock offset of a JSON state document, or a one-line failure naming the file.
    static func decode(_ bytes: [UInt8], path: String) throws(JSONFile.Failure) -> (EmulatorStore, Double) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw JSONFile.Failure(
                description:
                    "\(path) is not an emulator state (neither an SQLite database nor a JSON state file: \(error)); "
                    + "name a new file, or delete it to start from the seed")
        }
        do {
            let (store, offset) = try EmulatorStore.decode(json)
            return (store, offset)
        } catch {
            if error.field.isEmpty || error.field == "format" {
                throw JSONFile.Failure(description: "\(path) is not an emulator state file (\(error))")
            }
            throw JSONFile.Failure(description: "\(path): \(error) (fix it, or delete the file to start from the seed)")
        }
    }

    /// Whether a non-empty file at `path` is not an SQLite database: a state of the previous
    /// format (or something else, which its import then names).
    static func isLegacy(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 16)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 && !(n == 16 && head == Array("SQLite format 3\0".utf8))
    }
}
