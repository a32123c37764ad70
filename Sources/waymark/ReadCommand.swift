import WaymarkLog
import WaymarkStore

/// `waymark read`: the log as NDJSON, in offset order.
enum ReadCommand {
    static let help = """
    Usage: waymark read --log DIR [--from OFFSET] [--limit N] [--known-at T] [--upcast]

    Prints events as NDJSON in offset order: each the envelope as appended, plus "offset"
    and "recordedAt" (when the log took it). Safe while a writer appends: only whole,
    checksummed records are printed.

    Options:
      --log DIR        the log directory (required)
      --from OFFSET    start at this offset (default 0)
      --limit N        print at most N events
      --known-at T     only events recorded at or before RFC 3339 time T: what the log
                       held at that moment (transaction time)
      --upcast         print events of an older schema version as the newest version,
                       through the registered upcasters (MissingReported v0 -> v1); the
                       log itself is never rewritten

    Example:
      waymark read --log ./log --from 10 --limit 2
      waymark read --log ./log --known-at 2023-04-01T00:00:00Z | wc -l

    """ + exitStatusHelp([0, 1, 3, 74])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "from", "limit", "known-at"], flags: ["upcast"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        let from = try a.integer("from", default: 0, in: 0...Int.max)
        let limit = try a.integer("limit", default: Int.max, in: 0...Int.max)
        let knownAt = try a.time("known-at")
        let out = OutputBuffer()
        try EventReader(directory: log, upcast: a.flag("upcast")).write(from: Offset(UInt64(from)), limit: limit, knownAt: knownAt, to: out)
        try out.flush()
        return .success
    }
}
