import WaymarkTime

/// Where a scan of a segment stopped.
public enum ScanEnd: Equatable, Sendable {
    /// The last record ended exactly at the end of the bytes scanned.
    case clean(SegmentPosition)
    /// The bytes from `position` on are what an interrupted write leaves and hold no record
    /// that was acknowledged: an incomplete last record, a bad last record, zeros from any
    /// point, or junk after the last record, with no valid record after them. A writer cuts them.
    case tornTail(SegmentPosition, bytes: Int, reason: String)
    /// Stored data was damaged: a bad record that the writer had acknowledged (before the
    /// segment's commit marker), or one followed by a valid record, which no torn write leaves.
    case damaged(SegmentPosition, reason: String)

    /// Where valid records stop.
    public var position: SegmentPosition {
        switch self {
        case let .clean(p), let .tornTail(p, _, _), let .damaged(p, _): return p
        }
    }
}

/// Reads one segment file forward in large chunks, checking every frame: checksum, dense
/// offsets and non-decreasing recordedAt. Yields records as views into its buffer.
///
/// Where the records stop, it tells a torn tail from damage (`ScanEnd`): anything bad before
/// `acknowledgedEnd` (the active segment's commit marker, `SegmentChain`) is damage, and so is
/// a bad record followed by a valid one; what is left is the tail a crash leaves.
///
/// One thread scans with a scanner at a time: its state is not checked for overlapping
/// accesses at run time (a dozen checks per record otherwise).
///
/// A sealed segment (one that no writer will append to or truncate) may be scanned `mapped`:
/// the file is mapped into memory and records are views into the page cache itself, so a
/// scan of the whole log copies nothing.
public final class SegmentScanner {
    private let file: SystemFile
    /// The segment's file name, for messages.
    public let fileName: String
    private let limit: Int
    @exclusivity(unchecked) private var buffer: UnsafeMutableRawBufferPointer
    /// Whether `buffer` is the mapped file rather than memory of our own.
    private let mapped: Bool
    /// Mapped pages below this file position have been let go (read and done with, they
    /// would otherwise count as the process's memory until the scan ends).
    @exclusivity(unchecked) private var released = 0
    private static let pageSize = Int(getpagesize())
    @exclusivity(unchecked) private var bufferStart = 0   // file position of buffer[0]
    @exclusivity(unchecked) private var bufferCount = 0   // valid bytes in buffer
    @exclusivity(unchecked) private var cursor: Int       // file position of the next frame
    @exclusivity(unchecked) private var expected: Offset
    @exclusivity(unchecked) private var lastRecordedAt: Timestamp?
    /// Records before this byte position were acknowledged by the writer: never a torn tail.
    private let acknowledgedEnd: Int

    /// Scans `path` from `position`, expecting the record there to have offset `expectedOffset`;
    /// reads no further than the file's size now, nor past `readLimit` when given (a reader
    /// of the active segment stops at its commit marker). Bytes before `acknowledgedEnd` were
    /// acknowledged: a problem there is damage, and so is a file that ends before it.
    public init(path: String, fileName: String, from position: SegmentPosition, expectedOffset: Offset,
                lastRecordedAt: Timestamp? = nil, chunkSize: Int = 1 << 20, mapped: Bool = false,
                readLimit: Int? = nil, acknowledgedEnd: Int = 0) throws(LogError) {
        self.file = try SystemFile(path: path, flags: O_RDONLY_VALUE)
        self.fileName = fileName
        let size = try file.size()
        self.limit = min(size, readLimit ?? size)
        self.acknowledgedEnd = acknowledgedEnd
        self.cursor = position.rawValue
        self.expected = expectedOffset
        self.lastRecordedAt = lastRecordedAt
        if mapped, limit > 0, let base = mmap(nil, limit, PROT_READ, MAP_SHARED, file.fd, 0), base != MAP_FAILED {
            _ = madvise(base, limit, MADV_SEQUENTIAL)
            self.buffer = UnsafeMutableRawBufferPointer(start: base, count: limit)
            self.mapped = true
            self.bufferCount = limit
        } else {
            self.buffer = .allocate(byteCount: chunkSize, alignment: 16)
            self.mapped = false
            self.bufferStart = position.rawValue
        }
    }

    deinit {
        if mapped { munmap(buffer.baseAddress, buffer.count) } else { buffer.deallocate() }
    }

    /// The next record, or nil with `end` set when the scan stops.
    @exclusivity(unchecked) public private(set) var end: ScanEnd?

