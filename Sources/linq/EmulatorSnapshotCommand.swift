import ArgumentParser
import LinqShell

/// `linq emulator snapshot save|restore|list|delete [NAME] --url URL`: the shell's `emulator
/// snapshot …`, against a standalone emulator.
struct EmulatorSnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save, restore, list or delete a running emulator's stage snapshots (its whole state, by name).",
        discussion: """
            Example: linq emulator snapshot save stage --url http://127.0.0.1:4010, then \
            linq run --stage stage --base-url … demo.linq (or linq emulator snapshot restore stage) \
            before each run of a demo.
            """)

    /// What to do with the snapshot.
    enum Action: String, ExpressibleByArgument, CaseIterable {
        case save, restore, list, delete
    }

    @Argument(help: "save, restore, list or delete.") var action: Action
    @Argument(help: "The snapshot's name (not for list).") var name: String?
    @OptionGroup var target: TrafficTarget
    @ParentCommand var linq: LinqCommand

    func validate() throws {
        switch (action, name) {
        case (.list, .some(let name)):
            throw ValidationError("snapshot list takes no name, not '\(name)'")
        case (.save, nil), (.restore, nil), (.delete, nil):
            throw ValidationError("snapshot \(action.rawValue) needs a name, e.g. linq emulator snapshot save stage")
        default: break
        }
    }

    func run() throws {
        target.run(["emulator", "snapshot", action.rawValue] + (name.map { [$0] } ?? []), style: linq.connection)
    }
}
