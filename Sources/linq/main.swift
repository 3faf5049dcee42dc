// The `linq` executable: process flags and wiring only (see LinqCommand).
import ArgumentParser
import LinqShell

Signals.unblockStandard()
LinqCommand.main()
