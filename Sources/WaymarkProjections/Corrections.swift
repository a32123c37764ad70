import WaymarkLog
import WaymarkStore

/// The corrections in a range of the log, found before the range is folded: which events a
/// later one supersedes (`supersedes`) or retracts (`EventRetracted`). Knowing them first,
/// the projector never folds an event that is no longer in force, so nothing is undone.
/// As `supersedes` and `EventRetracted` always did: a correction names an event earlier in
/// the log; one that names an event not (yet) there is unplaced, and the event, if it comes
/// later, stands.
struct Corrections {
    struct Target {
        var id: [UInt8]
        /// The offsets of the events that supersede or retract it.
        var by: [(offset: UInt64, retracts: Bool)] = []
        /// Where it is in the log, once met before its correction.
        var at: UInt64?
    }
    private(set) var targets: [Target] = []
    private var byId: [[UInt8]: Int] = [:]
    /// One bit per `Corrections.sketch` of each target's id: most events are no target, and a
    /// clear bit says so without hashing the whole id or probing `byId`.
    private var sketches = [UInt64](repeating: 0, count: Corrections.sketchBits / 64)
    private static let sketchBits = 1 << 20
    /// The correcting events, in offset order: each one's offset and the targets it names.
    /// The fold asks for each event in offset order, so a cursor finds them without hashing.
    private var correctorOffsets: [UInt64] = []
    private var correctors: [(supersedes: Int?, retracts: Int?)] = []
    private var cursor = 0
    private let scratch = ScanScratch()
    private var facts = EventFacts()

    var isEmpty: Bool { targets.isEmpty }

    /// Notes the corrections the event at `offset` makes, if any.
    mutating func note(_ payload: UnsafeRawBufferPointer, at offset: UInt64) {
        guard Corrections.mayCorrect(payload) else { return }
        scratch.reset()
        guard EventFacts.read(payload, scratch: scratch, into: &facts) else { return }
        var entry: (supersedes: Int?, retracts: Int?) = (nil, nil)
        if let target = facts.supersedes { entry.supersedes = add(Array(target), by: offset, retracts: false) }
        if facts.kind == .eventRetracted, let target = facts[.target].string { entry.retracts = add(Array(target), by: offset, retracts: true) }
        if entry.supersedes != nil || entry.retracts != nil {
            // Noted in offset order as a rule; an out-of-order note is put in its place.
            var at = correctorOffsets.count
            while at > 0 && correctorOffsets[at - 1] > offset { at -= 1 }
            if at > 0 && correctorOffsets[at - 1] == offset { correctors[at - 1] = entry; return }
            correctorOffsets.insert(offset, at: at)
            correctors.insert(entry, at: at)
        }
    }

    private mutating func add(_ id: [UInt8], by offset: UInt64, retracts: Bool) -> Int {
        let k: Int
        if let existing = byId[id] { k = existing } else {
            k = targets.count
            targets.append(Target(id: id))
            byId[id] = k
            let bit = id.withUnsafeBytes { Corrections.sketch($0) }
            sketches[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        targets[k].by.append((offset, retracts))
        return k
    }

    /// Whether the bytes could name a correction at all (a cheap test before a scan).
    static func mayCorrect(_ payload: UnsafeRawBufferPointer) -> Bool { RecordMarker.corrections.picks(payload) }

    /// A bit for an id, from its length and last eight bytes (ids end in a digest or a
    /// sequence number, where they differ most); a cheap filter, not an identity.
    static func sketch(_ id: UnsafeRawBufferPointer) -> Int {
        var x = UInt64(id.count) &* 0x9E37_79B9_7F4A_7C15
        if id.count >= 8 {
            x ^= id.loadUnaligned(fromByteOffset: id.count - 8, as: UInt64.self)
        } else {
            for b in id { x = x << 8 | UInt64(b) }
        }
        x = (x ^ (x >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: x >> 44)
    }

    /// What became of target `k` met at `offset`: retracted or superseded by a later event.
    func status(of k: Int, at offset: UInt64) -> EventStatus {
        let later = targets[k].by.filter { $0.offset > offset }
        return later.contains { $0.retracts } ? .retracted : later.isEmpty ? .current : .superseded
    }

    /// Records that target `k` is at `offset` (met in an earlier run).
    mutating func found(_ k: Int, at offset: UInt64) { targets[k].at = offset }

    /// The targets the event at `offset` corrects, if it corrects any: found by moving the
    /// cursor forward (offsets come in order), or by a binary search when one comes back.
    private mutating func corrector(at offset: UInt64) -> (supersedes: Int?, retracts: Int?)? {
        if cursor > 0 && correctorOffsets[cursor - 1] >= offset {
            cursor = correctorOffsets.partitionPoint { $0 < offset }
        }
        while cursor < correctorOffsets.count && correctorOffsets[cursor] < offset { cursor += 1 }
        guard cursor < correctorOffsets.count, correctorOffsets[cursor] == offset else { return nil }
        cursor += 1
        return correctors[cursor - 1]
    }

    /// The verdict on the event with this key at `offset`, as the fold meets it.
    mutating func verdict(key: UnsafeRawBufferPointer, offset: UInt64) -> ProjectionState.Verdict {
        var v = ProjectionState.Verdict()
        let bit = Corrections.sketch(key)
        if sketches[bit >> 6] & (1 << UInt64(bit & 63)) != 0, let k = byId[Array(key)] {
            if targets[k].at == nil { targets[k].at = offset }
            v.status = status(of: k, at: offset)
        }
        if let c = corrector(at: offset) {
            if let k = c.supersedes { v.supersedesKnown = targets[k].at.map { $0 < offset } ?? false }
            if let k = c.retracts { v.retractsKnown = targets[k].at.map { $0 < offset } ?? false }
        }
        return v
    }
}
