import LinqCore
import LinqJSON

/// Asking again: `COMMAND --until 'PATH == VALUE'` repeats a GET until the condition holds.
extension Interpreter {
    /// Repeats the call every `--every` (2 s) until `--until` holds (the response is printed, exit
    /// 0) or `--timeout` (60 s) passes (the last response is printed, exit 1). Ctrl-C stops.
    func repeatUntil(_ call: BoundCall) throws(ShellError) {
        guard let written = call.until else { return }
        let condition = try Self.untilCondition(written)
        let every = call.every ?? 2
        let deadline = Clock.seconds() + (call.untilTimeout ?? 60)
        let request = try prepare(call)
        let renderer = self.renderer(for: call.outputChoice)
        var tries = 0
        while true {
            tries += 1
            guard let response = try fetch(request, idempotent: true, operation: call.operation, timing: false) else {
                return  // a dry run
            }
            let failure = try condition.evaluate(expander: expander, lastStatus: response.status, lastCode: nil)
            if failure == nil {
                try show(response, renderer: renderer, pick: call.pick)
                output.writeErr(errorRenderer.dim("--until held after \(tries) tr\(tries == 1 ? "y" : "ies")") + "\n")
                return
            }
            if Clock.seconds() + every > deadline {
                try show(response, renderer: renderer, pick: call.pick)
                throw ShellError(
                    .request,
                    "--until '\(written)' did not hold within \(DurationText.short(seconds: call.untilTimeout ?? 60)) (\(tries) tries; last: \(failure?.actual ?? "?"))"
                )
            }
            if terminal.stderrIsTTY {
                output.writeErr(
                    errorRenderer.dim(
                        "… \(failure?.actual ?? "") (try \(tries), again in \(DurationText.short(seconds: every)))")
                        + "\n")
            }
            guard Blocking.sleep(seconds: every) else { throw ShellError(.interrupted, "interrupted (--until)") }
        }
    }

    /// `--until` text as an `expect` condition; a path alone (`.status == x`) is on `$last`.
    static func untilCondition(_ written: String) throws(ShellError) -> Expectation {
        var text = written.trimmingCharacters(in: " ")
        if text.hasPrefix(".") || text.hasPrefix("[") { text = "$last" + text }
        let words: [Word]
        do {
            words = try Tokenizer.split(text).first ?? []
        } catch {
            throw ShellError.usage("--until '\(written)': \(error.message) at column \(error.column)")
        }
        guard words.first?.literal != "event" else {
            throw ShellError.usage("--until checks the response; wait for webhooks with expect event … within …")
        }
        return try Expectation(words, source: "--until '\(written)'")
    }
}
