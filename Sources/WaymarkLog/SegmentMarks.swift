/// The records of one segment that a `RecordMarker` picked: their offsets relative to the
/// segment's base, ascending. Written whole (atomically) when the writer seals the segment,
/// and rebuilt from the data by the next writer to open the log when it is missing or fails
/// its checks; a reader that finds no valid file for a segment scans it.
///
/// The active segment has one too, rewritten after each batch is durable: it covers the
/// segment's first `records` records, and a reader scans only those after them. Records
/// never change once durable, so a file that covers fewer records than the segment holds
/// (the writer died before rewriting it) is still right about the ones it covers.
///
/// Layout, little-endian: `WMMARKS1`, the marker's name (ASCII, zero-padded to 16 bytes),
/// u32 records covered, u32 marked count, the marked relative offsets (u32 each), then a u32
/// CRC-32C of everything before it. The record count ties the file to the segment it
/// describes: a sealed segment's file whose count is not the segment's is stale and ignored.
public struct SegmentMarks: Equatable, Sendable {
    static let magic = Array("WMMARKS1".utf8)
    /// Bytes for the marker's name.
    public static let nameSize = 16
    static let headerSize = 8 + nameSize + 8

    /// The marker's name.
    public var marker: String
    /// Records in the segment.
    public var records: UInt32
    /// The marked records' offsets, relative to the segment's base, ascending.
    public var relativeOffsets: [UInt32]

    public init(marker: String, records: UInt32, relativeOffsets: [UInt32]) {
        self.marker = marker
        self.records = records
        self.relativeOffsets = relativeOffsets
    }

    /// The file's bytes.
    public var bytes: [UInt8] {
        var b = SegmentMarks.magic
        b.reserveCapacity(SegmentMarks.headerSize + 4 * relativeOffsets.count + 4)
        let name = Array(marker.utf8)
        b += name + [UInt8](repeating: 0, count: SegmentMarks.nameSize - name.count)
        appendLE(records, &b)
        appendLE(UInt32(relativeOffsets.count), &b)
        for r in relativeOffsets { appendLE(r, &b) }
        appendLE(CRC32C.checksum(b), &b)
        return b
    }

    /// The marks in `bytes` when they pass every check and were made by `marker` for a
    /// segment of `records` records (nil: for any number, as the active segment's); nil otherwise.
    public static func decode(_ bytes: [UInt8], marker: String, records expected: UInt32?) -> SegmentMarks? {
        guard bytes.count >= headerSize + 4, Array(bytes[0..<8]) == magic else { return nil }
        let count = Int(readLE(UInt32.self, bytes, headerSize - 4))
        guard bytes.count == headerSize + 4 * count + 4,
              readLE(UInt32.self, bytes, bytes.count - 4) == CRC32C.checksum(Array(bytes[0..<(bytes.count - 4)])) else { return nil }
        let name = Array(marker.utf8), records = readLE(UInt32.self, bytes, headerSize - 8)
        guard Array(bytes[8..<(8 + SegmentMarks.nameSize)]) == name + [UInt8](repeating: 0, count: SegmentMarks.nameSize - name.count),
              expected.map({ records == $0 }) ?? true else { return nil }
        var offsets: [UInt32] = []
        offsets.reserveCapacity(count)
        for k in 0..<count {
            let r = readLE(UInt32.self, bytes, headerSize + 4 * k)
            guard r < records, offsets.last.map({ r > $0 }) ?? true else { return nil }
            offsets.append(r)
        }
        return SegmentMarks(marker: marker, records: records, relativeOffsets: offsets)
    }

    /// Reads the file at `path` (nil: missing, or failing a check); `records` nil takes a file
    /// covering any number of records (the active segment's).
    public static func load(path: String, marker: String, records: UInt32?) throws(LogError) -> SegmentMarks? {
        guard let file = try SystemFile.openForReadingIfExists(path) else { return nil }
        return decode(try file.readAll(), marker: marker, records: records)
    }

    /// Writes the file at `path` whole, replacing what was there (not synced: a file lost in
    /// a crash is rebuilt from the segment).
    public func write(to path: String) throws(LogError) {
        try FileSystem.writeAtomically(bytes, to: path, durable: false)
    }
}
