#if canImport(Glibc)
import Glibc
#endif
import WaymarkTime

/// Reads a log, alone or while a writer appends: records in offset order from any offset,
/// one record by offset, the first offset recorded after a time, and following new records
/// as they arrive. Never returns a partial record: every frame's checksum is checked, and
/// an incomplete tail of the last segment is simply where the data ends for now.
public final class LogReader {
    /// The log's directory.
    public let directory: LogDirectory
    private var indexCache: [Offset: SegmentIndex] = [:]
    private var pinnedSegment: Offset?

    /// A reader of the log in `path` (which need not exist yet: it is then empty).
    public init(directory path: String) {
        self.directory = LogDirectory(path: path)
    }

    /// Calls `body` with every record at or after `from`, in offset order, until it returns
    /// false. Returns the offset to resume from (after the last record delivered or passed).
    /// Throws `LogError.damaged` naming file and byte position on damaged data.
    @discardableResult
    public func forEach(from: Offset = .zero, _ body: (RecordView) throws -> Bool) throws -> Offset {
        let segments = try directory.segments()
        guard !segments.isEmpty else { return from }
        var first = segmentIndex(containing: from, in: segments)
        var resume = from
        if first < 0 { first = 0; resume = max(from, segments[0].baseOffset) }
        for i in first..<segments.count {
            let segment = segments[i]
            let isLast = i == segments.count - 1
            if segment.baseOffset > resume {
                if i == first { resume = segment.baseOffset } else {
                    throw LogError.damaged(file: segment.dataFile, position: 0,
                                           reason: "segment starts at offset \(segment.baseOffset) but the previous one ended at \(resume)")
                }
            }
            guard let scanner = try openScanner(segment, isLast: isLast, at: resume) else { return resume }
            var keepGoing = true
            while let record = try scanner.next() {
                if record.offset < resume { continue }
                resume = record.offset.next
                if try !body(record) { keepGoing = false; break }
            }
            if !keepGoing { return resume }
            try LogReader.checkEnd(of: scanner, in: segment, isLast: isLast)
        }
        return resume
    }

    /// Every record from `from`, copied (convenient for tests and small logs).
    public func records(from: Offset = .zero, limit: Int = .max) throws -> [LogRecord] {
        var out: [LogRecord] = []
        if limit <= 0 { return out }
        try forEach(from: from) { out.append($0.copy()); return out.count < limit }
        return out
    }

    /// The record at `offset`, or nil when the log has none there (yet).
    public func record(at offset: Offset) throws -> LogRecord? {
        let segments = try directory.segments()
        let i = segmentIndex(containing: offset, in: segments)
        guard i >= 0 else { return nil }
        guard let scanner = try openScanner(segments[i], isLast: i == segments.count - 1, at: offset, chunkSize: 16 << 10) else { return nil }
        while let record = try scanner.next() {
            if record.offset == offset { return record.copy() }
            if record.offset > offset { return nil }
        }
        return nil
    }

    /// The records at `offsets` (those the log has), fetched one by one through the offset
    /// indexes with a few `pread`s each: for scattered lookups such as one child's events.
    public func records(at offsets: [Offset]) throws -> [Offset: LogRecord] {
        let lookup = RecordLookup(directory: directory, segments: try directory.segments())
        var out: [Offset: LogRecord] = [:]
        for o in offsets { if let r = try lookup.withRecord(at: o, { $0.copy() }) { out[o] = r } }
        return out
    }

