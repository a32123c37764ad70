#if canImport(Glibc)
import Glibc
#endif
import WaymarkTime

/// Settings of a writer.
public struct LogWriterOptions: Sendable {
    /// A segment is sealed and a new one started when a record would take it past this size.
    public var segmentBytes: Int = 64 << 20
    /// Seconds to wait for another writer to finish.
    public var lockTimeout: Double = 10
    /// Rebuild every index from the data on open, even those that pass their checks.
    public var rebuildIndexes = false
    /// The rule whose picks are kept beside each sealed segment (`SegmentMarks`); nil: no
    /// marks are written (readers then scan the segments this writer seals).
    public var marker: RecordMarker?

    public init(segmentBytes: Int = 64 << 20, lockTimeout: Double = 10, rebuildIndexes: Bool = false, marker: RecordMarker? = nil) {
        self.segmentBytes = segmentBytes
        self.lockTimeout = lockTimeout
        self.rebuildIndexes = rebuildIndexes
        self.marker = marker
    }
}

/// What opening the log for writing found and mended.
public struct RecoveryReport: Sendable, Equatable {
    /// The torn tail cut off the active segment: file, position, bytes and why.
    public var truncatedTail: (file: String, position: Int, bytes: Int, reason: String)?
    /// Index files rebuilt from the data.
    public var rebuiltIndexes: [String] = []
    /// Records added to the key index because it lagged behind the log.
    public var keysReindexed: Int = 0

    public static func == (a: RecoveryReport, b: RecoveryReport) -> Bool {
        a.truncatedTail?.file == b.truncatedTail?.file && a.truncatedTail?.position == b.truncatedTail?.position
            && a.rebuiltIndexes == b.rebuiltIndexes && a.keysReindexed == b.keysReindexed
    }
}

/// The one process allowed to append to a log. Opening it takes the writer lock and recovers
/// from any crash: the torn tail of the active segment is cut, its indexes are rebuilt, the
/// indexes (and, with a marker, the marks) of sealed segments are checked, and the key index
/// catches up with the log.
public final class LogWriter {
    /// The log's directory.
    public let directory: LogDirectory
    /// The settings in force.
    public let options: LogWriterOptions
    /// The offset the next appended record gets.
    public private(set) var nextOffset: Offset
    /// The latest recordedAt in the log (nil while it is empty).
    public private(set) var lastRecordedAt: Timestamp?
    /// What recovery found on open.
    public let recovery: RecoveryReport

    private let lock: WriterLock
    private let reader: LogReader
    private let lookup: RecordLookup
    private let keys: KeyIndex
    private var active: SegmentName
    private var activeFile: SystemFile
    private var activeSize: Int
    private var activeIndex: SegmentIndex
    /// The active segment's records the marker picked (relative offsets), written out when
    /// it is sealed.
    private var activeMarks: [UInt32] = []
    /// The framed records of the batch being appended; kept between batches so that each
    /// batch writes from memory the process already has (a fresh buffer of tens of MiB is
    /// fresh pages the kernel must zero, which costs more here than writing them).
    private var framed: [UInt8] = []
    /// The room `framed` gets at once.
    static let framedCapacity = 40 << 20
    private var offsetEntriesWritten = 0
    private var timeEntriesWritten = 0
    private var bytesSinceKeyCheckpoint = 0
    /// How much log the key index may lag behind its last durable checkpoint. Each checkpoint
    /// writes back every page of the table that changed (keys hash to random pages, so nearly
    /// all of them); after a crash the lag is re-indexed from the log on open, about a quarter
    /// of a second for this much.
    static let keyCheckpointBytes = 256 << 20
    /// How many keys ahead the key index's slots are fetched.
    static let prefetchDistance = 8

