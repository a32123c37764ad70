import Foundation

/// Prints how long each phase of a projection took to standard error when `WAYMARK_TRACE` is
/// set (a diagnostic for profiling; the read models never depend on it).
struct PhaseTimer {
    private let enabled = ProcessInfo.processInfo.environment["WAYMARK_TRACE"] != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("waymark trace: \(phase) \(String(format: "%.3f", Double(now - last) / 1e9)) s\(Self.processorTime())\(Self.memory())\n".utf8))
        last = now
    }

    /// The processor time the whole process has used so far, in user and in kernel mode (all
    /// threads: the phases on other cores count where they end).
    private static func processorTime() -> String {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return "" }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return String(format: "  (user %.3f s, system %.3f s)", seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    /// The process's resident memory, anonymous and file-backed, from `/proc/self/status`.
    private static func memory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
        let wanted = ["VmHWM:", "RssAnon:", "RssFile:"]
        let fields = status.split(separator: "\n").filter { line in wanted.contains { line.hasPrefix($0) } }
        return fields.isEmpty ? "" : "  (" + fields.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }.joined(separator: ", ") + ")"
    }
}