    /// The offsets of the records whose keys are `keys` (by position in `keys`; a key the log
    /// does not hold is left out). Looks each up in the key index, confirming hits by reading
    /// the key back, and scans once whatever the index does not cover yet.
    public func offsets(ofKeys keys: [[UInt8]]) throws -> [Int: Offset] {
        var found: [Int: Offset] = [:]
        guard !keys.isEmpty else { return found }
        let lookup = RecordLookup(directory: directory, segments: try directory.segments())
        var covered = Offset.zero
        if let index = try KeyIndex(readOnlyPath: directory.keyIndexFile) {
            covered = index.coveredUpTo
            do {
            for (k, key) in keys.enumerated() {
                try key.withUnsafeBytes { (key: UnsafeRawBufferPointer) throws in
                    _ = try index.anyCandidate(hash: KeyIndex.hash(key)) { (o) throws(LogError) -> Bool in
                        do {
                            if try lookup.key(at: o, equals: key) { found[k] = o; return true }
                        } catch let e as LogError { throw e } catch { return false }
                        return false
                    }
                }
            }
            } catch let LogError.damaged(file, _, _) where file == index.path {
                // A damaged index could miss keys: find them all by scanning the log.
                found = [:]
                covered = .zero
            }
        }
        var missing: [[UInt8]: Int] = [:]
        for (k, key) in keys.enumerated() where found[k] == nil { missing[key] = k }
        if !missing.isEmpty {
            try forEach(from: covered) { r in
                let key = Array(r.key)
                if let k = missing.removeValue(forKey: key) { found[k] = r.offset }
                return !missing.isEmpty
            }
        }
        return found
    }

    /// Calls `body` with each record at or after `from` (and before `bound`, when given) that
    /// `marker` picks, in offset order, until it returns false; a record recorded after
    /// `recordedUpTo` ends the walk, as the end of the log does. A sealed segment with a valid
    /// marks file of this marker is not read at all: its marked records are fetched by
    /// offset. Any other (the active segment, or one written by a writer without the
    /// marker) is scanned and each record asked. Returns where the walk stopped (the offset
    /// after the last record passed) and how many records it passed.
    @discardableResult
    public func forEachMarked(by marker: RecordMarker, from: Offset = .zero, to bound: Offset? = nil, recordedUpTo: Timestamp? = nil,
                              _ body: (RecordView) throws -> Bool) throws -> (next: Offset, passed: Int) {
        let segments = try directory.segments()
        guard !segments.isEmpty else { return (from, 0) }
        var resume = max(from, segments[0].baseOffset)
        let start = resume
        var lookup: RecordLookup?
        for (i, segment) in segments.enumerated() {
            if let bound, resume >= bound { break }
            let isLast = i == segments.count - 1
            let end = isLast ? nil : segments[i + 1].baseOffset
            if let end, end <= resume { continue }
            if segment.baseOffset > resume {
                throw LogError.damaged(file: segment.dataFile, position: 0,
                                       reason: "segment starts at offset \(segment.baseOffset) but the previous one ended at \(resume)")
            }
            // A sealed segment's marks cover it all; the active segment's, its first records.
            lookup = lookup ?? RecordLookup(directory: directory, segments: segments)
            let covered: (marks: SegmentMarks, end: Offset)?
            if let end {
                covered = try marks(of: segment, end: end, by: marker, recordedUpTo: recordedUpTo).map { ($0, end) }
            } else {
                covered = try activeMarks(of: segment, by: marker, recordedUpTo: recordedUpTo, after: resume, lookup: lookup!)
            }
            if let (marks, coveredEnd) = covered {
                for relative in marks.relativeOffsets {
                    let offset = segment.baseOffset.advanced(by: Int64(relative))
                    if offset < resume { continue }
                    if let bound, offset >= bound { break }
                    let more = try lookup!.withRecord(at: offset) { record in try body(record) }
                    guard let more else {
                        throw LogError.damaged(file: segment.marksFile, position: 0,
                                               reason: "lists offset \(offset), which \(segment.dataFile) does not hold whole (run waymark verify)")
                    }
                    if !more { return (offset.next, Int(offset.next.rawValue - start.rawValue)) }
                }
                resume = bound.map { min($0, coveredEnd) } ?? coveredEnd
                if !isLast { continue }
                if let bound, resume >= bound { break }
            }
            guard let scanner = try openScanner(segment, isLast: isLast, at: resume) else { break }
            while let record = try scanner.next() {
                if record.offset < resume { continue }
                if let bound, record.offset >= bound { return (resume, Int(resume.rawValue - start.rawValue)) }
                if let recordedUpTo, record.recordedAt > recordedUpTo { return (resume, Int(resume.rawValue - start.rawValue)) }
                resume = record.offset.next
                if marker.picks(record.payload), try !body(record) { return (resume, Int(resume.rawValue - start.rawValue)) }
            }
            try LogReader.checkEnd(of: scanner, in: segment, isLast: isLast)
        }
        return (resume, Int(resume.rawValue - start.rawValue))
    }

