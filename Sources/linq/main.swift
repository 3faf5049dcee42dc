// The `linq` executable: process flags and wiring only (see LinqCommand).
import ArgumentParser

LinqCommand.main()
