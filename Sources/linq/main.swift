// The `linq` executable: process flags and wiring only (see LinqCommand).
import ArgumentParser
import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

Signals.unblockStandard()
let arguments = Array(CommandLine.arguments.dropFirst())
// Shell completion asks the binary; the scripts that ask are its own (see CompletionEntry).
if arguments.first == "--complete" {
    StandardOutput().writeOut(
        CompletionEntry.run(Array(arguments.dropFirst(arguments.dropFirst().first == "--" ? 2 : 1))))
    _exit(0)
}
if arguments.first == "--generate-completion-script" {
    guard arguments.count == 2, let script = CompletionEntry.script(for: arguments[1]) else {
        StandardOutput().writeErr("linq: --generate-completion-script takes bash, zsh or fish\n")
        _exit(ExitStatus.usage.code)
    }
    StandardOutput().writeOut(script)
    _exit(0)
}
// The conformance suite checks bodies against the catalog's shapes (see ShapeCheckEntry); hidden.
if arguments.first == "--check-shape" {
    let (out, err, status) = ShapeCheckEntry.run(Array(arguments.dropFirst()), input: ShapeCheckEntry.readInput())
    StandardOutput().writeOut(out)
    StandardOutput().writeErr(err)
    _exit(status)
}
do {
    var command = try LinqCommand.parseAsRoot(ScriptArgument.rewrite(arguments))
    try command.run()
} catch {
    // A bad command line is a usage error: exit 2, as for any other (ArgumentParser would say 64).
    if LinqCommand.exitCode(for: error) == .validationFailure {
        StandardOutput().writeErr(LinqCommand.fullMessage(for: error) + "\n")
        _exit(ExitStatus.usage.code)
    }
    LinqCommand.exit(withError: error)
}