    /// The valid marks file of `marker` for the sealed segment that ends at `end`, when there
    /// is one and every record in the segment was recorded by `recordedUpTo`.
    private func marks(of segment: SegmentName, end: Offset, by marker: RecordMarker, recordedUpTo: Timestamp?) throws -> SegmentMarks? {
        let records = end.rawValue - segment.baseOffset.rawValue
        guard records <= UInt64(UInt32.max),
              let marks = try SegmentMarks.load(path: directory.file(segment.marksFile), marker: marker.name, records: UInt32(records)) else { return nil }
        if let recordedUpTo {
            guard let latest = try index(of: segment, isLast: false).times.last, latest.timestamp <= recordedUpTo.millisecondsSinceEpoch else { return nil }
        }
        return marks
    }

    /// The valid marks file of `marker` for the active segment and the offset after the last
    /// record it covers, when it covers records from `resume` on, its last record is in the
    /// segment, and (with `recordedUpTo`) nothing it covers was recorded later.
    private func activeMarks(of segment: SegmentName, by marker: RecordMarker, recordedUpTo: Timestamp?, after resume: Offset,
                             lookup: RecordLookup) throws -> (SegmentMarks, Offset)? {
        guard recordedUpTo == nil,
              let marks = try SegmentMarks.load(path: directory.file(segment.marksFile), marker: marker.name, records: nil) else { return nil }
        let end = segment.baseOffset.advanced(by: Int64(marks.records))
        guard end > resume, try lookup.withRecord(at: Offset(end.rawValue - 1), { _ in true }) == true else { return nil }
        return (marks, end)
    }

    /// The marks of `marker` for a sealed segment, made by reading it whole.
    func scanMarks(of segment: SegmentName, end: Offset, by marker: RecordMarker) throws -> SegmentMarks {
        var relative: [UInt32] = []
        var next = segment.baseOffset
        if let scanner = try openScanner(segment, isLast: false, at: segment.baseOffset) {
            while let record = try scanner.next() {
                if marker.picks(record.payload) { relative.append(UInt32(record.offset.rawValue - segment.baseOffset.rawValue)) }
                next = record.offset.next
            }
            try LogReader.checkEnd(of: scanner, in: segment, isLast: false)
        }
        guard next == end else {
            throw LogError.damaged(file: segment.dataFile, position: 0, reason: "segment ends at offset \(next) but the next one starts at \(end)")
        }
        return SegmentMarks(marker: marker.name, records: UInt32(end.rawValue - segment.baseOffset.rawValue), relativeOffsets: relative)
    }

    /// The sealed chain of `segment` (which ends before offset `end`), computed from its
    /// records, continuing `chain` (its chainStart and the value before the first record).
    func scanChain(of segment: SegmentName, end: Offset, continuing chain: SegmentChain) throws -> SegmentChain {
        var sealed = chain
        sealed.sealed = true
        sealed.records = 0
        sealed.head = chain.previous
        if let scanner = try openScanner(segment, isLast: false, at: segment.baseOffset) {
            while let record = try scanner.next() {
                sealed.head = sealed.head.then(frame: record.checkedBytes)
                sealed.records += 1
                sealed.endPosition = record.position.rawValue + record.length
            }
            try LogReader.checkEnd(of: scanner, in: segment, isLast: false)
        }
        guard sealed.records == end.rawValue - segment.baseOffset.rawValue else {
            throw LogError.damaged(file: segment.dataFile, position: 0, reason: "segment ends at offset \(segment.baseOffset.advanced(by: Int64(sealed.records))) but the next one starts at \(end)")
        }
        return sealed
    }

