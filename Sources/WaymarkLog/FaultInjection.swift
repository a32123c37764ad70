#if canImport(Glibc)
import Glibc
#endif

/// Failure injection into Waymark's own system-call layer (`SystemFile`, `FileSystem`, the
/// id index's mapping), in the manner of SQLite's test VFS: with `WAYMARK_FAULT` set in the
/// environment to `CALL:N:ERRNO`, the Nth call of kind CALL made by the process fails with
/// ERRNO, as a full disk or a failing one would make it fail. CALL is `open` (for writing),
/// `write`, `fsync`, `rename`, `truncate`, `mkdir` or `any`; ERRNO is `EIO` or `ENOSPC`.
/// The failing call is announced on standard error (`waymark: fault injected: …`), so a
/// test walking N upward knows when it has passed the last call.
///
/// Tests use it to show that a failure at any point of a write path loses nothing that was
/// acknowledged; without the variable it costs one load per call.
public enum FaultInjection {
    /// The kinds of call a fault can be injected into.
    public enum Call: String, Sendable {
        case open, write, fsync, rename, truncate, mkdir
    }

    struct Plan: Sendable {
        var call: Call?
        var n: Int
        var errno: Int32
    }

    static let plan: Plan? = {
        guard let raw = getenv("WAYMARK_FAULT") else { return nil }
        let parts = String(cString: raw).split(separator: ":").map(String.init)
        guard parts.count == 3, let n = Int(parts[1]), n >= 1 else { return nil }
        let call = parts[0] == "any" ? nil : Call(rawValue: parts[0])
        if call == nil && parts[0] != "any" { return nil }
        let code: Int32
        switch parts[2] {
        case "EIO": code = EIO
        case "ENOSPC": code = ENOSPC
        default: return nil
        }
        return Plan(call: call, n: n, errno: code)
    }()

    nonisolated(unsafe) static var calls = 0

    /// Throws the planned error when this is the planned call.
    @inline(__always)
    static func check(_ call: Call, _ path: String) throws(LogError) {
        guard let plan = plan else { return }
        if let only = plan.call, only != call { return }
        calls += 1
        guard calls == plan.n else { return }
        let message = "waymark: fault injected: \(call.rawValue) #\(plan.n) on \(path) fails with \(plan.errno == EIO ? "EIO" : "ENOSPC")\n"
        _ = message.withCString { Glibc.write(2, $0, strlen($0)) }
        throw .system(operation: call.rawValue, path: path, errno: plan.errno)
    }
}
