import Foundation

/// Prints how long each phase of a projection took to standard error when `WAYMARK_TRACE` is
/// set (a diagnostic for profiling; the read models never depend on it).
struct PhaseTimer {
    private let enabled = ProcessInfo.processInfo.environment["WAYMARK_TRACE"] != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("waymark trace: \(phase) \(String(format: "%.3f", Double(now - last) / 1e9)) s\n".utf8))
        last = now
    }
}