    /// The first offset whose recordedAt is later than `time`, or nil when there is none yet.
    /// Uses the time indexes to skip whole segments and to start scanning close to the answer.
    public func firstOffset(recordedAfter time: Timestamp) throws -> Offset? {
        let segments = try directory.segments()
        let ms = time.millisecondsSinceEpoch
        for (i, segment) in segments.enumerated() {
            let isLast = i == segments.count - 1
            let index = try self.index(of: segment, isLast: isLast)
            if !isLast, let latest = index.times.last, latest.timestamp <= ms { continue }
            var start = segment.baseOffset
            if let floor = index.times.last(where: { $0.timestamp <= ms }) {
                start = segment.baseOffset.advanced(by: Int64(floor.relativeOffset))
            }
            guard let scanner = try openScanner(segment, isLast: isLast, at: start) else { return nil }
            while let record = try scanner.next() {
                if record.offset >= start && record.recordedAt > time { return record.offset }
            }
            if case let .damaged(position, reason) = scanner.end! {
                throw LogError.damaged(file: segment.dataFile, position: position.rawValue, reason: reason)
            }
        }
        return nil
    }

    /// Delivers every record from `from` on, then waits for new ones, polling every
    /// `pollInterval` seconds, until `stop` returns true (checked between polls and batches).
    /// Returns the offset to resume from.
    @discardableResult
    public func follow(from: Offset, pollInterval: Double = 0.1, stop: () -> Bool,
                       _ body: (RecordView) throws -> Void) throws -> Offset {
        var next = from
        while !stop() {
            let before = next
            next = try forEach(from: next) { try body($0); return !stop() }
            if next == before { usleep(UInt32(pollInterval * 1_000_000)) }
        }
        return next
    }

    /// The end of the log as a reader sees it now.
    public struct Tail: Sendable, Equatable {
        /// The offset the next record will get (the number of records, for a log from 0).
        public var nextOffset: Offset
        /// When the last record was recorded; nil for an empty log.
        public var lastRecordedAt: Timestamp?
        /// Segment files.
        public var segments: Int
        /// Bytes in segment data files.
        public var bytes: Int
    }

    /// Where the log ends now: reads only the last segment's tail.
    public func tail() throws -> Tail {
        let segments = try directory.segments()
        var bytes = 0
        for s in segments {
            if let f = try SystemFile.openForReadingIfExists(directory.file(s.dataFile)) { bytes += try f.size() }
        }
        guard let last = segments.last else { return Tail(nextOffset: .zero, lastRecordedAt: nil, segments: 0, bytes: 0) }
        var next = last.baseOffset
        var lastAt: Timestamp? = nil
        let index = try self.index(of: last, isLast: true)
        let start = index.offsets.last.map { last.baseOffset.advanced(by: Int64($0.relativeOffset)) } ?? last.baseOffset
        if let scanner = try openScanner(last, isLast: true, at: start) {
            while let r = try scanner.next() { next = r.offset.next; lastAt = r.recordedAt }
            if case let .damaged(position, reason) = scanner.end! {
                throw LogError.damaged(file: last.dataFile, position: position.rawValue, reason: reason)
            }
        }
        if lastAt == nil, segments.count >= 2 {
            // The last segment is empty: the previous one holds the latest record.
            let previous = segments[segments.count - 2]
            lastAt = try self.index(of: previous, isLast: false).times.last.map { Timestamp(millisecondsSinceEpoch: $0.timestamp) }
        }
        return Tail(nextOffset: next, lastRecordedAt: lastAt, segments: segments.count, bytes: bytes)
    }

    // MARK: - Internals shared with the writer and the verifier

    /// Throws when a finished scan of `segment` ended on damage, or on a torn tail in a sealed
    /// segment (the active one's torn tail is where its data ends for now).
    static func checkEnd(of scanner: SegmentScanner, in segment: SegmentName, isLast: Bool) throws(LogError) {
        switch scanner.end! {
        case .clean: break
        case let .tornTail(position, _, reason):
            if !isLast { throw LogError.damaged(file: segment.dataFile, position: position.rawValue, reason: reason) }
        case let .damaged(position, reason):
            throw LogError.damaged(file: segment.dataFile, position: position.rawValue, reason: reason)
        }
    }

    /// Gives the reader the writer's up-to-date index of the active segment.
    func pin(index: SegmentIndex, for segment: SegmentName) {
        pinnedSegment = segment.baseOffset
        indexCache[segment.baseOffset] = index
    }

