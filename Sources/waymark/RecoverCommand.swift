import WaymarkEvents
import WaymarkLog

/// `waymark recover`: what every writer does on open, plus a rebuild of every index.
enum RecoverCommand {
    static let help = """
    Usage: waymark recover --log DIR [--lock-timeout S]

    Takes the writer lock, cuts a torn tail off the active segment (what a crash leaves),
    and rebuilds every derived file from the data: each segment's offset and time index, each
    sealed segment's marks of correcting events, and the id index. Records are never changed. Damage to records (exit 3) is not repaired:
    it is reported with the segment file and byte, for a person to decide.

    Prints one JSON line: {"truncatedBytes":N,"rebuiltIndexes":K,"events":E}

    Example:
      waymark recover --log ./log

    """ + exitStatusHelp

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "lock-timeout"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        let writer = try LogWriter(directory: log, options: LogWriterOptions(lockTimeout: try a.seconds("lock-timeout", default: 10),
                                                                            rebuildIndexes: true).forEvents)
        reportRecovery(writer.recovery)
        try writer.close()
        printResult(JSONText.object([
            "truncatedBytes": .int(writer.recovery.truncatedTail?.bytes ?? 0),
            "rebuiltIndexes": .int(writer.recovery.rebuiltIndexes.count), "events": .int(writer.nextOffset.rawValue),
        ]))
        return .success
    }
}
