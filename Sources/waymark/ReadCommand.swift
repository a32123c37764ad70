import CWaymarkSystem
import WaymarkLog
import WaymarkStore

/// `waymark read`: the log as NDJSON, in offset order.
enum ReadCommand {
    static let help = """
    Usage: waymark read --log DIR [--from OFFSET] [--limit N] [--known-at T] [--upcast]
                        [--type T[,T…]] [--child REF] [--since T] [--follow]

    Prints events as NDJSON in offset order: each the envelope as appended, plus "offset"
    and "recordedAt" (when the log took it). Safe while a writer appends: only whole,
    acknowledged, checksummed records are printed.

    Options:
      --log DIR        the log directory (required)
      --from OFFSET    start at this offset (default 0)
      --limit N        print at most N events
      --known-at T     only events recorded at or before time T: what the log
                       held at that moment (transaction time)
      --type T[,T…]    only events of these types (MissingReported,ChildFound)
      --child REF      only events about this child reference, exactly as the event names
                       it (la:309:538333); `waymark timeline` joins a child's references
      --since T        only events recorded at or after time T (found through the time index)
      --follow         do not stop at the end: wait for new events and print each as it is
                       appended, until interrupted (Ctrl-C) or --limit events are printed
      --upcast         print events of an older schema version as the newest version,
                       through the registered upcasters (MissingReported v0 -> v1); the
                       log itself is never rewritten

    Examples:
      waymark read --log ./log --from 10 --limit 2
      waymark read --log ./log --known-at 2023-04-01 | wc -l
      waymark read --log ./log --type ChildFound --since 2023-05-01
      waymark read --log ./log --follow --type MissingReported

    """ + exitStatusHelp([0, 1, 3, 74])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "from", "limit", "known-at", "type", "child", "since"], flags: ["upcast", "follow"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        let from = try a.integer("from", default: 0, in: 0...Int.max)
        let limit = try a.integer("limit", default: Int.max, in: 0...Int.max)
        let knownAt = try a.time("known-at")
        let types = a.value("type").map { Set($0.split(separator: ",").map { String($0) }) }
        if let types, types.contains(where: { $0.isEmpty }) { throw UsageError(description: "--type takes event types separated by commas") }
        let filter = EventFilter(types: types, child: a.value("child"), recordedSince: try a.time("since"))
        let follow = a.flag("follow")
        if follow { wm_install_stop_handlers() }
        let out = OutputBuffer()
        try EventReader(directory: log, upcast: a.flag("upcast")).write(
            from: Offset(UInt64(from)), limit: limit, knownAt: knownAt, filter: filter, follow: follow,
            stop: { wm_stop_requested() != 0 }, to: out)
        try out.flush()
        return .success
    }
}
