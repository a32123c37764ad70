import WaymarkEvents
import WaymarkLog

/// `waymark stats`: a log's size and extent.
enum StatsCommand {
    static let help = """
    Usage: waymark stats --log DIR

    Prints one JSON line:
      {"events":N,"segments":S,"bytes":B,"firstOffset":0,"lastOffset":N-1,"lastRecordedAt":"…"}
    (offsets and lastRecordedAt are null for an empty log). Reads only the last segment's
    tail, so it is instant on any size of log.

    Example:
      waymark stats --log ./log

    """ + exitStatusHelp([0, 1, 3, 74])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        let t = try LogReader(directory: log).tail()
        let events = t.nextOffset.rawValue
        printResult(JSONText.object([
            "events": .int(events), "segments": .int(t.segments), "bytes": .int(t.bytes),
            "firstOffset": .int(events > 0 ? 0 : nil), "lastOffset": .int(events > 0 ? events - 1 : nil),
            "lastRecordedAt": .string(t.lastRecordedAt?.rfc3339),
        ]))
        return .success
    }
}
