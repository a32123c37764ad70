import Dispatch

/// Two pieces of work run at once on the machine's cores, for work that only reads shared,
/// finished data (validating lines against the catalogue; rendering a read model that is no
/// longer changed). The caller's thread runs the first; another thread runs the second.
public enum Parallel {
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
    public static func both(_ first: () throws -> Void, _ second: () throws -> Void) throws {
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

/// Work started on another thread now and joined later (`wait`), for work that only reads
/// values nothing changes meanwhile.
public final class Background<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var value: Value?

    /// Starts `work` on another thread.
    public init(_ work: @escaping () -> Value) {
        let job = Job(work: work)
        DispatchQueue.global().async(group: group) { self.value = job.work() }
    }

    /// Whether the work is done (a `wait` would not block).
    public var isDone: Bool { group.wait(timeout: .now()) == .success }

    /// Waits for the work; its result.
    public func wait() -> Value {
        group.wait()
        return value!
    }

    private struct Job: @unchecked Sendable {
        let work: () -> Value
    }
}
