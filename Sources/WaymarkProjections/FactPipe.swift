import Dispatch
import Synchronization
import WaymarkLog
import WaymarkStore

/// Reading events' facts on one core while they are folded on the other: the producer reads
/// the log, finds each event's verdict and facts, and packs them into blocks; the folding
/// thread unpacks them (pointers into the block, no copies) and applies them in log order.
/// A ring of blocks and two semaphores (full, free) hand blocks over.
///
/// Which thread is the slower changes along the log (early on the reading one; once the state
/// outgrows the processor's caches, the folding one), so the producer hands some events over
/// unread (their bytes copied into the block) for the folding thread to read itself. How many
/// is steered by the backlog: while blocks wait for the folder, the producer reads more
/// itself; while none wait, it hands over more unread. Either way each event's facts come
/// from the same reader, so the fold is the same.
final class FactPipe: @unchecked Sendable {
    static let blockBytes = 1 << 20
    static let ringSize = 8
    /// Per slot: the block, how many events it holds, whether it is the last. Plain memory
    /// (not Swift arrays, whose copy-on-write checks would race): each slot belongs to one
    /// thread at a time, handed over by the semaphores.
    private let blocks = UnsafeMutablePointer<UnsafeMutableRawBufferPointer>.allocate(capacity: FactPipe.ringSize)
    private let used = UnsafeMutablePointer<Int>.allocate(capacity: FactPipe.ringSize)
    private let last = UnsafeMutablePointer<Bool>.allocate(capacity: FactPipe.ringSize)
    private let full = DispatchSemaphore(value: 0)
    private let free = DispatchSemaphore(value: FactPipe.ringSize)
    private var error: (any Error)?
    /// Blocks the folding thread has started on (the producer compares it with the blocks
    /// handed over to see the backlog).
    private let started = Atomic<Int>(0)
    /// Of every eight events, how many the producer hands over unread: at first, and at most.
    static let firstUnread = 2, maxUnread = 6

    /// A fixed share of events handed over unread, or nil to steer it.
    private let fixedUnread: Int?

    init(unread: Int? = nil) {
        fixedUnread = unread
        for k in 0..<FactPipe.ringSize {
            (blocks + k).initialize(to: .allocate(byteCount: FactPipe.blockBytes, alignment: 8))
            (used + k).initialize(to: 0)
            (last + k).initialize(to: false)
        }
    }

    deinit {
        for k in 0..<FactPipe.ringSize { blocks[k].deallocate() }
        blocks.deallocate()
        used.deallocate()
        last.deallocate()
    }

    /// Folds `from..<end` of the log through the pipe: facts read on another thread, applied
    /// here. `corrections` gives each event's verdict (used by the reading thread only).
    /// `unread`: how many of every eight events the folding thread reads, fixed (for tests);
    /// nil: steered by the backlog.
    static func fold(_ reader: LogReader, from: Offset, end: Offset, corrections: inout Corrections, into state: inout ProjectionState,
                     unread: Int? = nil) throws {
        let pipe = FactPipe(unread: unread)
        state.reserve(events: Int(end.rawValue - from.rawValue))
        var verdicts = corrections
        // Each thread is handed its part of the state once, as an inout argument (an access
        // per event through the closures' captures would be checked at run time each time).
        try Parallel.both({
            pipe.consume(into: &state)
        }, {
            pipe.produce(reader, from: from, end: end, verdicts: &verdicts)
        })
        corrections = verdicts
        if let error = pipe.error { throw error }
    }

    // MARK: - Producing

    /// The producing thread's place in the ring and its share of events handed over unread.
    private struct Producer {
        var slot = 0
        var handed = 0
        var unread: Int
        var writer: BlockWriter
    }

    private func produce(_ reader: LogReader, from: Offset, end: Offset, verdicts: inout Corrections) {
        let scratch = ScanScratch()
        var facts = EventFacts()
        let hasCorrections = !verdicts.isEmpty
        var p = Producer(unread: fixedUnread ?? FactPipe.firstUnread, writer: BlockWriter(block: take(0)))
        do {
            try reader.forEach(from: from) { record in
                guard record.offset < end else { return false }
                let v = hasCorrections ? verdicts.verdict(key: record.key, offset: record.offset.rawValue) : ProjectionState.Verdict()
                if Int(record.offset.rawValue & 7) < p.unread {
                    if !p.writer.putUnread(record.offset, record.payload, v) {
                        handOver(&p, need: BlockWriter.bound(unread: record.payload))
                        let fits = p.writer.putUnread(record.offset, record.payload, v)
                        precondition(fits, "a block sized for the record holds it")
                    }
                } else {
                    scratch.reset()
                    let valid = EventFacts.read(record.payload, scratch: scratch, into: &facts)
                    // The folding thread, the slower one for most of the log, finds the child's
                    // and episode's symbols by these hashes: worked out here, they cost it nothing.
                    if valid {
                        if let c = facts.child { facts.childHash = KeyIndex.hash(c) }
                        if let e = facts.episode { facts.episodeHash = KeyIndex.hash(e) }
                    }
                    if !p.writer.put(record.offset, facts, valid: valid, v) {
                        handOver(&p, need: BlockWriter.bound(of: facts))
                        let fits = p.writer.put(record.offset, facts, valid: valid, v)
                        precondition(fits, "a block sized for the record holds it")
                    }
                }
                return record.offset.next < end
            }
        } catch {
            self.error = error
        }
        hand(p.slot, p.writer.count, isLast: true)
    }

