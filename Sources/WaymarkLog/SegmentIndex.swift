import WaymarkTime

/// One entry of a segment's offset index: the record `relativeOffset` after the segment's
/// base starts at byte `position` of the data file.
public struct OffsetIndexEntry: Equatable, Sendable {
    public var relativeOffset: UInt32
    public var position: UInt32
}

/// One entry of a segment's time index: the first record with recordedAt `timestamp` (greater
/// than every earlier entry's) is `relativeOffset` after the segment's base.
public struct TimeIndexEntry: Equatable, Sendable {
    public var timestamp: Int64
    public var relativeOffset: UInt32
}

/// The derivable indexes of one segment, in memory: a sparse offset index (an entry every
/// `OffsetIndexEntry.interval` bytes of data) and a time index (an entry whenever
/// recordedAt increases). Both are rebuilt from the data whenever their files are missing or
/// fail their checks.
///
/// File layout: entries back to back, little-endian (offset index: u32 relativeOffset, u32
/// position; time index: i64 milliseconds, u32 relativeOffset). When the segment is sealed a
/// 16-byte trailer follows: `WMSEALED`, u32 entry count, u32 CRC-32C of the entries.
public struct SegmentIndex: Equatable, Sendable {
    /// Bytes of data between offset-index entries (as Kafka's index.interval.bytes).
    public static let offsetInterval = 4096
    static let trailerMagic = Array("WMSEALED".utf8)
    static let offsetEntrySize = 8
    static let timeEntrySize = 12

    public var offsets: [OffsetIndexEntry] = []
    public var times: [TimeIndexEntry] = []
    private var bytesSinceOffsetEntry = 0

    public init() {}

    /// Notes a record appended at `position` (frame `length` bytes) with `relative` offset.
    public mutating func note(relativeOffset relative: UInt32, position: Int, length: Int, recordedAt: Int64) {
        if bytesSinceOffsetEntry >= SegmentIndex.offsetInterval {
            offsets.append(OffsetIndexEntry(relativeOffset: relative, position: UInt32(position)))
            bytesSinceOffsetEntry = 0
        }
        bytesSinceOffsetEntry += length
        if times.last.map({ recordedAt > $0.timestamp }) ?? true {
            times.append(TimeIndexEntry(timestamp: recordedAt, relativeOffset: relative))
        }
    }

