import Dispatch

/// Two pieces of work run at once on the machine's cores, for the parts of a projection that
/// only read shared, finished data (the read model is not changed while its files are
/// rendered). The caller's thread runs the first; another thread runs the second.
enum Parallel {
    /// Work handed to another thread. Safe because `both` waits for it before returning,
    /// and the two pieces share nothing they change.
    private struct Handoff: @unchecked Sendable {
        let work: () throws -> Void
    }
    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }

    /// Runs `first` here and `second` on another thread; returns when both are done, throwing
    /// the first error either threw.
    static func both(_ first: () throws -> Void, _ second: () throws -> Void) throws {
        try withoutActuallyEscaping(second) { second in
            let handoff = Handoff(work: second)
            let outcome = Outcome()
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                do { try handoff.work() } catch { outcome.error = error }
            }
            var firstError: (any Error)?
            do { try first() } catch { firstError = error }
            group.wait()
            if let firstError { throw firstError }
            if let e = outcome.error { throw e }
        }
    }
}
