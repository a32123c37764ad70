/// The exit statuses of `waymark`, as `--help` documents them.
enum ExitCode: Int32 {
    /// Everything asked was done.
    case success = 0
    /// Usage error: unknown option, missing argument, a refused request (e.g. a back-dated
    /// --recorded-at). `diff`: the directories differ.
    case usage = 1
    /// Some input was rejected (the rest was taken).
    case inputRejected = 2
    /// Stored data is damaged (verify names file and byte).
    case damaged = 3
    /// Read models built under other rules or another known-at time: run with --rebuild.
    case rulesChanged = 4
    /// A system call failed (disk full, permission denied...).
    case ioError = 74
    /// Another writer held the log's lock past --lock-timeout.
    case lockTimeout = 75
}

/// What each exit status means, in general (a command's help may say it more exactly).
let exitMeaning: [Int32: String] = [
    0: "success",
    1: "usage error, or a refused request (such as a back-dated --recorded-at)",
    2: "some input was rejected (the valid rest was still taken)",
    3: "the log is damaged (the message names the segment file and byte)",
    4: "the read models were built under other rules or known-at time (use --rebuild)",
    74: "I/O error (the message names the file and the system's reason)",
    75: "another process held the log's writer lock past --lock-timeout",
]

/// The exit-status table of one command's help: its statuses only, with its own meanings
/// where given (`(2, "no child has that reference")`), else the general ones.
func exitStatusHelp(_ statuses: [Int32], _ own: [Int32: String] = [:]) -> String {
    "\nExit status:\n" + statuses.map { code in
        "  " + String(code).padded(to: 4) + (own[code] ?? exitMeaning[code] ?? "")
    }.joined(separator: "\n")
}

/// The table of `waymark --help`: every status any command uses.
let exitStatusTable = exitStatusHelp([0, 1, 2, 3, 4, 74, 75])
