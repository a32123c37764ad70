import WaymarkTime

/// The findings of a full check of a log.
public struct VerifyReport: Sendable {
    /// Segment files checked.
    public var segments = 0
    /// Records whose frame and checksum hold.
    public var records = 0
    /// Bytes in segment files.
    public var bytes = 0
    /// The first and last offsets found.
    public var firstOffset: Offset?
    public var lastOffset: Offset?
    /// The latest recordedAt found.
    public var lastRecordedAt: Timestamp?
    /// A torn tail at the end of the active segment (harmless: the next writer cuts it).
    public var tornTail: (file: String, position: Int, bytes: Int, reason: String)?
    /// Damage to stored records: file, byte position, reason. The log is not intact.
    public var damage: (file: String, position: Int, reason: String)?
    /// Derived files (indexes) that disagree with the data: file and reason. They are rebuilt
    /// by the next writer or `waymark recover`; the records themselves are intact.
    public var indexProblems: [(file: String, reason: String)] = []
    /// The offset where the hash chain starts (0 for a log chained from the start; later for
    /// a log written before chains, or where a chain file was lost); nil: no chain.
    public var chainStart: Offset?
    /// The chain's value after the last record, and the offset after it: what
    /// `verify --digest` prints as `HASH@OFFSET`.
    public var head: (digest: ChainDigest, offset: Offset)?
    /// Where the records disagree with the hash chain: a record edited (even with its CRC
    /// recomputed), removed or added, or a segment removed. The log is not intact.
    public var chainProblems: [(file: String, reason: String)] = []
    /// The chain value the log had at `expected`'s offset, when one was asked for (nil if
    /// the chain does not cover that offset).
    public var expectedFound: ChainDigest?

    /// Whether records, indexes and the hash chain are all as they should be.
    public var isIntact: Bool { damage == nil && indexProblems.isEmpty && chainProblems.isEmpty }
}

/// Checks every record of a log: framing and CRC-32C, segment headers, offsets dense and
/// increasing across segments, recordedAt non-decreasing, and every index (offset, time, key,
/// and the marks of `marker`) consistent with the data. Reads only; safe beside a running writer.
public struct LogVerifier {
    /// The log checked.
    public let directory: LogDirectory
    /// The marker whose marks files are checked (nil: they are not).
    public let marker: RecordMarker?

    public init(directory path: String, marker: RecordMarker? = nil) {
        directory = LogDirectory(path: path)
        self.marker = marker
    }

