import CWaymarkSystem
import Glibc
import WaymarkLog
import WaymarkProjections
import WaymarkStore
import WaymarkTime

/// `waymark project`: fold the log into read models.
enum ProjectCommand {
    /// The projector of the finished run, kept until the process exits: its state (and, for
    /// a run without `--follow`, its last read model) is hundreds of thousands of small
    /// arrays, which the kernel takes back at exit all at once, where freeing them one by one
    /// took about 10 ms of a half-second rebuild, and the model 9 ms more (compilers leave
    /// their memory to the exit in the same way).
    nonisolated(unsafe) private static var keptUntilExit: Projector?

    static let help = """
    Usage: waymark project <timeline|care-homes|handoffs|all> --log DIR --out DIR [--rules FILE]
                           [--known-at T] [--as-of T] [--follow] [--rebuild] [--group-readable] [--csv-excel]

    Folds the log into read models in --out DIR (CSV for analysts, a timeline store for
    `waymark timeline`, manifest.json). Runs again apply only the events appended since the
    last run; the result is byte-identical to a full rebuild. Builds are published atomically:
    readers see the old read models or the new ones, never half. Several projectors may run at
    once (one per --out), beside a writer.

    Read models (and the kinds that publish each; `all` publishes every one), with
    manifest.json and datapackage.json:
    \(ReadModelCatalogue.entries.map { e in "  " + e.file.padded(to: 24) + e.summary + " [" + ReadModelKind.allCases.filter { $0 != .all && e.kinds.contains($0) }.map(\.rawValue).joined(separator: ", ") + "]" }.joined(separator: "\n"))

    Options:
      --rules FILE     counting rules (default rules/default.json); a changed file needs --rebuild
      --known-at T     only events recorded at or before T: what the system knew then
      --as-of T        the world at T: episodes started later are left out, those not ended
                       by T are open (default: --known-at, else the log's latest recordedAt)
      --rebuild        build from offset 0 and swap the result in
      --follow         keep running: apply new events within a second, publish at least every
                       5 seconds while events arrive, printing one JSON line per publish
                       ({"publish":N,"applied":…,"rowsChanged":{file: rows added}}); SIGTERM
                       or SIGINT finishes the batch, publishes, prints the summary, exits 0
      --csv-excel      also write copies of the CSVs for Excel into DIR/excel/ (a byte-order
                       mark, CRLF, times as DD/MM/YYYY HH:MM UTC, dates as DD/MM/YYYY)
      --group-readable publish the read models readable by your group (folder 0750, files
                       0640) for a shared folder; by default only you can read them
      --lock-timeout S seconds to wait for another projector on the same --out (default 10)

    Example:
      waymark project all --log ./log --out ./models
      waymark project care-homes --log ./log --out ./models-24h --rules rules/ssda903-24h.json --rebuild

    Exit status: 4 when the read models in --out were built under other rules or another
    known-at time (run with --rebuild).
    """ + exitStatusHelp([0, 1, 3, 4, 74, 75])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "out", "rules", "known-at", "as-of", "lock-timeout"], flags: ["follow", "rebuild", "group-readable", "csv-excel"])
        if a.wantsHelp { printResult(help); return .success }
        guard a.positional.count == 1, let kind = ReadModelKind(rawValue: a.positional[0]) else {
            throw UsageError(description: "name one read model: timeline, care-homes, handoffs or all")
        }
        let log = try a.existingLog()
        let out = try a.required("out")
        let schemas = try SchemaDirectory.locate()
        let rulesPath = a.value("rules") ?? (FileSystem.parentDirectory(schemas) + "/rules/default.json")
        let rules: CountingRules
        do { rules = try CountingRules(path: rulesPath, schema: try SchemaDirectory.rulesSchema(in: schemas)) } catch { throw UsageError(description: "\(error)") }
        let projector = Projector(log: log, out: out, kind: kind, rules: rules, knownAt: try a.time("known-at"), asOf: try a.time("as-of"))
        try FileSystem.createDirectory(FileSystem.parentDirectory(out))
        let lock = try WriterLock(path: FileSystem.parentDirectory(out) + "/." + (out.split(separator: "/").last.map(String.init) ?? "out") + ".lock",
                                  timeout: try a.seconds("lock-timeout", default: 10))
        defer { withExtendedLifetime(lock) {} }
        let resumed: Bool
        do { resumed = try projector.loadCheckpoint(rebuild: a.flag("rebuild")) } catch let e as ProjectionError {
            printError("waymark project: \(e)")
            return .rulesChanged
        }
        let progress = Progress("waymark project: events")
        wm_install_stop_handlers()
        var applied = try projector.catchUp(stop: { wm_stop_requested() != 0 })
        progress.finish()
        // A run that publishes once and exits leaves the model, like the state, to the exit.
        projector.keepsLastModel = !a.flag("follow")
        projector.groupReadable = a.flag("group-readable")
        do { projector.referenceNames = try ReferenceNames(directory: schemas + "/reference") } catch { throw UsageError(description: "\(error)") }
        projector.excelCopies = a.flag("csv-excel")
        var rows = try projector.publish()
        func object(_ counts: [String: Int]) -> JSONText.Raw {
            JSONText.Raw(text: JSONText.object(counts.keys.sorted().map { ($0, JSONText.Raw.int(counts[$0]!)) }))
        }
        if a.flag("follow") {
            // One line per publish, as it happens: what it applied and which tables moved.
            var publishes = 1, appliedSince = applied
            func report(_ previous: [String: Int]) {
                var moved: [String: Int] = [:]
                for (file, count) in rows where previous[file] != count { moved[file] = count - (previous[file] ?? 0) }
                printResult(JSONText.object([("publish", .int(publishes)), ("applied", .int(appliedSince)),
                                             ("lastOffset", .int(projector.lastOffset?.rawValue)), ("events", .int(projector.eventCount)),
                                             ("rowsChanged", object(moved)), ("at", .string(Timestamp.now().rfc3339))]))
                appliedSince = 0
            }
            report([:])
            var pending = false
            var lastPublish = Timestamp.now()
            while wm_stop_requested() == 0 {
                let n = try projector.catchUp(stop: { wm_stop_requested() != 0 })
                applied += n
                appliedSince += n
                if n > 0 { pending = true }
                let now = Timestamp.now()
                if pending && now.millisecondsSinceEpoch - lastPublish.millisecondsSinceEpoch >= 1000 {
                    let previous = rows
                    rows = try projector.publish()
                    publishes += 1
                    report(previous)
                    pending = false
                    lastPublish = now
                }
                if n == 0 { usleep(200_000) }
            }
            if pending {
                let previous = rows
                rows = try projector.publish()
                publishes += 1
                report(previous)
            }
        }
        printResult(JSONText.object([("kind", .string(kind.rawValue)), ("applied", .int(applied)), ("resumed", .bool(resumed)),
                                     ("lastOffset", .int(projector.lastOffset?.rawValue)), ("events", .int(projector.eventCount)),
                                     ("rows", object(rows)), ("out", .string(out))]))
        keptUntilExit = projector
        return .success
    }
}

import WaymarkEvents