    /// Opens (creating if needed, mode 0700) the log in `path` for appending.
    public init(directory path: String, options: LogWriterOptions = LogWriterOptions()) throws {
        let directory = LogDirectory(path: path)
        try FileSystem.createDirectory(directory.path)
        self.directory = directory
        self.options = options
        self.lock = try WriterLock(path: directory.lockFile, timeout: options.lockTimeout)
        self.reader = LogReader(directory: directory.path)
        var report = RecoveryReport()

        var segments = try directory.segments()
        if segments.isEmpty {
            try LogWriter.createSegment(SegmentName(baseOffset: .zero), in: directory)
            segments = [SegmentName(baseOffset: .zero)]
        }
        // Sealed segments: their indexes must be whole; rebuild any that are not.
        var lastAt: Timestamp? = nil
        for (i, segment) in segments.dropLast().enumerated() {
            let sealed = try SegmentIndex.load(offsetIndexPath: directory.file(segment.offsetIndexFile),
                                               timeIndexPath: directory.file(segment.timeIndexFile), sealed: true)
                .flatMap { options.rebuildIndexes ? nil : $0 }
            let index: SegmentIndex
            if let sealed { index = sealed } else {
                index = try reader.index(of: segment, isLast: false)
                try index.write(offsetIndexPath: directory.file(segment.offsetIndexFile),
                                timeIndexPath: directory.file(segment.timeIndexFile), sealed: true)
                report.rebuiltIndexes.append(segment.offsetIndexFile)
            }
            if let t = index.times.last { lastAt = Timestamp(millisecondsSinceEpoch: t.timestamp) }
            if let marker = options.marker {
                let end = segments[i + 1].baseOffset
                let path = directory.file(segment.marksFile)
                let records = UInt32(clamping: end.rawValue - segment.baseOffset.rawValue)
                let valid = try SegmentMarks.load(path: path, marker: marker.name, records: records) != nil
                if options.rebuildIndexes || !valid {
                    try reader.scanMarks(of: segment, end: end, by: marker).write(to: path)
                    report.rebuiltIndexes.append(segment.marksFile)
                }
            }
        }
        // The active segment: scan it all, cut a torn tail, rebuild its indexes.
        let active = segments.last!
        let activePath = directory.file(active.dataFile)
        let file = try SystemFile(path: activePath, flags: O_RDWR)
        let headerBytes = try file.read(count: SegmentHeader.size, at: 0)
        if let problem = SegmentHeader.problem(headerBytes, base: active.baseOffset) {
            let expected = SegmentHeader.bytes(base: active.baseOffset)
            let fileSize = try file.size()
            let isTornHeader = headerBytes.count < SegmentHeader.size && fileSize == headerBytes.count
                && (Array(expected.prefix(headerBytes.count)) == headerBytes || headerBytes.allSatisfy { $0 == 0 })
            guard isTornHeader else { throw LogError.damaged(file: active.dataFile, position: 0, reason: problem) }
            try file.truncate(to: 0)
            try file.write(expected, at: 0)
            try file.sync()
            report.truncatedTail = (active.dataFile, 0, headerBytes.count, problem)
        }
        var index = SegmentIndex()
        let scanner = try SegmentScanner(path: activePath, fileName: active.dataFile, from: SegmentPosition(SegmentHeader.size),
                                         expectedOffset: active.baseOffset, lastRecordedAt: lastAt)
        var next = active.baseOffset
        var marks: [UInt32] = []
        while let r = try scanner.next() {
            let relative = UInt32(r.offset.rawValue - active.baseOffset.rawValue)
            index.note(relativeOffset: relative, position: r.position.rawValue,
                       length: r.length, recordedAt: r.recordedAt.millisecondsSinceEpoch)
            if options.marker?.picks(r.payload) == true { marks.append(relative) }
            next = r.offset.next
            lastAt = r.recordedAt
        }
        switch scanner.end! {
        case .clean: break
        case let .tornTail(position, bytes, reason):
            try file.truncate(to: position.rawValue)
            try file.sync()
            report.truncatedTail = (active.dataFile, position.rawValue, bytes, reason)
        case let .damaged(position, reason):
            throw LogError.damaged(file: active.dataFile, position: position.rawValue, reason: reason)
        }
        try index.write(offsetIndexPath: directory.file(active.offsetIndexFile),
                        timeIndexPath: directory.file(active.timeIndexFile), sealed: false)
        if options.rebuildIndexes { report.rebuiltIndexes.append(active.offsetIndexFile) }
        self.active = active
        self.activeFile = file
        self.activeSize = scanner.end!.position.rawValue
        self.activeIndex = index
        self.activeMarks = marks
        self.offsetEntriesWritten = index.offsets.count
        self.timeEntriesWritten = index.times.count
        self.nextOffset = next
        self.lastRecordedAt = lastAt
        reader.pin(index: index, for: active)
        self.lookup = RecordLookup(directory: directory, segments: segments)
        lookup.update(index: index, for: active)

        // The key index: catch up with records it does not cover yet.
        let keys = try KeyIndex(path: directory.keyIndexFile)
        if keys.coveredUpTo > next || options.rebuildIndexes { try keys.reset() }
        if (keys.rebuilt && next > .zero) || options.rebuildIndexes { report.rebuiltIndexes.append("ids.index") }
        var reindexed = 0
        if keys.coveredUpTo < next {
            keys.dropEntries(from: keys.coveredUpTo)
            try reader.forEach(from: keys.coveredUpTo) { record in
                try keys.insert(hash: KeyIndex.hash(record.key), offset: record.offset)
                reindexed += 1
                return true
            }
            try keys.checkpoint(coveredUpTo: next)
        }
        report.keysReindexed = reindexed
        self.keys = keys
        self.recovery = report
        // The active segment's marks as the scan found them (replacing a stale or foreign file).
        try writeActiveMarks()
    }