    /// The position in `segments` of the segment holding `offset` (-1 when before the first).
    func segmentIndex(containing offset: Offset, in segments: [SegmentName]) -> Int {
        var lo = 0, hi = segments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].baseOffset <= offset { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    /// The segment's indexes: cached for sealed segments, re-read for the active one, built by
    /// scanning the data when the files are missing or fail their checks.
    func index(of segment: SegmentName, isLast: Bool) throws -> SegmentIndex {
        if let cached = indexCache[segment.baseOffset], !isLast || pinnedSegment == segment.baseOffset { return cached }
        if let loaded = try SegmentIndex.load(offsetIndexPath: directory.file(segment.offsetIndexFile),
                                              timeIndexPath: directory.file(segment.timeIndexFile), sealed: !isLast) {
            if !isLast { indexCache[segment.baseOffset] = loaded }
            return loaded
        }
        var rebuilt = SegmentIndex()
        guard let scanner = try openScanner(segment, isLast: isLast, at: segment.baseOffset, useIndex: false) else { return rebuilt }
        while let r = try scanner.next() {
            rebuilt.note(relativeOffset: UInt32(r.offset.rawValue - segment.baseOffset.rawValue), position: r.position.rawValue,
                         length: r.length, recordedAt: r.recordedAt.millisecondsSinceEpoch)
        }
        if !isLast { indexCache[segment.baseOffset] = rebuilt }
        return rebuilt
    }

    /// A scanner positioned at or before `target` in `segment` (using its offset index when it
    /// can), or nil when the segment holds nothing yet. An index entry that does not match the
    /// data is ignored: the scan then starts at the first record.
    func openScanner(_ segment: SegmentName, isLast: Bool, at target: Offset, chunkSize: Int = 1 << 20,
                     useIndex: Bool = true) throws -> SegmentScanner? {
        let path = directory.file(segment.dataFile)
        guard let file = try SystemFile.openForReadingIfExists(path) else {
            if isLast { return nil }
            throw LogError.damaged(file: segment.dataFile, position: 0, reason: "segment file vanished")
        }
        let header = try file.read(count: SegmentHeader.size, at: 0)
        let got = header.count
        if let problem = SegmentHeader.problem(header, base: segment.baseOffset) {
            if isLast && got < SegmentHeader.size { return nil }
            throw LogError.damaged(file: segment.dataFile, position: 0, reason: problem)
        }
        var position = SegmentPosition(SegmentHeader.size)
        var expected = segment.baseOffset
        if useIndex, target > segment.baseOffset,
           let entry = try index(of: segment, isLast: isLast).floorPosition(relativeOffset: UInt32(clamping: target.rawValue - segment.baseOffset.rawValue)) {
            let candidate = SegmentPosition(Int(entry.position))
            let candidateOffset = segment.baseOffset.advanced(by: Int64(entry.relativeOffset))
            if try recordOffset(in: file, at: candidate) == candidateOffset {
                position = candidate
                expected = candidateOffset
            }
        }
        // The active segment is read as far as its commit marker: what a writer has written but
        // not yet made durable stays unseen (it may yet be cut back), and a record the marker
        // covers that fails its checks is damage, not the end of the data.
        let committed = isLast ? try SegmentChain.load(path: directory.file(segment.chainFile))?.endPosition : nil
        // Sealed segments never change: long scans read them through a mapping, copying nothing.
        return try SegmentScanner(path: path, fileName: segment.dataFile, from: position, expectedOffset: expected,
                                  chunkSize: min(chunkSize, 1 << 20), mapped: !isLast && chunkSize >= 1 << 20,
                                  readLimit: committed, acknowledgedEnd: committed ?? 0)
    }

    /// The offset field of the frame at `position`, if a whole frame with a good checksum is there.
    private func recordOffset(in file: borrowing SystemFile, at position: SegmentPosition) throws -> Offset? {
        let head = try file.read(count: RecordFrame.headerSize, at: position.rawValue)
        guard head.count == RecordFrame.headerSize else { return nil }
        let length = Int(readLE(UInt32.self, head, 4))
        guard length >= RecordFrame.headerSize, length <= RecordFrame.maxRecordSize else { return nil }
        let frame = try file.read(count: length, at: position.rawValue)
        guard frame.count == length else { return nil }
        return frame.withUnsafeBytes { bytes in
            if case let .record(view) = RecordFrame.decode(bytes, position: position) { return view.offset }
            return nil
        }
    }
}
