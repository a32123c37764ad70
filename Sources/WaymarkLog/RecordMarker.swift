/// A rule that picks out a few records by their payload bytes, with a name that says which
/// rule it is. A writer given one keeps, beside each sealed segment, the offsets of the
/// records it picked (`SegmentMarks`), so a reader after only those records (a projector
/// looking for the events that correct others) reads the marked ones and not the whole log,
/// as Kafka keeps a segment's aborted transactions in its `.txnindex`.
///
/// The log knows nothing of what the rule means: the layer above defines it, and must pass
/// the same rule (same name, same answer for the same bytes) every time.
public struct RecordMarker: Sendable {
    /// Names the rule in the files it marks (ASCII, at most `SegmentMarks.nameSize` bytes).
    public let name: String
    /// Whether the record with this payload is marked.
    public let picks: @Sendable (UnsafeRawBufferPointer) -> Bool

    public init(name: String, picks: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        precondition(name.utf8.count <= SegmentMarks.nameSize && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
                     "a marker's name is 1 to \(SegmentMarks.nameSize) printable ASCII bytes")
        self.name = name
        self.picks = picks
    }
}