    /// The file bytes of the offset entries from `from` on (no trailer).
    public func offsetBytes(from: Int = 0) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity((offsets.count - from) * SegmentIndex.offsetEntrySize)
        for e in offsets[from...] { appendLE(e.relativeOffset, &b); appendLE(e.position, &b) }
        return b
    }

    /// The file bytes of the time entries from `from` on (no trailer).
    public func timeBytes(from: Int = 0) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity((times.count - from) * SegmentIndex.timeEntrySize)
        for e in times[from...] { appendLE(UInt64(bitPattern: e.timestamp), &b); appendLE(e.relativeOffset, &b) }
        return b
    }

    /// `entries` followed by the sealed trailer.
    static func sealed(_ entries: [UInt8], count: Int) -> [UInt8] {
        var b = entries
        b.append(contentsOf: trailerMagic)
        appendLE(UInt32(count), &b)
        appendLE(CRC32C.checksum(entries), &b)
        return b
    }

    /// The entries of a sealed index file, or nil when the trailer, count or checksum fails.
    static func sealedEntries(_ bytes: [UInt8], entrySize: Int) -> ArraySlice<UInt8>? {
        guard bytes.count >= 16, Array(bytes[(bytes.count - 16)..<(bytes.count - 8)]) == trailerMagic else { return nil }
        let count = Int(readLE(UInt32.self, bytes, bytes.count - 8))
        let crc = readLE(UInt32.self, bytes, bytes.count - 4)
        guard count * entrySize + 16 == bytes.count else { return nil }
        let entries = bytes[0..<(bytes.count - 16)]
        guard entries.withUnsafeBytes({ CRC32C.checksum($0) }) == crc else { return nil }
        return entries
    }

    /// Reads an index pair from its files. Sealed files must carry a valid trailer; an active
    /// segment's files are taken up to their last whole entry. Nil when missing or failing.
    public static func load(offsetIndexPath: String, timeIndexPath: String, sealed: Bool) throws(LogError) -> SegmentIndex? {
        guard let offsetFile = try SystemFile.openForReadingIfExists(offsetIndexPath),
              let timeFile = try SystemFile.openForReadingIfExists(timeIndexPath) else { return nil }
        var offsetBytes = ArraySlice(try offsetFile.readAll())
        var timeBytes = ArraySlice(try timeFile.readAll())
        // A sealed segment's files must carry their trailer; an active segment's may (a crash
        // between sealing and creating the next segment leaves it so) or may not.
        if let o = sealedEntries(Array(offsetBytes), entrySize: offsetEntrySize) { offsetBytes = o } else if sealed { return nil }
        if let t = sealedEntries(Array(timeBytes), entrySize: timeEntrySize) { timeBytes = t } else if sealed { return nil }
        var index = SegmentIndex()
        var i = offsetBytes.startIndex
        while i + offsetEntrySize <= offsetBytes.endIndex {
            let entry = OffsetIndexEntry(relativeOffset: readLE(UInt32.self, offsetBytes, i), position: readLE(UInt32.self, offsetBytes, i + 4))
            if let last = index.offsets.last, entry.relativeOffset <= last.relativeOffset || entry.position <= last.position { return nil }
            index.offsets.append(entry)
            i += offsetEntrySize
        }
        i = timeBytes.startIndex
        while i + timeEntrySize <= timeBytes.endIndex {
            let entry = TimeIndexEntry(timestamp: Int64(bitPattern: readLE(UInt64.self, timeBytes, i)), relativeOffset: readLE(UInt32.self, timeBytes, i + 8))
            if let last = index.times.last, entry.relativeOffset <= last.relativeOffset || entry.timestamp <= last.timestamp { return nil }
            index.times.append(entry)
            i += timeEntrySize
        }
        return index
    }

    /// Writes both files whole, sealed (with trailers) or not, replacing what was there.
    public func write(offsetIndexPath: String, timeIndexPath: String, sealed: Bool) throws(LogError) {
        let o = sealed ? SegmentIndex.sealed(offsetBytes(), count: offsets.count) : offsetBytes()
        let t = sealed ? SegmentIndex.sealed(timeBytes(), count: times.count) : timeBytes()
        try FileSystem.writeAtomically(o, to: offsetIndexPath, durable: false)
        try FileSystem.writeAtomically(t, to: timeIndexPath, durable: false)
    }

    /// The last entry at or before `relative`: where to start scanning for it.
    public func floorPosition(relativeOffset relative: UInt32) -> OffsetIndexEntry? {
        var lo = 0, hi = offsets.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if offsets[mid].relativeOffset <= relative { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : offsets[lo - 1]
    }

    /// The first time entry with timestamp > `ms`, if any.
    public func firstTimeEntry(after ms: Int64) -> TimeIndexEntry? {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid].timestamp <= ms { lo = mid + 1 } else { hi = mid }
        }
        return lo < times.count ? times[lo] : nil
    }

    /// Equal entries, ignoring the writer's running byte count.
    public static func == (a: SegmentIndex, b: SegmentIndex) -> Bool {
        a.offsets == b.offsets && a.times == b.times
    }
}

/// Reads a little-endian `T` from `bytes` at index `at`.
@inline(__always)
public func readLE<T: FixedWidthInteger, C: Collection>(_: T.Type, _ bytes: C, _ at: C.Index) -> T where C.Element == UInt8, C.Index == Int {
    var v: T = 0
    withUnsafeMutableBytes(of: &v) { dst in
        for k in 0..<MemoryLayout<T>.size { dst[k] = bytes[at + k] }
    }
    return T(littleEndian: v)
}
