import WaymarkEvents
import WaymarkLog

/// `waymark recover`: what every writer does on open, plus a rebuild of every index.
enum RecoverCommand {
    static let help = """
    Usage: waymark recover --log DIR [--lock-timeout S]

    Takes the writer lock, cuts a torn tail off the active segment (what a crash or power cut
    leaves after the last acknowledged record), rebuilds every derived file from the data
    (each segment's offset and time index, the marks of correcting events, the id index, and
    any missing hash-chain file, chaining a log written before chains from offset 0), then
    checks the whole log as `verify` does. Records are never changed or removed.

    What it cannot repair it names, with the reason, and exits 3: a damaged record the writer
    had acknowledged (restore that segment from a backup), records that disagree with their
    hash chain (they were edited after they were written), two records with one id.

    Prints one JSON line: {"truncatedBytes":N,"rebuiltIndexes":K,"events":E,"unrepaired":U}

    Example:
      waymark recover --log ./log

    """ + exitStatusHelp([0, 1, 3, 74, 75], [3: "damage it cannot repair (each named on standard error)"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "lock-timeout"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        let writer: LogWriter
        do {
            writer = try LogWriter(directory: log, options: LogWriterOptions(lockTimeout: try a.seconds("lock-timeout", default: 10),
                                                                            rebuildIndexes: true).forEvents)
        } catch let LogError.damaged(file, position, reason) {
            printError("waymark recover: cannot repair \(file) at byte \(position): \(reason). Cutting there would lose acknowledged records; restore \(file) from a backup (nothing was changed)")
            return .damaged
        }
        reportRecovery(writer.recovery)
        try writer.close()
        let events = writer.nextOffset.rawValue
        let check = try LogVerifier(directory: log, marker: .corrections).verify()
        var unrepaired = 0
        if let d = check.damage {
            printError("waymark recover: cannot repair \(d.file) at byte \(d.position): \(d.reason)\(d.reason.contains("same id") ? " (records are never removed; readers see both)" : "")")
            unrepaired += 1
        }
        for p in check.chainProblems {
            printError("waymark recover: cannot repair \(p.file): \(p.reason)")
            unrepaired += 1
        }
        for p in check.indexProblems {
            printError("waymark recover: cannot repair \(p.file): \(p.reason)")
            unrepaired += 1
        }
        printResult(JSONText.object([
            "truncatedBytes": .int(writer.recovery.truncatedTail?.bytes ?? 0),
            "rebuiltIndexes": .int(writer.recovery.rebuiltIndexes.count), "events": .int(Int(events)),
            "unrepaired": .int(unrepaired),
        ]))
        return unrepaired == 0 ? .success : .damaged
    }
}
