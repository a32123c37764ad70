/// The names of a segment's files: its base offset as 20 zero-padded digits, then
/// `.log` (the records), `.index` (offset to byte position), `.timeindex` (recordedAt to
/// offset), `.marks` (the records a writer's `RecordMarker` picked) or `.chain` (the hash
/// chain's state and the active segment's commit marker).
public struct SegmentName: Hashable, Comparable, Sendable {
    /// The offset of the segment's first record.
    public let baseOffset: Offset

    public init(baseOffset: Offset) { self.baseOffset = baseOffset }

    /// `00000000000000000042`
    public var stem: String {
        let digits = String(baseOffset.rawValue)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The data file's name.
    public var dataFile: String { stem + ".log" }
    /// The offset index's name.
    public var offsetIndexFile: String { stem + ".index" }
    /// The time index's name.
    public var timeIndexFile: String { stem + ".timeindex" }
    /// The marked records' file.
    public var marksFile: String { stem + ".marks" }
    /// The hash chain's state at the segment's end (`SegmentChain`).
    public var chainFile: String { stem + ".chain" }

    /// The segment a data file name belongs to, or nil when the name is not one.
    public init?(dataFileName name: String) {
        guard name.utf8.count == 24, name.hasSuffix(".log") else { return nil }
        let digits = name.prefix(20)
        guard digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = UInt64(digits) else { return nil }
        self.baseOffset = Offset(value)
    }

    public static func < (a: SegmentName, b: SegmentName) -> Bool { a.baseOffset < b.baseOffset }
}

/// The 16 bytes that open every segment file: magic `WAYMARK` plus format version 1, then
/// the base offset (u64, little-endian).
public enum SegmentHeader {
    /// Bytes in the header; the first record starts here.
    public static let size = 16
    /// `WAYMARK\u{1}`: the magic and the format version.
    public static let magic: [UInt8] = Array("WAYMARK".utf8) + [1]

    /// The header of a segment starting at `base`.
    public static func bytes(base: Offset) -> [UInt8] {
        var b = magic
        appendLE(base.rawValue, &b)
        return b
    }

    /// Why `bytes` is not the header of segment `base`, or nil when it is.
    public static func problem(_ bytes: [UInt8], base: Offset) -> String? {
        if bytes.count < size { return "segment header cut short (\(bytes.count) of \(size) bytes)" }
        if Array(bytes[0..<8]) != magic { return "not a Waymark segment (bad magic or format version)" }
        let stored = bytes[8..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        if stored != base.rawValue { return "header names base offset \(stored), file name \(base)" }
        return nil
    }
}