    /// Closes the writer cleanly: syncs the key index and releases the lock.
    public func close() throws {
        try keys.checkpoint(coveredUpTo: nextOffset)
    }

    /// Whether a record with this key is in the log.
    public func contains(key: some Collection<UInt8>) throws -> Bool {
        let k = Array(key)
        return try k.withUnsafeBytes { try offsetOfKey($0) != nil }
    }

    private func offsetOfKey(_ key: UnsafeRawBufferPointer) throws -> Offset? {
        var found: Offset? = nil
        _ = try keys.anyCandidate(hash: KeyIndex.hash(key)) { (offset) throws(LogError) -> Bool in
            guard offset < nextOffset else { return false }
            do {
                if try lookup.key(at: offset, equals: key) { found = offset; return true }
            } catch let e as LogError { throw e } catch { return false }
            return false
        }
        return found
    }

    /// Appends the batch's records whose keys are new, in order, stamped with `recordedAt`
    /// (default: the clock, never earlier than the log's latest), and makes them durable with
    /// one fsync before returning. A `recordedAt` earlier than the log's latest is refused.
    public func append(_ batch: AppendBatch, recordedAt requested: Timestamp? = nil) throws -> AppendOutcome {
        let stamp: Timestamp
        if let requested {
            if let last = lastRecordedAt, requested < last {
                throw LogError.refused("recordedAt \(requested) is earlier than the log's latest (\(last)): history cannot be back-dated")
            }
            stamp = requested
        } else {
            stamp = max(Timestamp.now(), lastRecordedAt ?? Timestamp(millisecondsSinceEpoch: .min))
        }
        var offsets: [Offset?] = []
        offsets.reserveCapacity(batch.count)
        var pending: [UInt8] = []
        swap(&pending, &framed)
        defer { pending.removeAll(keepingCapacity: true); swap(&pending, &framed) }
        // Room for a batch of the size appenders send (untouched room costs no memory), so
        // that growing batches do not move to fresh pages at every step.
        pending.reserveCapacity(max(min(batch.bytes.count + batch.count * RecordFrame.headerSize, 64 << 20), LogWriter.framedCapacity))
        var pendingStart = activeSize
        // The batch's keys so far by hash (the first; any others with the same hash aside).
        var inBatch: [UInt64: Range<Int>] = [:]
        inBatch.reserveCapacity(batch.count)
        var sameHash: [UInt64: [Range<Int>]] = [:]
        var newKeys: [(UInt64, Offset)] = []
        var next = nextOffset
        try batch.bytes.withUnsafeBytes { all in
            // Keys hashed first, so each lookup's slot can be fetched a few keys ahead.
            let hashes = batch.items.map { KeyIndex.hash(UnsafeRawBufferPointer(rebasing: all[$0.key])) }
            for (i, item) in batch.items.enumerated() {
                if i + LogWriter.prefetchDistance < hashes.count { keys.prefetch(hash: hashes[i + LogWriter.prefetchDistance]) }
                let key = UnsafeRawBufferPointer(rebasing: all[item.key])
                let payload = UnsafeRawBufferPointer(rebasing: all[item.payload])
                let length = RecordFrame.headerSize + key.count + payload.count
                guard key.count <= RecordFrame.maxKeySize, length <= RecordFrame.maxRecordSize else {
                    throw LogError.refused("a record of \(length) bytes exceeds the limit of \(RecordFrame.maxRecordSize)")
                }
                let hash = hashes[i]
                func same(_ r: Range<Int>) -> Bool { r.count == key.count && (r.count == 0 || memcmp(all.baseAddress! + r.lowerBound, key.baseAddress!, r.count) == 0) }
                let first = inBatch[hash]
                if let first, same(first) || sameHash[hash]?.contains(where: same) == true {
                    offsets.append(nil); continue
                }
                if try offsetOfKey(key) != nil { offsets.append(nil); continue }
                if first == nil { inBatch[hash] = item.key } else { sameHash[hash, default: []].append(item.key) }
                if activeSize + pending.count + length > options.segmentBytes && activeSize + pending.count > SegmentHeader.size {
                    try activeFile.write(pending, at: pendingStart)
                    activeSize += pending.count
                    pending.removeAll(keepingCapacity: true)
                    try roll(nextBase: next)
                    pendingStart = activeSize
                }
                let position = activeSize + pending.count
                RecordFrame.encode(offset: next, recordedAt: stamp, key: key, payload: payload, into: &pending)
                let relative = UInt32(next.rawValue - active.baseOffset.rawValue)
                activeIndex.note(relativeOffset: relative, position: position, length: length, recordedAt: stamp.millisecondsSinceEpoch)
                if let marker = options.marker, item.marked ?? marker.picks(payload) { activeMarks.append(relative) }
                newKeys.append((hash, next))
                offsets.append(next)
                next = next.next
            }
        }
        if !pending.isEmpty {
            try activeFile.write(pending, at: pendingStart)
            activeSize += pending.count
        }
        if next > nextOffset {
            try activeFile.sync()
            // Durable now: the batch's pages leave the page cache (as PostgreSQL lets go of WAL
            // it will not re-read). A bulk append then reuses the same few pages instead of
            // filling memory with ones only a later rebuild reads.
            activeFile.dropCachedPages(pendingStart..<activeSize)
            nextOffset = next
            lastRecordedAt = stamp
            try writeActiveIndexTail()
            try writeActiveMarks()
            for (i, (hash, offset)) in newKeys.enumerated() {
                if i + LogWriter.prefetchDistance < newKeys.count { keys.prefetch(hash: newKeys[i + LogWriter.prefetchDistance].0) }
                try keys.insert(hash: hash, offset: offset)
            }
            bytesSinceKeyCheckpoint += pending.count
            if bytesSinceKeyCheckpoint > LogWriter.keyCheckpointBytes {
                try keys.checkpoint(coveredUpTo: nextOffset)
                bytesSinceKeyCheckpoint = 0
            }
        }
        return AppendOutcome(offsets: offsets, recordedAt: stamp)
    }