    /// Runs every check and reports what it found; with `expect`, also the chain's value
    /// after the record before that offset (`expectedFound`).
    public func verify(expect: Offset? = nil) throws -> VerifyReport {
        var report = VerifyReport()
        let segments = try directory.segments()
        report.segments = segments.count
        let reader = LogReader(directory: directory.path)
        var expected = segments.first?.baseOffset ?? .zero
        if let first = segments.first, first.baseOffset != .zero {
            report.damage = (first.dataFile, 0, "the log starts at offset \(first.baseOffset), not 0: earlier segments are missing")
            return report
        }
        var lastAt: Timestamp? = nil
        var hashes: [(UInt64, Offset)] = []
        // The chain recomputed from the records (nil until it starts).
        var chained: (start: Offset, head: ChainDigest)? = nil
        for (i, segment) in segments.enumerated() {
            let isLast = i == segments.count - 1
            let path = directory.file(segment.dataFile)
            if let f = try SystemFile.openForReadingIfExists(path) { report.bytes += try f.size() }
            if segment.baseOffset != expected {
                report.damage = (segment.dataFile, 0, "segment starts at offset \(segment.baseOffset) but \(expected) was expected")
                return report
            }
            let file = try SystemFile(path: path, flags: O_RDONLY_VALUE)
            let header = try file.read(count: SegmentHeader.size, at: 0)
            let got = header.count
            let fileSize = try file.size()
            if let problem = SegmentHeader.problem(header, base: segment.baseOffset) {
                if isLast && got < SegmentHeader.size && got == fileSize {
                    report.tornTail = (segment.dataFile, 0, got, problem)
                    break
                }
                report.damage = (segment.dataFile, 0, problem)
                return report
            }
            var rebuilt = SegmentIndex()
            var marks: [UInt32] = []
            let storedChain = try SegmentChain.load(path: directory.file(segment.chainFile))
            var headAtStored: ChainDigest? = nil
            if let c = storedChain {
                if let running = chained {
                    if c.previous != running.head || c.chainStart != running.start {
                        report.chainProblems.append((segment.chainFile, "its chain does not continue from the previous segment's head: records before offset \(segment.baseOffset) were changed, removed or added, or a segment was removed"))
                    }
                } else if c.previous != .genesis || c.chainStart != segment.baseOffset {
                    report.chainProblems.append((segment.chainFile, "the chain began at offset \(c.chainStart), before this segment (\(segment.baseOffset)): segments before it were removed"))
                }
                chained = (chained?.start ?? c.chainStart, c.previous)
                if report.chainStart == nil { report.chainStart = c.chainStart }
                if c.records == 0 { headAtStored = c.previous }
                if expect == segment.baseOffset { report.expectedFound = c.previous }
            } else if chained != nil || FileSystem.exists(directory.file(segment.chainFile)) {
                report.chainProblems.append((segment.chainFile, "missing or failing its checksum: the chain cannot show this segment's records unchanged (`waymark recover` rebuilds it from the data as it is now)"))
                chained = nil
            }
            let scanner = try SegmentScanner(path: path, fileName: segment.dataFile, from: SegmentPosition(SegmentHeader.size),
                                             expectedOffset: segment.baseOffset, lastRecordedAt: lastAt,
                                             acknowledgedEnd: isLast ? storedChain?.endPosition ?? 0 : 0)
            var count: UInt64 = 0
            while let r = try scanner.next() {
                if storedChain != nil, let running = chained {
                    let head = running.head.then(frame: r.checkedBytes)
                    chained = (running.start, head)
                    count += 1
                    if count == storedChain!.records { headAtStored = head }
                    if let expect, r.offset.next == expect { report.expectedFound = head }
                }
                rebuilt.note(relativeOffset: UInt32(r.offset.rawValue - segment.baseOffset.rawValue), position: r.position.rawValue,
                             length: r.length, recordedAt: r.recordedAt.millisecondsSinceEpoch)
                if report.firstOffset == nil { report.firstOffset = r.offset }
                report.lastOffset = r.offset
                report.records += 1
                lastAt = r.recordedAt
                hashes.append((KeyIndex.hash(r.key), r.offset))
                if marker?.picks(r.payload) == true { marks.append(UInt32(r.offset.rawValue - segment.baseOffset.rawValue)) }
            }
            expected = report.lastOffset?.next ?? segment.baseOffset
            if let c = storedChain {
                let recordsHere = expected.rawValue - segment.baseOffset.rawValue
                if !isLast, c.records != recordsHere || !c.sealed {
                    report.chainProblems.append((segment.chainFile, "covers \(c.records) records of a sealed segment holding \(recordsHere)"))
                } else if headAtStored == nil || headAtStored != c.head {
                    report.chainProblems.append((segment.chainFile, "the records do not give the chain value it recorded: a record in \(segment.dataFile) was changed (even if its CRC was recomputed), removed or added"))
                }
            }
            switch scanner.end! {
            case .clean: break
            case let .tornTail(position, bytes, reason):
                if isLast {
                    report.tornTail = (segment.dataFile, position.rawValue, bytes, reason)
                } else {
                    report.damage = (segment.dataFile, position.rawValue, "\(reason) in a sealed segment")
                    return report
                }
            case let .damaged(position, reason):
                report.damage = (segment.dataFile, position.rawValue, reason)
                return report
            }
            // Indexes: a sealed segment's must equal what the data gives; the active segment's
            // may lag behind the data (the writer adds entries after the records).
            let loaded = try SegmentIndex.load(offsetIndexPath: directory.file(segment.offsetIndexFile),
                                               timeIndexPath: directory.file(segment.timeIndexFile), sealed: !isLast)
            if let loaded {
                let consistent = isLast
                    ? rebuilt.offsets.starts(with: loaded.offsets) && rebuilt.times.starts(with: loaded.times)
                    : loaded == rebuilt
                if !consistent {
                    report.indexProblems.append((segment.offsetIndexFile, "offset or time index disagrees with the data"))
                }
            } else {
                report.indexProblems.append((segment.offsetIndexFile, isLast ? "index files missing or malformed" : "index files missing, unsealed or failing their checksum"))
            }
            // Marks: optional (readers scan a segment without them), but one that is there must
            // list exactly what the data gives, or a reader would miss a record. The active
            // segment's covers its first records (perhaps not all: the writer may have died
            // before rewriting it), never more than it holds.
            if let marker, FileSystem.exists(directory.file(segment.marksFile)) {
                let records = UInt32(clamping: expected.rawValue - segment.baseOffset.rawValue)
                if let loaded = try SegmentMarks.load(path: directory.file(segment.marksFile), marker: marker.name, records: isLast ? nil : records) {
                    // Compared over the records both the file and the scan cover: a running writer
                    // may have appended (and covered) records since the scan.
                    let both = min(loaded.records, records)
                    let listed = loaded.relativeOffsets.filter { $0 < both }, given = marks.filter { $0 < both }
                    if loaded.records > records, try reader.record(at: segment.baseOffset.advanced(by: Int64(loaded.records) - 1)) == nil {
                        report.indexProblems.append((segment.marksFile, "covers \(loaded.records) records; the segment holds \(records)"))
                    } else if listed != given {
                        report.indexProblems.append((segment.marksFile, "lists \(listed.count) records where the data gives \(given.count)"))
                    }
                } else {
                    report.indexProblems.append((segment.marksFile, "not the \(marker.name) marks of this segment, or failing its checksum"))
                }
            }
        }
        report.lastRecordedAt = lastAt
        if let c = chained { report.head = (c.head, expected) }
        try verifyKeys(hashes, reader: reader, into: &report)
        return report
    }

