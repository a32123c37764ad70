import WaymarkIngest
#if canImport(Glibc)
import Glibc
#endif
import CWaymarkSystem
import WaymarkLog

/// `waymark`: one executable, one subcommand per job. Each subcommand parses its arguments
/// and calls the libraries; this file only dispatches and turns errors into exit statuses.

// Large buffers (read models, state) are built and freed many times per run: keep freed
// memory in the heap for reuse instead of returning it to the kernel, which zeroes every
// page again on the next allocation (a fifth of a rebuild's time, found with perf).
wm_keep_freed_memory()

let commands: [(name: String, summary: String, run: ([String]) throws -> ExitCode)] = [
    ("append", "append NDJSON events to a log (idempotent by event id)", AppendCommand.run),
    ("read", "print events as NDJSON with their offset and recordedAt", ReadCommand.run),
    ("ingest", "take an agency feed snapshot (ssda903, police, rhi, care-homes) into a log", IngestCommand.run),
    ("generate", "write synthetic agency feeds at London scale, with a manifest", GenerateCommand.run),
    ("project", "fold the log into read models (episodes, care homes, handoffs, timelines)", ProjectCommand.run),
    ("timeline", "print one child's whole history across agencies", TimelineCommand.run),
    ("diff", "compare two read-model directories row by row", DiffCommand.run),
    ("verify", "check every record, checksum and index of a log", VerifyCommand.run),
    ("stats", "print a log's size and extent as one JSON line", StatsCommand.run),
    ("recover", "cut a torn tail and rebuild every index of a log", RecoverCommand.run),
]

let usage = """
waymark: an append-only event log of what happens when a child goes missing.

Usage: waymark <command> [options]   (waymark <command> --help for each)

Commands:
\(commands.map { "  " + $0.name.padded(to: 9) + $0.summary }.joined(separator: "\n"))

Example:
  waymark append --log ./log sample-events/events.ndjson && waymark stats --log ./log

\(exitStatusHelp)
"""

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
    printResult(usage)
    exit(arguments.isEmpty ? ExitCode.usage.rawValue : 0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    printError("waymark: unknown command '\(name)'\n\n" + usage)
    exit(ExitCode.usage.rawValue)
}
do {
    exit(try command.run(Array(arguments.dropFirst())).rawValue)
} catch let error as UsageError {
    printError("waymark \(name): \(error.description) (see waymark \(name) --help)")
    exit(ExitCode.usage.rawValue)
} catch let IngestError.usage(text) {
    printError("waymark \(name): \(text)")
    exit(ExitCode.usage.rawValue)
} catch let error as LogError {
    printError("waymark \(name): \(error.description)")
    switch error {
    case .locked: exit(ExitCode.lockTimeout.rawValue)
    case .damaged: exit(ExitCode.damaged.rawValue)
    case .refused: exit(ExitCode.usage.rawValue)
    case .system: exit(ExitCode.ioError.rawValue)
    }
} catch {
    printError("waymark \(name): \(error)")
    exit(ExitCode.ioError.rawValue)
}
