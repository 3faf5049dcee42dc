import LinqCore
import LinqJSON

/// Stage snapshots: the emulator's whole state saved under a name and put back later, so a demo
/// starts from a prepared stage (`emulator snapshot save stage` once, `linq run --stage stage
/// demo.linq` every time). They drive the control API (`/_emulator/snapshots`), so they work on
/// the built-in emulator and on a standalone one (`linq emulator snapshot … --url URL`).
enum EmulatorSnapshotCommands {
    static let commands: [CommandSpec] = [save, restore, list, delete]

    static let name = CommandParameter.positional(
        "name", completion: .none, help: "the snapshot's name (letters, digits, '.', '_', '-')")

    static let save = CommandSpec(
        ["emulator", "snapshot", "save"], group: .emulator,
        summary: "Save the emulator's whole state under a name (a demo's prepared stage)",
        details: """
            Saves everything — cards, chats, messages, webhooks, budgets, the clock — as NAME, \
            replacing a snapshot of that name. With a state database it is a copy of the database \
            taken in one read transaction (STATE.snapshots/NAME.sqlite), shared by every process \
            on that state. Put it back with emulator snapshot restore NAME or linq run --stage NAME.
            """,
        parameters: [name], examples: ["emulator snapshot save stage"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let name = context.arguments.required(Self.name)
            let answer = try EmulatorCommands.control(
                context, "POST", "/_emulator/snapshots", body: .object(["name": .string(name)]))
            context.err(context.errorRenderer.dim("saved snapshot \(name)\(size(answer))") + "\n")
        })

    static let restore = CommandSpec(
        ["emulator", "snapshot", "restore"], group: .emulator,
        summary: "Put the emulator's state back as it was saved under a name",
        details: """
            Every process sharing the emulator's state sees the restored state at its next request. \
            A name that was never saved is an error listing the snapshots there are.
            """,
        parameters: [name], examples: ["emulator snapshot save stage; emulator snapshot restore stage"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            let name = context.arguments.required(Self.name)
            try restore(name, control: control(context))
            context.forgetNextPage()
            context.err(context.errorRenderer.dim("restored snapshot \(name)") + "\n")
        })

    static let list = CommandSpec(
        ["emulator", "snapshot", "list"], group: .emulator,
        summary: "List the saved snapshots: name, when saved, size",
        parameters: [EmulatorTrafficCommands.output], examples: ["emulator snapshot list"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let snapshots = try saved(control(context))
            if EmulatorTrafficCommands.wantsJSON(context) {
                context.out(context.renderer.json(.array(snapshots)) + "\n")
                return
            }
            guard !snapshots.isEmpty else {
                context.err(
                    context.errorRenderer.dim("no snapshots (emulator snapshot save NAME saves one)") + "\n")
                return
            }
            let names = snapshots.map { $0["name"]?.stringValue ?? "?" }
            let width = names.map(\.count).max() ?? 0
            context.out(
                zip(names, snapshots).map { name, snapshot in
                    let saved = snapshot["saved_at"]?.stringValue ?? "?"
                    return name.padding(to: width) + "  " + saved
                        + size(snapshot) + "\n"
                }.joined())
        })

    static let delete = CommandSpec(
        ["emulator", "snapshot", "delete"], group: .emulator, summary: "Delete a saved snapshot",
        parameters: [name], examples: ["emulator snapshot save old; emulator snapshot delete old"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            let name = context.arguments.required(Self.name)
            let control = control(context)
            _ = try existing(name, control: control)
            _ = try control.call("DELETE", "/_emulator/snapshots/" + name)
            context.err(context.errorRenderer.dim("deleted snapshot \(name)") + "\n")
        })

    /// Restores `name` (the one place `emulator snapshot restore` and `linq run --stage` do it);
    /// a usage error naming it and the snapshots there are when it was never saved.
    static func restore(_ name: String, control: EmulatorControl) throws(ShellError) {
        _ = try existing(name, control: control)
        _ = try control.call("POST", "/_emulator/snapshots/\(name)/restore")
    }

    /// The saved snapshots (`{name, saved_at, bytes}` each), by name.
    static func saved(_ control: EmulatorControl) throws(ShellError) -> [JSONValue] {
        try control.call("GET", "/_emulator/snapshots")?["snapshots"]?.arrayValue ?? []
    }

    /// Checks that `name` was saved: a one-line usage error naming it and listing the others.
    static func existing(_ name: String, control: EmulatorControl) throws(ShellError) -> JSONValue {
        let snapshots = try saved(control)
        if let found = snapshots.first(where: { $0["name"]?.stringValue == name }) { return found }
        let names = snapshots.compactMap { $0["name"]?.stringValue }
        let there =
            names.isEmpty
            ? "none is saved (emulator snapshot save NAME saves one)"
            : "saved: " + names.joined(separator: ", ")
        throw ShellError.usage("no snapshot '\(name)' on the emulator at \(control.origin); \(there)")
    }

    private static func control(_ context: CommandContext) -> EmulatorControl {
        EmulatorControl(session: context.session, environment: context.environment, command: context.spec.name)
    }

    /// `  (12288 bytes)` when the answer says how big the snapshot is.
    private static func size(_ snapshot: JSONValue?) -> String {
        guard let bytes = snapshot?["bytes"]?.intValue else { return "" }
        return "  (\(bytes) bytes)"
    }
}

extension Interpreter {
    /// `linq run --stage NAME`: restores the snapshot before the run starts (not one of its
    /// commands; a dry run only checks that it exists); `nil` when it worked, else the exit
    /// status of the failure, already printed.
    public func restoreStage(_ name: String) -> Int32? {
        do throws(ShellError) {
            let control = EmulatorControl(session: session, environment: environment, command: "--stage")
            if session.dryRun.value {
                _ = try EmulatorSnapshotCommands.existing(name, control: control)
                output.writeErr(errorRenderer.dim("(dry run) would restore snapshot \(name)") + "\n")
                return nil
            }
            try EmulatorSnapshotCommands.restore(name, control: control)
            output.writeErr(errorRenderer.dim("restored snapshot \(name)") + "\n")
            return nil
        } catch {
            report(error)
            return error.exitCode
        }
    }
}
