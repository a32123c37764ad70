/// Why a log operation failed; each case says what a person can do about it.
public enum LogError: Error, CustomStringConvertible, Sendable {
    /// A system call failed (`operation` on `path`, with errno's text).
    case system(operation: String, path: String, errno: Int32)
    /// Another process holds the writer lock and did not release it in time.
    case locked(path: String, holderPID: Int32?, waitedSeconds: Double)
    /// Stored data failed a check: the file, the byte position and what was wrong.
    case damaged(file: String, position: Int, reason: String)
    /// The caller asked for something the log refuses (a back-dated recordedAt, an oversized record).
    case refused(String)

    public var description: String {
        switch self {
        case let .system(operation, path, errno):
            return "\(operation) \(path): \(SystemFile.errorText(errno))"
        case let .locked(path, pid, waited):
            let holder = pid.map { "process \($0)" } ?? "another process"
            return "the log is locked by \(holder) (lock file \(path)); waited \(waited)s. Try again when it finishes, or raise --lock-timeout"
        case let .damaged(file, position, reason):
            return "damage in \(file) at byte \(position): \(reason)"
        case let .refused(reason):
            return reason
        }
    }
}
