import LinqCore
import LinqJSON

/// `linq --check-shape OPERATION_ID [STATUS] [--repeat N] < body.json`: checks a response body
/// against the catalog's shape for that operation (STATUS defaults to 200) and prints one deviation
/// a line. `--repeat N` checks it N times more and says on stderr what one check costs (the figure
/// `scripts/bench` can report). A hidden entry point for the conformance suite
/// (`Tests/conformance/test_shapes.py`), which feeds it every answer the emulator gives the official
/// SDK; not listed in `--help`.
///
/// Exit status: 0 conforms, 1 deviations printed, 2 usage error, unreadable JSON or no shape known.
enum ShapeCheckEntry {
    static let usage = "usage: linq --check-shape OPERATION_ID [STATUS] [--repeat N] < body.json\n"

    /// What to print on stdout and stderr, and the exit status.
    static func run(_ arguments: [String], input: String) -> (out: String, err: String, status: Int32) {
        var arguments = arguments
        var rounds = 0
        if let flag = arguments.firstIndex(of: "--repeat") {
            guard flag + 1 < arguments.count, let n = Int(arguments[flag + 1]), n > 0 else { return ("", usage, 2) }
            rounds = n
            arguments.removeSubrange(flag...(flag + 1))
        }
        guard (1...2).contains(arguments.count), let status = arguments.count == 2 ? Int(arguments[1]) : 200 else {
            return ("", usage, 2)
        }
        let operationID = arguments[0]
        let json: JSONValue
        do {
            json = try JSONValue.parse(input)
        } catch {
            return ("", "linq: the body is not JSON: \(error)\n", 2)
        }
        guard let deviations = ResponseShapes.check(json, operationID: operationID, status: status) else {
            return ("", "linq: no shape known for \(operationID) with status \(status)\n", 2)
        }
        let cost = rounds > 0 ? measure(json, operationID: operationID, status: status, rounds: rounds) : ""
        return (deviations.map { "\($0)\n" }.joined(), cost, deviations.isEmpty ? 0 : 1)
    }

    /// `N checks: 3.2 µs each`, the mean of `rounds` checks of a parsed body.
    static func measure(_ json: JSONValue, operationID: String, status: Int, rounds: Int) -> String {
        var found = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<rounds {
                found &+= ResponseShapes.check(json, operationID: operationID, status: status)!.count
            }
        }
        let (seconds, attoseconds) = elapsed.components
        let micros = (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(rounds)
        let shown = (micros * 100).rounded() / 100
        return "\(rounds) checks: \(shown) µs each (\(found / rounds) deviations)\n"
    }

    /// Standard input, whole.
    static func readInput() -> String {
        var text = ""
        while let line = readLine(strippingNewline: false) { text += line }
        return text
    }
}
