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
    /// Bytes of the active segment known durable (synced): where a failed write cuts back to.
    private var durableSize: Int
    private var activeIndex: SegmentIndex
    /// The active segment's hash chain as far as its durable records (its commit marker).
    private var chain: SegmentChain
    /// Why an earlier append failed, after which this writer appends nothing more: the records
    /// of a batch whose write or fsync failed were cut back off the segment, and whether the
    /// kernel still holds the rest of what it was given cannot be known (PostgreSQL's
    /// "fsyncgate": after a failed fsync the dirty pages may be gone). A new writer starts clean.
    private var failure: String?
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
        try FileSystem.restrictToOwner(directory.path)
        self.directory = directory
        self.options = options
        self.lock = try WriterLock(path: directory.lockFile, timeout: options.lockTimeout)
        self.reader = LogReader(directory: directory.path)
        var report = RecoveryReport()

        var segments = try directory.segments()
        if segments.isEmpty {
            try LogWriter.createSegment(SegmentName(baseOffset: .zero), chain: SegmentChain(chainStart: .zero, previous: .genesis), in: directory)
            segments = [SegmentName(baseOffset: .zero)]
        }
        // Sealed segments: their indexes must be whole; rebuild any that are not.
        var lastAt: Timestamp? = nil
        // The chain through the sealed segments, as their chain files give it.
        var chained: SegmentChain? = nil
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
            chained = try LogWriter.sealedChain(of: segment, end: segments[i + 1].baseOffset, after: chained, reader: reader,
                                                directory: directory, rebuild: options.rebuildIndexes, report: &report)
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
        // The commit marker: records it covers were acknowledged, so are never cut as torn.
        let stored = try SegmentChain.load(path: directory.file(active.chainFile))
        let continuing = SegmentChain(chainStart: chained?.chainStart ?? active.baseOffset, previous: chained?.head ?? .genesis)
        var chain = stored ?? continuing
        if let stored, options.rebuildIndexes, stored.previous != continuing.previous || stored.chainStart != continuing.chainStart,
           stored.previous == .genesis, stored.chainStart == active.baseOffset {
            // A chain that restarted here (its predecessor's file was lost, or the log predates
            // chains) joins the chain rebuilt before it.
            chain = continuing
        }
        if chain != stored, try file.size() > SegmentHeader.size { report.rebuiltIndexes.append(active.chainFile) }
        let scanner = try SegmentScanner(path: activePath, fileName: active.dataFile, from: SegmentPosition(SegmentHeader.size),
                                         expectedOffset: active.baseOffset, lastRecordedAt: lastAt,
                                         acknowledgedEnd: stored?.endPosition ?? 0)
        var next = active.baseOffset
        var marks: [UInt32] = []
        while let r = try scanner.next() {
            let relative = UInt32(r.offset.rawValue - active.baseOffset.rawValue)
            if UInt64(relative) >= chain.records {
                chain.head = chain.head.then(frame: r.checkedBytes)
                chain.records += 1
                chain.endPosition = r.position.rawValue + r.length
            }
            index.note(relativeOffset: relative, position: r.position.rawValue,
                       length: r.length, recordedAt: r.recordedAt.millisecondsSinceEpoch)
            if options.marker?.picks(r.payload) == true { marks.append(relative) }
            next = r.offset.next
            lastAt = r.recordedAt
        }
        switch scanner.end! {
        case .clean:
            // Whole records past the commit marker were never acknowledged, and may be only in
            // the page cache (a writer that died after a failed fsync): make them durable
            // before anything counts on them.
            if scanner.end!.position.rawValue > stored?.endPosition ?? 0 { try file.sync() }
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
        self.durableSize = scanner.end!.position.rawValue
        self.activeIndex = index
        self.activeMarks = marks
        chain.sealed = false
        self.chain = chain
        try chain.write(to: directory.file(active.chainFile))
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
            if keys.metDamage {
                // Slots failing their checks: the table cannot be trusted, so all of it is refiled.
                try keys.reset()
                report.rebuiltIndexes.append("ids.index")
            }
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
        do {
            return try offsetInKeyIndex(key)
        } catch let LogError.damaged(file, _, _) where file == keys.path {
            // A damaged slot could hide the key: rebuild the table from the log, then ask again.
            try rebuildKeyIndex()
            return try offsetInKeyIndex(key)
        }
    }

    /// Refiles every durable record's key in a fresh table (the id index is derivable).
    private func rebuildKeyIndex() throws {
        try keys.reset()
        try reader.forEach(from: .zero) { record in
            guard record.offset < nextOffset else { return false }
            try keys.insert(hash: KeyIndex.hash(record.key), offset: record.offset)
            return true
        }
        try keys.checkpoint(coveredUpTo: nextOffset)
        keyIndexRebuilds += 1
    }

    /// How many times this writer found the id index damaged and rebuilt it from the log.
    public private(set) var keyIndexRebuilds = 0

    private func offsetInKeyIndex(_ key: UnsafeRawBufferPointer) throws -> Offset? {
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
        if let failure {
            throw LogError.refused("this writer appends nothing more after a failed write (\(failure)); open the log again to retry")
        }
        do {
            return try appendOrFail(batch, recordedAt: requested)
        } catch let error as LogError {
            guard case .system = error else { throw error }
            // A write or fsync failed: nothing since the last good sync counts as written. Cut
            // it back off the active segment, so neither a reader nor the next writer (nor this
            // batch's retry, which must write and sync it again) takes it for durable.
            failure = error.description
            do {
                try activeFile.truncate(to: durableSize)
                try activeFile.sync()
            } catch {
                failure! += "; cutting the segment back to byte \(durableSize) failed too: \(error)"
            }
            throw error
        }
    }

    private func appendOrFail(_ batch: AppendBatch, recordedAt requested: Timestamp?) throws -> AppendOutcome {
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
        // The chain through the records framed so far (the active segment's commit marker
        // once they are durable).
        var running = chain
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
                    running = try roll(nextBase: next, sealing: running)
                    pendingStart = activeSize
                }
                let position = activeSize + pending.count
                let start = pending.count
                RecordFrame.encode(offset: next, recordedAt: stamp, key: key, payload: payload, into: &pending)
                pending.withUnsafeBytes { running.head = running.head.then(frame: UnsafeRawBufferPointer(rebasing: $0[(start + 4)..<(start + length)])) }
                running.records += 1
                running.endPosition = position + length
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
            durableSize = activeSize
            chain = running
            try chain.write(to: directory.file(active.chainFile))
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
            if keys.metDamage { try rebuildKeyIndex() }
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

    /// Seals the active segment (data synced, indexes and chain written as sealed, and its
    /// marks when there is a marker) and starts the next at `nextBase`, whose chain continues
    /// from `sealing`'s head (returned); the new file and the directory entry are synced
    /// before any record goes into it.
    private func roll(nextBase: Offset, sealing: SegmentChain) throws(LogError) -> SegmentChain {
        try activeFile.sync()
        durableSize = activeSize
        activeFile.dropCachedPages(SegmentHeader.size..<activeSize)
        try activeIndex.write(offsetIndexPath: directory.file(active.offsetIndexFile),
                              timeIndexPath: directory.file(active.timeIndexFile), sealed: true)
        try writeMarks(records: UInt32(nextBase.rawValue - active.baseOffset.rawValue))
        var sealed = sealing
        sealed.sealed = true
        try sealed.write(to: directory.file(active.chainFile))
        activeMarks = []
        lookup.update(index: activeIndex, for: active)
        let name = SegmentName(baseOffset: nextBase)
        let continued = SegmentChain(chainStart: sealing.chainStart, previous: sealing.head)
        try LogWriter.createSegment(name, chain: continued, in: directory)
        active = name
        activeFile = try SystemFile(path: directory.file(name.dataFile), flags: O_RDWR)
        activeSize = SegmentHeader.size
        durableSize = SegmentHeader.size
        chain = continued
        activeIndex = SegmentIndex()
        offsetEntriesWritten = 0
        timeEntriesWritten = 0
        reader.pin(index: activeIndex, for: active)
        lookup.added(name, index: activeIndex)
        try writeActiveMarks()
        return continued
    }

    /// The chain of sealed `segment` (ending before `end`) as its chain file gives it, following
    /// `previous` (nil: no chain runs before it). With `rebuild`, a file that is missing or
    /// fails its checks is computed from the data, and so is one whose chain restarted here
    /// though one ran before it (it joins that chain); the report names each rebuilt file.
    /// Without, such a segment breaks the chain (nil), for `verify` to report.
    static func sealedChain(of segment: SegmentName, end: Offset, after previous: SegmentChain?, reader: LogReader,
                            directory: LogDirectory, rebuild: Bool, report: inout RecoveryReport) throws -> SegmentChain? {
        let stored = try SegmentChain.load(path: directory.file(segment.chainFile))
        let restart = stored.map { $0.previous == .genesis && $0.chainStart == segment.baseOffset } ?? false
        if let stored, !(rebuild && restart && previous != nil) { return stored }
        guard rebuild else { return nil }
        let from = SegmentChain(chainStart: previous?.chainStart ?? segment.baseOffset, previous: previous?.head ?? .genesis)
        let rebuilt = try reader.scanChain(of: segment, end: end, continuing: from)
        try rebuilt.write(to: directory.file(segment.chainFile))
        report.rebuiltIndexes.append(segment.chainFile)
        return rebuilt
    }

    /// Creates a segment: its (empty) index files first, so that whenever a crash comes, a
    /// segment file never exists without them (index files without a segment are ignored, and
    /// replaced when the segment is made).
    private static func createSegment(_ name: SegmentName, chain: SegmentChain, in directory: LogDirectory) throws(LogError) {
        try SegmentIndex().write(offsetIndexPath: directory.file(name.offsetIndexFile),
                                 timeIndexPath: directory.file(name.timeIndexFile), sealed: false)
        try chain.write(to: directory.file(name.chainFile))
        let file = try SystemFile(path: directory.file(name.dataFile), flags: O_RDWR | O_CREAT | O_EXCL)
        try file.write(SegmentHeader.bytes(base: name.baseOffset), at: 0)
        try file.sync()
        try FileSystem.syncDirectory(directory.path)
    }
}
