// The `linq` executable: process flags and wiring only (see LinqCommand).
import ArgumentParser
import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

Signals.unblockStandard()
do {
    var command = try LinqCommand.parseAsRoot(ScriptArgument.rewrite(Array(CommandLine.arguments.dropFirst())))
    try command.run()
} catch {
    // A bad command line is a usage error: exit 2, as for any other (ArgumentParser would say 64).
    if LinqCommand.exitCode(for: error) == .validationFailure {
        StandardOutput().writeErr(LinqCommand.fullMessage(for: error) + "\n")
        _exit(ExitStatus.usage.code)
    }
    LinqCommand.exit(withError: error)
}
