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
