import Dispatch
import Foundation
import WaymarkTime

/// A progress line on standard error for work that runs longer than two seconds, shown only
/// when standard error is a terminal and redrawn at most once a second.
final class Progress {
    private let label: String
    private let started = Timestamp.now()
    private var lastShown: Timestamp? = nil
    private let enabled = stderrIsTerminal()

    init(_ label: String) { self.label = label }

    /// Reports `done` units of work so far.
    func update(_ done: Int) {
        guard enabled else { return }
        let now = Timestamp.now()
        guard now.millisecondsSinceEpoch - started.millisecondsSinceEpoch >= 2000,
              lastShown.map({ now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch >= 1000 }) ?? true else { return }
        lastShown = now
        let seconds = Double(now.millisecondsSinceEpoch - started.millisecondsSinceEpoch) / 1000
        printErrorRaw("\r\(label): \(done) (\(Int(Double(done) / seconds))/s)   ")
    }

    /// Clears the line.
    func finish() {
        if lastShown != nil { printErrorRaw("\r\u{1B}[K") }
    }
}

/// A progress line for work that reports no counts (one feed's ingest): from two seconds on,
/// the time it has taken so far, redrawn once a second by a timer, only on a terminal.
final class ElapsedProgress: @unchecked Sendable {
    private let timer: DispatchSourceTimer?
    private var shown = false
    private let lock = NSLock()

    init(_ label: String) {
        guard stderrIsTerminal() else { timer = nil; return }
        let started = Timestamp.now()
        let t = DispatchSource.makeTimerSource(queue: .global())
        timer = t
        t.schedule(deadline: .now() + 2, repeating: 1)
        t.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock(); defer { self.lock.unlock() }
            guard !(self.timer?.isCancelled ?? true) else { return }
            self.shown = true
            let seconds = (Timestamp.now().millisecondsSinceEpoch - started.millisecondsSinceEpoch) / 1000
            printErrorRaw("\r\(label): \(seconds) s   ")
        }
        t.resume()
    }

    /// Stops the timer and clears the line.
    func finish() {
        timer?.cancel()
        lock.lock(); defer { lock.unlock() }
        if shown { printErrorRaw("\r\u{1B}[K") }
        shown = false
    }
}
