import CWaymarkSystem
import WaymarkLog

extension RecordMarker {
    /// The events that may correct another: every one whose bytes hold `supersedes` or
    /// `EventRetracted` (a few in a thousand), or a `\u` escape, which can spell either word
    /// without its bytes (`"\u0073upersedes"` is the key `supersedes`). Every event that
    /// supersedes or retracts is among them; a few that only mention the words are too, which
    /// costs a reader a look, never a miss. Writers of events keep these marked
    /// (`LogWriterOptions.forEvents`), so a projector finds the corrections in a range without
    /// reading all of it. (Version 2 of the rule: the first missed escaped corrections, so its
    /// files, named `corrections`, are rebuilt by the next writer.)
    public static let corrections = RecordMarker(name: "corrections.v2") { payload in
        contains(payload, "supersedes") || contains(payload, "EventRetracted") || contains(payload, "\\u")
    }

    private static func contains(_ payload: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        wm_contains(payload.baseAddress, payload.count, needle.utf8Start, needle.utf8CodeUnitCount) != 0
    }
}

extension LogWriterOptions {
    /// These options for a writer of events: the corrections marked.
    public var forEvents: LogWriterOptions {
        var o = self
        o.marker = .corrections
        return o
    }
}
