/// Where printed output leaves the shell: the pager stage, and the renderer for a command's
/// output choice.
extension Interpreter {
    /// Writes data to stdout — through the pager when it applies and the text is longer than the
    /// terminal (see `pages`); what the pager shows passes the redaction stage as the sink would.
    func emit(_ text: String) {
        if pages, Pager.overflows(text, rows: Console.rows(terminal), columns: Console.columns(terminal)),
            Pager.run(
                Pager.command(environment: environment.variables), input: redaction.apply(text),
                path: environment.variables["PATH"])
        {
            return
        }
        output.writeOut(text)
    }

    /// Whether long output may go through the pager now: `set pager on`, at the prompt or a
    /// one-shot command (not a script or stdin, not `source`), stdout a terminal, no `|` or `>`,
    /// and the output is printed (not bound by `let`).
    var pages: Bool {
        guard session.pager.value, options.pages, terminal.stdoutIsTTY, !capturing, !bodiesHidden else { return false }
        let file = position.location?.file ?? ""
        return file.isEmpty || file == "-c"
    }

    /// The stdout renderer with a command's `--output`, `--filter` and `--columns` applied (a
    /// table on a terminal is fitted to its width).
    func renderer(for choice: OutputChoice) -> Renderer {
        var renderer = self.renderer.applying(choice)
        if renderer.output == .table && renderer.terminal { renderer.tableWidth = Console.columns(terminal) }
        return renderer
    }

    /// Prints a rendered body: the text through `emit`, the note dimmed on stderr.
    func emit(_ rendered: Rendered) {
        if !rendered.text.isEmpty { emit(rendered.text) }
        if let note = rendered.note { output.writeErr(errorRenderer.dim("(" + note + ")") + "\n") }
    }
}