    /// Hands the producer's block over and takes the next, with room for at least `need`
    /// bytes; steers its share of unread events by the blocks still waiting for the folder.
    private func handOver(_ p: inout Producer, need: Int) {
        let waiting = p.handed - started.load(ordering: .relaxed)
        hand(p.slot, p.writer.count, isLast: false)
        p.handed += 1
        if fixedUnread == nil {
            if waiting == 0 { p.unread = min(p.unread + 1, FactPipe.maxUnread) } else if waiting >= 2 { p.unread = max(p.unread - 1, 0) }
        }
        p.slot = (p.slot + 1) % FactPipe.ringSize
        p.writer = BlockWriter(block: take(p.slot, atLeast: need + 64))
    }

    /// Waits for block `slot` to be free; grows it when a record needs more room.
    private func take(_ slot: Int, atLeast bytes: Int = 0) -> UnsafeMutableRawBufferPointer {
        free.wait()
        if blocks[slot].count < bytes {
            blocks[slot].deallocate()
            blocks[slot] = .allocate(byteCount: bytes, alignment: 8)
        }
        return blocks[slot]
    }

    private func hand(_ slot: Int, _ count: Int, isLast: Bool) {
        used[slot] = count
        last[slot] = isLast
        full.signal()
    }

    // MARK: - Consuming

    /// Unpacks the blocks in order and folds each event into `state`, having unpacked the
    /// event after it in the block (when there is one) first, so that `state.prepare` can
    /// start loading what that one will need while this one is folded.
    private func consume(into state: inout ProjectionState) {
        var slot = 0
        // Two events' facts, this one's and the next's, by turns, and a scratch each: an event
        // read here unread may have its strings in its scratch. Each made on its own (copies
        // of one would share their data slots); local, so that folding one borrows it
        // without a copy (facts behind a pointer were copied for every event, in case the
        // fold wrote through it).
        var a = EventFacts(), b = EventFacts()
        let scratchA = ScanScratch(), scratchB = ScanScratch()
        while true {
            full.wait()
            started.add(1, ordering: .relaxed)
            var r = BlockReader(block: UnsafeRawBufferPointer(blocks[slot]))
            let count = used[slot]
            if count > 0 {
                var event = r.next(into: &a, scratch: scratchA)
                var k = 0
                while true {
                    k += 1
                    event = FactPipe.step(&state, &r, event, this: &a, next: &b, scratch: scratchB, hasNext: k < count)
                    if k == count { break }
                    k += 1
                    event = FactPipe.step(&state, &r, event, this: &b, next: &a, scratch: scratchA, hasNext: k < count)
                    if k == count { break }
                }
            }
            let isLast = last[slot]
            free.signal()
            if isLast { return }
            slot = (slot + 1) % FactPipe.ringSize
        }
    }

    /// Folds `event` (its facts in `this`), having first unpacked the one after it into `next`
    /// when there is one, which it returns.
    @inline(__always)
    private static func step(_ state: inout ProjectionState, _ r: inout BlockReader, _ event: BlockReader.Event, this: inout EventFacts,
                             next: inout EventFacts, scratch: ScanScratch, hasNext: Bool) -> BlockReader.Event {
        let following = hasNext ? r.next(into: &next, scratch: scratch) : event
        if hasNext && following.valid { state.prepare(&next, afterChild: this.child, episode: this.episode) }
        state.apply(offset: event.offset, facts: this, valid: event.valid, verdict: event.verdict)
        return following
    }
}

/// What a block holds for one event.
private enum BlockContent {
    /// Its facts (unpacked into the `EventFacts` passed in).
    case facts
    /// Not a valid envelope.
    case invalid
    /// Its bytes, for the folding thread to read.
    case unread(UnsafeRawBufferPointer)
}

/// Packs events into a block: offset, what follows (0: invalid, 1: facts, 2: bytes), verdict;
/// then facts as kind, time, each string as a 32-bit length (all ones: absent) and its bytes,
/// the child's and episode's hashes (0: none worked out), and the data members present; or
/// the event's bytes as a 32-bit length and the bytes.
private struct BlockWriter {
    let block: UnsafeMutableRawBufferPointer
    var at = 0
    var count = 0

    /// Room enough for `f` packed: its fixed fields, a header per string and `data` slot,
    /// and the bytes of its strings, which are disjoint parts of the JSON it was scanned from
    /// (decoding escapes only shortens them), so no more than that JSON. A bound, not a walk
    /// of the facts per event.
    static func bound(of f: borrowing EventFacts) -> Int {
        56 + 5 * 4 + DataField.allCases.count * 6 + f.scannedBytes
    }

    /// Room for an event handed over unread.
    static func bound(unread payload: UnsafeRawBufferPointer) -> Int { 16 + payload.count }