    /// Every key appears once in the log, and the key index finds each record it covers.
    private func verifyKeys(_ hashes: [(UInt64, Offset)], reader: LogReader, into report: inout VerifyReport) throws {
        // Duplicate keys: group by hash, compare the keys of records that share one.
        var byHash: [UInt64: [Offset]] = [:]
        for (h, o) in hashes { byHash[h, default: []].append(o) }
        for (_, offsets) in byHash where offsets.count > 1 {
            var keys: [[UInt8]: Offset] = [:]
            for o in offsets {
                guard let r = try reader.record(at: o) else { continue }
                if let first = keys[r.key] {
                    report.damage = (SegmentName(baseOffset: o).stem, 0, "offsets \(first) and \(o) carry the same id")
                    return
                }
                keys[r.key] = o
            }
        }
        guard FileSystem.exists(directory.keyIndexFile) else {
            if !hashes.isEmpty { report.indexProblems.append(("ids.index", "missing")) }
            return
        }
        let keys = try KeyIndex(readOnlyPath: directory.keyIndexFile)
        guard let keys else {
            report.indexProblems.append(("ids.index", "header fails its checks"))
            return
        }
        let damaged = keys.damagedSlots()
        if damaged > 0 { report.indexProblems.append(("ids.index", "\(damaged) slots fail their checks")) }
        var missing = 0
        for (h, o) in hashes where o < keys.coveredUpTo {
            let found = (try? keys.anyCandidate(hash: h) { (candidate) throws(LogError) -> Bool in candidate == o }) ?? false
            if !found { missing += 1 }
        }
        if missing > 0 { report.indexProblems.append(("ids.index", "\(missing) covered records are not in it")) }
    }
}