    /// The next valid record (a view valid until the next call), or nil at the end; `end` says why.
    public func next() throws(LogError) -> RecordView? {
        if end != nil { return nil }
        if mapped, cursor - released >= 8 << 20 {
            // Every view handed out so far lies below the cursor and is no longer valid.
            let upTo = cursor & ~(SegmentScanner.pageSize - 1)
            _ = madvise(buffer.baseAddress! + released, upTo - released, MADV_DONTNEED)
            released = upTo
        }
        while true {
            let available = bufferStart + bufferCount - cursor
            let window = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[(cursor - bufferStart)..<(bufferCount)])
            let remainingInFile = limit - cursor
            if remainingInFile <= 0 {
                if cursor < acknowledgedEnd {
                    end = .damaged(SegmentPosition(cursor), reason: "the segment ends at byte \(cursor) but its commit marker says records up to byte \(acknowledgedEnd) were acknowledged (offset \(expected) onwards is missing)")
                } else {
                    end = .clean(SegmentPosition(cursor))
                }
                return nil
            }
            switch RecordFrame.decode(window, position: SegmentPosition(cursor)) {
            case let .record(view):
                if view.offset != expected {
                    end = .damaged(SegmentPosition(cursor), reason: "offset \(view.offset) where \(expected) was expected")
                    return nil
                }
                if let last = lastRecordedAt, view.recordedAt < last {
                    end = .damaged(SegmentPosition(cursor), reason: "recordedAt \(view.recordedAt) before the previous record's \(last)")
                    return nil
                }
                cursor += view.length
                expected = expected.next
                lastRecordedAt = view.recordedAt
                return view
            case let .incomplete(length):
                let needed = length ?? 8
                if remainingInFile < needed {
                    let reason = length == nil ? "incomplete record header" : "record of \(needed) bytes cut short at \(remainingInFile)"
                    end = try classify(reason: reason)
                    return nil
                }
                if available >= needed { fatalError("scanner: decode asked for bytes it already had") }
                try refill(atLeast: needed)
            case let .impossibleLength(length):
                end = try classify(reason: try restIsZero() ? "zero-filled tail" : "impossible record length \(length)")
                return nil
            case let .checksumMismatch(length):
                end = try classify(reason: "checksum mismatch (record of \(length) bytes, offset \(expected) expected)")
                return nil
            }
        }
    }

    /// Whether the bad bytes at the cursor are a torn tail or damage: damage when the writer
    /// had acknowledged a record there, or when a valid record follows them (a torn write
    /// leaves nothing valid after the tear); a torn tail otherwise.
    private func classify(reason: String) throws(LogError) -> ScanEnd {
        let at = SegmentPosition(cursor)
        if cursor < acknowledgedEnd {
            return .damaged(at, reason: "\(reason) at offset \(expected), which the writer acknowledged (its commit marker covers up to byte \(acknowledgedEnd))")
        }
        if let later = try validRecordAfterCursor() {
            return .damaged(at, reason: "\(reason), followed by a valid record at byte \(later)")
        }
        return .tornTail(at, bytes: limit - cursor, reason: reason)
    }

    /// The position of the first valid frame after the cursor with an offset at or after the
    /// expected one, if any. Candidates are filtered on their offset and key-length fields
    /// before a checksum is computed, so junk costs a few loads a byte.
    private func validRecordAfterCursor() throws(LogError) -> Int? {
        let rest = try file.read(count: limit - cursor, at: cursor)
        guard rest.count > RecordFrame.headerSize else { return nil }
        return rest.withUnsafeBytes { b -> Int? in
            var p = 1
            while p + RecordFrame.headerSize <= b.count {
                let offset = b.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self).littleEndian
                if offset >= expected.rawValue, offset - expected.rawValue < 1 << 32,
                   case .record = RecordFrame.decode(UnsafeRawBufferPointer(rebasing: b[p...]), position: SegmentPosition(cursor + p)) {
                    return cursor + p
                }
                p += 1
            }
            return nil
        }
    }

    /// Moves the unread bytes to the front of the buffer and reads more, growing it if needed.
    private func refill(atLeast needed: Int) throws(LogError) {
        let keep = bufferStart + bufferCount - cursor
        if needed > buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(needed, buffer.count * 2), alignment: 16)
            if keep > 0 {
                bigger.baseAddress!.copyMemory(from: buffer.baseAddress! + (cursor - bufferStart), byteCount: keep)
            }
            buffer.deallocate()
            buffer = bigger
        } else if keep > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + (cursor - bufferStart), byteCount: keep)
        }
        bufferStart = cursor
        bufferCount = keep
        let want = min(buffer.count - keep, limit - (cursor + keep))
        if want > 0 {
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[keep..<(keep + want)]), at: cursor + keep)
            bufferCount += got
        }
    }

    private func restIsZero() throws(LogError) -> Bool {
        var position = cursor
        while position < limit {
            let chunk = try file.read(count: min(1 << 16, limit - position), at: position)
            if chunk.isEmpty { break }
            if chunk.contains(where: { $0 != 0 }) { return false }
            position += chunk.count
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
let O_RDONLY_VALUE = O_RDONLY
#endif