    mutating func put(_ offset: Offset, _ f: borrowing EventFacts, valid: Bool, _ v: ProjectionState.Verdict) -> Bool {
        let need = valid ? BlockWriter.bound(of: f) : 16
        guard at + need <= block.count else { return false }
        header(offset, content: valid ? 1 : 0, v)
        if valid {
            store(f.kind.rawValue)
            store(f.occurredAt)
            store(Int32(truncatingIfNeeded: f.schemaVersion))
            bytes(f.id); bytes(f.type); bytes(f.child); bytes(f.episode); bytes(f.supersedes)
            store(f.childHash); store(f.episodeHash)
            store(UInt8(f.present.nonzeroBitCount))
            f.forEachPresent { k, v in
                store(UInt8(k))
                store(v.kind.rawValue)
                bytes(v.bytes)
            }
        }
        count += 1
        return true
    }

    /// Packs an event's bytes, for the folding thread to read.
    mutating func putUnread(_ offset: Offset, _ payload: UnsafeRawBufferPointer, _ v: ProjectionState.Verdict) -> Bool {
        guard at + BlockWriter.bound(unread: payload) <= block.count else { return false }
        header(offset, content: 2, v)
        bytes(payload)
        count += 1
        return true
    }

    @inline(__always) private mutating func header(_ offset: Offset, content: UInt8, _ v: ProjectionState.Verdict) {
        store(offset.rawValue)
        store(content)
        store(v.status.rawValue)
        store(UInt8((v.supersedesKnown ? 1 : 0) | (v.retractsKnown ? 2 : 0)))
    }

    @inline(__always) private mutating func store<T: FixedWidthInteger>(_ value: T) {
        block.baseAddress!.advanced(by: at).storeBytes(of: value.littleEndian, as: T.self)
        at += MemoryLayout<T>.size
    }

    @inline(__always) private mutating func bytes(_ b: UnsafeRawBufferPointer?) {
        guard let b else { store(UInt32.max); return }
        store(UInt32(b.count))
        if b.count > 0 { block.baseAddress!.advanced(by: at).copyMemory(from: b.baseAddress!, byteCount: b.count) }
        at += b.count
    }
}

/// Unpacks what `BlockWriter` packed; the facts point into the block.
private struct BlockReader {
    let block: UnsafeRawBufferPointer
    var at = 0

    mutating func next(into f: inout EventFacts) -> (Offset, BlockContent, ProjectionState.Verdict) {
        let offset = Offset(load(UInt64.self))
        let content = load(UInt8.self)
        var v = ProjectionState.Verdict()
        v.status = EventStatus(rawValue: load(UInt8.self)) ?? .current
        let known = load(UInt8.self)
        v.supersedesKnown = known & 1 != 0
        v.retractsKnown = known & 2 != 0
        switch content {
        case 0: return (offset, .invalid, v)
        case 2: return (offset, .unread(bytes() ?? UnsafeRawBufferPointer(start: nil, count: 0)), v)
        default: break
        }
        f.reset()
        f.kind = EventKind(rawValue: load(UInt8.self)) ?? .other
        f.occurredAt = load(Int64.self)
        f.schemaVersion = Int(load(Int32.self))
        f.id = bytes() ?? UnsafeRawBufferPointer(start: nil, count: 0)
        f.type = bytes() ?? UnsafeRawBufferPointer(start: nil, count: 0)
        f.child = bytes()
        f.episode = bytes()
        f.supersedes = bytes()
        f.childHash = load(UInt64.self)
        f.episodeHash = load(UInt64.self)
        for _ in 0..<Int(load(UInt8.self)) {
            let k = Int(load(UInt8.self))
            let kind = FactValue.Kind(rawValue: load(UInt8.self)) ?? .absent
            f.set(k, FactValue(kind: kind, bytes: bytes() ?? UnsafeRawBufferPointer(start: nil, count: 0)))
        }
        return (offset, .facts, v)
    }

    /// An event as unpacked: where it is, whether its facts are valid, its verdict.
    typealias Event = (offset: Offset, valid: Bool, verdict: ProjectionState.Verdict)

    /// The next event with its facts in `f`: unpacked, or read from its bytes (into `scratch`)
    /// when it was handed over unread.
    mutating func next(into f: inout EventFacts, scratch: ScanScratch) -> Event {
        let (offset, content, verdict) = next(into: &f)
        switch content {
        case .facts: return (offset, true, verdict)
        case .invalid: return (offset, false, verdict)
        case let .unread(payload):
            scratch.reset()
            return (offset, EventFacts.read(payload, scratch: scratch, into: &f), verdict)
        }
    }

    @inline(__always) private mutating func load<T: FixedWidthInteger>(_: T.Type) -> T {
        defer { at += MemoryLayout<T>.size }
        return T(littleEndian: block.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    @inline(__always) private mutating func bytes() -> UnsafeRawBufferPointer? {
        let n = load(UInt32.self)
        if n == UInt32.max { return nil }
        defer { at += Int(n) }
        return UnsafeRawBufferPointer(rebasing: block[at..<(at + Int(n))])
    }
}
