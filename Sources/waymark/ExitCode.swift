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

/// The exit-status table every `--help` ends with.
let exitStatusHelp = """
Exit status:
  0   success
  1   usage error, or a refused request (such as a back-dated --recorded-at)
  2   some input lines were rejected (the valid ones were still taken)
  3   the log is damaged (the message names the segment file and byte)
  4   project: the read models were built under other rules or known-at time (use --rebuild)
  74  I/O error (the message names the file and the system's reason)
  75  another process held the log's writer lock past --lock-timeout
"""