    /// Rewrites the active segment's marks to cover every record in it (with a marker; called
    /// once the records are durable, so the file never covers a record a crash could cut).
    private func writeActiveMarks() throws(LogError) {
        // Mid-batch, a segment just started holds no durable record yet.
        try writeMarks(records: nextOffset > active.baseOffset ? UInt32(nextOffset.rawValue - active.baseOffset.rawValue) : 0)
    }

    /// Writes the active segment's marks (with a marker) as covering its first `records`.
    private func writeMarks(records: UInt32) throws(LogError) {
        guard let marker = options.marker else { return }
        try SegmentMarks(marker: marker.name, records: records, relativeOffsets: activeMarks.filter { $0 < records })
            .write(to: directory.file(active.marksFile))
    }

    /// Appends the index entries added since the last write to the active segment's index files.
    private func writeActiveIndexTail() throws(LogError) {
        if activeIndex.offsets.count > offsetEntriesWritten {
            let f = try SystemFile(path: directory.file(active.offsetIndexFile), flags: O_WRONLY | O_CREAT)
            try f.write(activeIndex.offsetBytes(from: offsetEntriesWritten), at: offsetEntriesWritten * SegmentIndex.offsetEntrySize)
            offsetEntriesWritten = activeIndex.offsets.count
        }
        if activeIndex.times.count > timeEntriesWritten {
            let f = try SystemFile(path: directory.file(active.timeIndexFile), flags: O_WRONLY | O_CREAT)
            try f.write(activeIndex.timeBytes(from: timeEntriesWritten), at: timeEntriesWritten * SegmentIndex.timeEntrySize)
            timeEntriesWritten = activeIndex.times.count
        }
        reader.pin(index: activeIndex, for: active)
        lookup.update(index: activeIndex, for: active)
    }

