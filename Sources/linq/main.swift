// The `linq` executable: process flags and wiring only (see LinqCommand).
import ArgumentParser
import LinqShell

Signals.unblockStandard()
LinqCommand.main(ScriptArgument.rewrite(Array(CommandLine.arguments.dropFirst())))
