import WaymarkIngest
#if canImport(Glibc)
import Glibc
#endif
import CWaymarkSystem
import WaymarkLog
import WaymarkStore

/// `waymark`: one executable, one subcommand per job. Each subcommand parses its arguments
/// and calls the libraries; this file only dispatches and turns errors into exit statuses.

// Large buffers (read models, state) are built and freed many times per run: keep freed
// memory in the heap for reuse instead of returning it to the kernel, which zeroes every
// page again on the next allocation (a fifth of a rebuild's time, found with perf).
wm_keep_freed_memory()

/// Every subcommand: its name, one line for the overview, its full help (usage, options,
/// example, exit statuses) and what runs it. `--help`, `waymark help CMD`, the man page and
/// the shell completions are all made from this table.
let commands: [Command] = [
    Command("append", "append NDJSON events to a log (idempotent by event id)", AppendCommand.help, AppendCommand.run),
    Command("read", "print events as NDJSON with their offset and recordedAt", ReadCommand.help, ReadCommand.run),
    Command("ingest", "take an agency feed snapshot (ssda903, police, rhi, care-homes) into a log", IngestCommand.help, IngestCommand.run),
    Command("generate", "write synthetic agency feeds at London scale, with a manifest", GenerateCommand.help, GenerateCommand.run),
    Command("project", "fold the log into read models (episodes, care homes, handoffs, timelines)", ProjectCommand.help, ProjectCommand.run),
    Command("timeline", "print one child's whole history across agencies", TimelineCommand.help, TimelineCommand.run),
    Command("diff", "compare two read-model directories row by row", DiffCommand.help, DiffCommand.run),
    Command("verify", "check every record, checksum, hash-chain link and index of a log", VerifyCommand.help, VerifyCommand.run),
    Command("stats", "print a log's size and extent as one JSON line", StatsCommand.help, StatsCommand.run),
    Command("recover", "cut a torn tail and rebuild every derived file of a log", RecoverCommand.help, RecoverCommand.run),
]

let usage = """
waymark: an append-only event log of what happens when a child goes missing.

Usage: waymark <command> [options]   (waymark help <command>, or <command> --help, for each)
       waymark --version
       waymark completion bash|zsh   (a completion script for your shell)

Commands:
\(commands.map { "  " + $0.name.padded(to: 9) + $0.summary }.joined(separator: "\n"))

Times (--recorded-at, --known-at, --as-of, --since) are a date, 2023-04-01 (the start of
that day, UTC), or an RFC 3339 time, 2023-04-01T09:30:00Z.

Example:
  waymark append --log ./log sample-events/events.ndjson && waymark stats --log ./log
\(exitStatusTable)
"""

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "--help", name != "-h" else {
    printResult(usage)
    exit(arguments.isEmpty ? ExitCode.usage.rawValue : 0)
}
switch name {
case "--version", "version":
    let schemas = (try? SchemaDirectory.locate()).map { "schemas \(WaymarkVersion.schemaFingerprint($0)) at \($0)" } ?? "no Schemas directory found"
    printResult("waymark \(WaymarkVersion.number) (\(schemas))")
    exit(0)
case "help":
    guard arguments.count > 1 else { printResult(usage); exit(0) }
    if arguments[1] == "--man" { printResult(ManualPage.roff(commands)); exit(0) }
    guard let command = commands.first(where: { $0.name == arguments[1] }) else {
        printError("waymark help: no command '\(arguments[1])'\n\n" + usage)
        exit(ExitCode.usage.rawValue)
    }
    printResult(command.help)
    exit(0)
case "completion":
    guard arguments.count == 2, let script = Completion.script(for: arguments[1], commands) else {
        printError("waymark completion: name a shell: bash or zsh")
        exit(ExitCode.usage.rawValue)
    }
    printResult(script)
    exit(0)
default: break
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