    /// Seals the active segment (data synced, indexes written with trailers, and its marks
    /// when there is a marker) and starts the next at `nextBase`; the new file and the
    /// directory entry are synced before any record goes into it.
    private func roll(nextBase: Offset) throws(LogError) {
        try activeFile.sync()
        activeFile.dropCachedPages(SegmentHeader.size..<activeSize)
        try activeIndex.write(offsetIndexPath: directory.file(active.offsetIndexFile),
                              timeIndexPath: directory.file(active.timeIndexFile), sealed: true)
        try writeMarks(records: UInt32(nextBase.rawValue - active.baseOffset.rawValue))
        activeMarks = []
        lookup.update(index: activeIndex, for: active)
        let name = SegmentName(baseOffset: nextBase)
        try LogWriter.createSegment(name, in: directory)
        active = name
        activeFile = try SystemFile(path: directory.file(name.dataFile), flags: O_RDWR)
        activeSize = SegmentHeader.size
        activeIndex = SegmentIndex()
        offsetEntriesWritten = 0
        timeEntriesWritten = 0
        reader.pin(index: activeIndex, for: active)
        lookup.added(name, index: activeIndex)
        try writeActiveMarks()
    }

    /// Creates a segment: its (empty) index files first, so that whenever a crash comes, a
    /// segment file never exists without them (index files without a segment are ignored, and
    /// replaced when the segment is made).
    private static func createSegment(_ name: SegmentName, in directory: LogDirectory) throws(LogError) {
        try SegmentIndex().write(offsetIndexPath: directory.file(name.offsetIndexFile),
                                 timeIndexPath: directory.file(name.timeIndexFile), sealed: false)
        let file = try SystemFile(path: directory.file(name.dataFile), flags: O_RDWR | O_CREAT | O_EXCL)
        try file.write(SegmentHeader.bytes(base: name.baseOffset), at: 0)
        try file.sync()
        try FileSystem.syncDirectory(directory.path)
    }
}
