import WaymarkLog
import WaymarkStore

/// `waymark append`: NDJSON envelopes in, one JSON summary line out.
enum AppendCommand {
    static let help = """
    Usage: waymark append --log DIR [--segment-bytes N] [--lock-timeout S] [--recorded-at T] [FILE|-]

    Appends NDJSON event envelopes (one per line; blank lines ignored) from FILE, or standard
    input when FILE is - or absent, to the log in DIR (created, mode 0700, if needed). Valid
    events whose id is new are appended in input order and fsynced before the summary is
    printed; ids already in the log are skipped as duplicates; invalid lines are reported on
    standard error (input:line: field: reason) and do not stop the run.

    Prints one JSON line:
      {"appended":N,"duplicates":D,"rejected":R,"firstOffset":F,"lastOffset":L}

    Options:
      --log DIR            the log directory (required)
      --segment-bytes N    start a new segment when the active one would pass N bytes (default 67108864)
      --lock-timeout S     seconds to wait for another writer (default 10)
      --recorded-at T      stamp the events with time T instead of the clock (backfills,
                           tests); refused if earlier than the log's latest recordedAt

    Example:
      waymark append --log ./log sample-events/events.ndjson
      {"appended":12,"duplicates":0,"rejected":0,"firstOffset":0,"lastOffset":11}

    """ + exitStatusHelp([0, 1, 2, 74, 75], [2: "some lines were rejected (the valid ones were still appended)"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "segment-bytes", "lock-timeout", "recorded-at"])
        if a.wantsHelp { printResult(help); return .success }
        let log = try a.required("log")
        let segmentBytes = try a.integer("segment-bytes", default: 64 << 20, in: 4096...(Int(UInt32.max)))
        let lockTimeout = try a.seconds("lock-timeout", default: 10)
        let recordedAt = try a.time("recorded-at")
        let input = try LineReader(path: a.singleInput(default: "-"))
        let catalogue = try SchemaDirectory.catalogue(in: SchemaDirectory.locate())
        let appender = try EventAppender(directory: log, options: LogWriterOptions(segmentBytes: segmentBytes, lockTimeout: lockTimeout),
                                         catalogue: catalogue)
        reportRecovery(appender.writer.recovery)
        let progress = Progress("waymark append: lines")
        appender.onProgress = progress.update
        defer { progress.finish() }
        let summary = try appender.append(input, recordedAt: recordedAt) { rejection in
            printError("waymark append: rejected \(rejection)")
        }
        try appender.writer.close()
        printResult(summary.json)
        return summary.rejected > 0 ? .inputRejected : .success
    }
}

/// Tells the person on standard error what opening the log for writing mended.
func reportRecovery(_ recovery: RecoveryReport) {
    if let t = recovery.truncatedTail {
        printError("waymark: recovered from an interrupted write: cut \(t.bytes) bytes of torn tail at byte \(t.position) of \(t.file) (\(t.reason))")
    }
    if !recovery.rebuiltIndexes.isEmpty {
        printError("waymark: rebuilt indexes from the data: \(recovery.rebuiltIndexes.joined(separator: ", "))")
    }
}
