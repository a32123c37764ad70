import CWaymarkSystem
import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// The members of an event's `data` the read models use. Each has a slot in `EventFacts`.
enum DataField: Int, CaseIterable {
    case sameAs, placement, reportedAt, category, riskFactors, missingFrom, riskLevel, force
    case homeUrn, name, la, regulated, philomenaAgreement
    case placingLA, hostLA, placementType, startDate, endDate, notifiedAt
    case foundAt, foundBy, foundForce, assessedAt, heldAt, disclosures, outcome
    case toForce, fromForce, requestedAt, by, acceptedAt, target

    /// The member's name as written in events (each case is named after it).
    var key: String { String(describing: self) }

    /// Finds the field a key names (nil: one the read models do not use): by length, then
    /// by bytes, in compiled code. (A hashed table was as quick to probe, but each call paid
    /// twice for the lazy initialisation check of its globals, 6 million calls a rebuild.)
    static func named(_ k: UnsafeRawBufferPointer) -> DataField? {
        switch k.count {
        case 2: return k.is("la") ? .la : k.is("by") ? .by : nil
        case 4: return k.is("name") ? .name : nil
        case 5: return k.is("force") ? .force : nil
        case 6: return k.is("sameAs") ? .sameAs : k.is("hostLA") ? .hostLA : k.is("heldAt") ? .heldAt : k.is("target") ? .target : nil
        case 7:
            return k.is("homeUrn") ? .homeUrn : k.is("endDate") ? .endDate : k.is("foundAt") ? .foundAt
                : k.is("foundBy") ? .foundBy : k.is("outcome") ? .outcome : k.is("toForce") ? .toForce : nil
        case 8: return k.is("category") ? .category : nil
        case 9:
            return k.is("placement") ? .placement : k.is("riskLevel") ? .riskLevel : k.is("regulated") ? .regulated
                : k.is("placingLA") ? .placingLA : k.is("startDate") ? .startDate : k.is("fromForce") ? .fromForce : nil
        case 10:
            return k.is("reportedAt") ? .reportedAt : k.is("notifiedAt") ? .notifiedAt : k.is("foundForce") ? .foundForce
                : k.is("assessedAt") ? .assessedAt : k.is("acceptedAt") ? .acceptedAt : nil
        case 11:
            return k.is("riskFactors") ? .riskFactors : k.is("missingFrom") ? .missingFrom : k.is("disclosures") ? .disclosures
                : k.is("requestedAt") ? .requestedAt : nil
        case 13: return k.is("placementType") ? .placementType : nil
        case 18: return k.is("philomenaAgreement") ? .philomenaAgreement : nil
        default: return nil
        }
    }
}

/// The event types the read models treat specially.
enum EventKind: UInt8 {
    case missingReported, childFound, riskAssessed, foundDebriefRecorded, returnInterviewRecorded
    case caseTransferRequested, caseTransferAccepted, identityLinked, careHomeRegistered
    case placementStarted, placementEnded, hostNotified, eventRetracted, other

    init(_ name: UnsafeRawBufferPointer) {
        switch name.count {
        case 10: self = name.is("ChildFound") ? .childFound : .other
        case 12: self = name.is("RiskAssessed") ? .riskAssessed : name.is("HostNotified") ? .hostNotified : .other
        case 14: self = name.is("IdentityLinked") ? .identityLinked : name.is("PlacementEnded") ? .placementEnded
                     : name.is("EventRetracted") ? .eventRetracted : .other
        case 15: self = name.is("MissingReported") ? .missingReported : .other
        case 16: self = name.is("PlacementStarted") ? .placementStarted : .other
        case 18: self = name.is("CareHomeRegistered") ? .careHomeRegistered : .other
        case 20: self = name.is("FoundDebriefRecorded") ? .foundDebriefRecorded : name.is("CaseTransferAccepted") ? .caseTransferAccepted : .other
        case 21: self = name.is("CaseTransferRequested") ? .caseTransferRequested : .other
        case 23: self = name.is("ReturnInterviewRecorded") ? .returnInterviewRecorded : .other
        default: self = .other
        }
    }
}

/// One value of `data` as scanned: where its bytes are, and what kind of JSON value it was.
struct FactValue {
    enum Kind: UInt8 { case absent, string, bool, number, list, null, object }
    var kind: Kind = .absent
    /// A string's decoded bytes, a list's raw bytes (`[...]`), or a literal's text.
    var bytes = UnsafeRawBufferPointer(start: nil, count: 0)

    var string: UnsafeRawBufferPointer? { kind == .string ? bytes : nil }
    var bool: Bool? { kind == .bool ? bytes.count == 4 : nil }
}

/// The facts the projector reads from one event, straight from its bytes without building a
/// JSON tree: identity, type, subjects, time, and the `data` members in `DataField`. Strings
/// point into the payload, or into a scratch buffer when they had escapes to decode. Events
/// in the log were validated when appended; an older schema version goes through the
/// registered upcasters first (`EventFacts.read`).
struct EventFacts {
    var id = UnsafeRawBufferPointer(start: nil, count: 0)
    var type = UnsafeRawBufferPointer(start: nil, count: 0)
    var kind = EventKind.other
    var child: UnsafeRawBufferPointer?
    var episode: UnsafeRawBufferPointer?
    var supersedes: UnsafeRawBufferPointer?
    var occurredAt: Int64 = 0
    var schemaVersion = 1
    /// How many bytes of JSON the facts were scanned from (their strings are parts of it).
    var scannedBytes = 0
    /// The symbol table's hashes of `child` and `episode` when found ahead of folding
    /// (`ProjectionState.prepare`); 0: not found.
    var childHash: UInt64 = 0
    var episodeHash: UInt64 = 0
    /// The `data` slots, one per `DataField`; only those `present` names hold a value.
    private let slots = FactSlots()
    /// Which `data` slots are set (bit k: slot k), so that emptying, sizing and copying the
    /// facts touch only those, not all of them, for every event.
    private(set) var present: UInt64 = 0

    /// Sets `data` slot `k`.
    mutating func set(_ k: Int, _ v: FactValue) {
        slots.values[k] = v
        present |= 1 << UInt64(k)
    }

    /// Calls `body` with each set `data` slot and its value, in slot order.
    func forEachPresent(_ body: (Int, FactValue) -> Void) {
        var m = present
        while m != 0 {
            let k = m.trailingZeroBitCount
            body(k, slots.values[k])
            m &= m - 1
        }
    }

    subscript(_ f: DataField) -> FactValue { present & (1 << UInt64(f.rawValue)) != 0 ? slots.values[f.rawValue] : FactValue() }

    /// A time member parsed as RFC 3339 (nil: absent, not a string, or not a date-time).
    func time(_ f: DataField) -> Int64? { self[f].string.flatMap { RFC3339.parse($0)?.millisecondsSinceEpoch } }

    /// Calls `body` with each string of a list member.
    func forEachString(in f: DataField, scratch: ScanScratch, _ body: (UnsafeRawBufferPointer) -> Void) {
        let v = self[f]
        guard v.kind == .list else { return }
        var s = ByteScanner(v.bytes, scratch: scratch)
        s.i = 1
        s.ws()
        if s.peek == UInt8(ascii: "]") { return }
        while let item = s.string() {
            body(item)
            s.ws()
            if s.peek != UInt8(ascii: ",") { return }
            s.i += 1
        }
    }
}

/// The storage of an `EventFacts`' `data` slots, written in place: one block per facts value,
/// which each thread of the fold reuses for every event (a Swift array checked its uniqueness
/// on every write, on both threads). Copies of an `EventFacts` share it; none is kept.
final class FactSlots {
    let values: UnsafeMutablePointer<FactValue>
    init() {
        values = .allocate(capacity: DataField.allCases.count)
        values.initialize(repeating: FactValue(), count: DataField.allCases.count)
    }
    deinit { values.deallocate() }
}

/// A reading thread's scratch for the fact reader: room to decode escaped strings into,
/// valid until `reset`, and the structural index of the payload being read.
final class ScanScratch {
    let structure = StructuralIndex()
    // One thread uses a scratch at a time, so accesses are not checked at run time (they were
    // about a hundred instructions per event).
    @exclusivity(unchecked) private var blocks: [UnsafeMutableRawBufferPointer] = []
    @exclusivity(unchecked) private var used = 0
    deinit { for b in blocks { b.deallocate() } }
    func reset() {
        used = 0
        guard blocks.count > 1 else { return }
        for b in blocks.dropFirst() { b.deallocate() }
        blocks.removeSubrange(1...)
    }
    /// A buffer of `count` bytes.
    func take(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if blocks.isEmpty || used + count > blocks[blocks.count - 1].count {
            blocks.append(.allocate(byteCount: max(count, 64 << 10), alignment: 8))
            used = 0
        }
        let b = UnsafeMutableRawBufferPointer(rebasing: blocks[blocks.count - 1][used..<(used + count)])
        used += count
        return b
    }
}

/// A cursor over JSON bytes for the fact reader.
struct ByteScanner {
    let b: UnsafeRawBufferPointer
    let scratch: ScanScratch
    var i = 0
    init(_ b: UnsafeRawBufferPointer, scratch: ScanScratch) { self.b = b; self.scratch = scratch }

    var peek: UInt8 { i < b.count ? b[i] : 0 }
    @inline(__always) mutating func ws() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 } }
    @inline(__always) mutating func expect(_ c: UInt8) -> Bool { ws(); guard i < b.count, b[i] == c else { return false }; i += 1; return true }

    /// A string's bytes, escapes decoded (nil: not a string, or malformed).
    @inline(__always) mutating func string() -> UnsafeRawBufferPointer? {
        ws()
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        // To the first quote or backslash, sixteen bytes at a time.
        if let base = b.baseAddress {
            i += wm_find_quote_or_backslash(base.assumingMemoryBound(to: UInt8.self) + i, b.count - i)
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return UnsafeRawBufferPointer(rebasing: b[start..<(i - 1)]) }
            if c == UInt8(ascii: "\\") { return escaped(from: start) }
            i += 1
        }
        return nil
    }

    /// The rest of a string that has escapes, decoded into scratch.
    private mutating func escaped(from start: Int) -> UnsafeRawBufferPointer? {
        var end = i
        while end < b.count, b[end] != UInt8(ascii: "\"") { end += b[end] == UInt8(ascii: "\\") ? 2 : 1 }
        guard end < b.count else { return nil }
        let out = scratch.take(end - start + 4)
        var n = 0
        var k = start
        func put(_ c: UInt8) { out[n] = c; n += 1 }
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                guard let d = b[j].hexDigitValue else { return nil }
                v = v << 4 | d
            }
            return v
        }
        while k < end {
            let c = b[k]
            guard c == UInt8(ascii: "\\") else { put(c); k += 1; continue }
            guard k + 1 < end else { return nil }
            switch b[k + 1] {
            case UInt8(ascii: "\""): put(0x22)
            case UInt8(ascii: "\\"): put(0x5C)
            case UInt8(ascii: "/"): put(0x2F)
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex(k + 2) else { return nil }
                k += 6
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard k + 1 < end, b[k] == UInt8(ascii: "\\"), b[k + 1] == UInt8(ascii: "u"), let low = hex(k + 2), low >= 0xDC00, low < 0xE000 else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                }
                guard let u = Unicode.Scalar(scalar) else { return nil }
                for byte in UTF8.encode(u)! { put(byte) }
                continue
            default: return nil
            }
            k += 2
        }
        i = end + 1
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[0..<n])
    }

    /// Skips any value; false if it is malformed.
    mutating func skip() -> Bool {
        ws()
        guard i < b.count else { return false }
        switch b[i] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") { if string() == nil { return false }; continue }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1; if depth == 0 { i += 1; return true } }
                i += 1
            }
            return false
        default:
            _ = literal()
            return true
        }
    }

    /// A scalar literal's text (number, true, false, null).
    mutating func literal() -> UnsafeRawBufferPointer {
        ws()
        let start = i
        while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"), b[i] > 0x20 { i += 1 }
        return UnsafeRawBufferPointer(rebasing: b[start..<i])
    }

    /// Enters an object: true at its `{`.
    mutating func enterObject() -> Bool { expect(UInt8(ascii: "{")) }

    /// The object's next member's key, positioned at its value (`first`: the first one). Nil
    /// at the object's end (`ok` true) or where the JSON is malformed (`ok` false).
    mutating func nextKey(first: Bool, ok: inout Bool) -> UnsafeRawBufferPointer? {
        ws()
        if peek == UInt8(ascii: "}") { i += 1; ok = true; return nil }
        if !first {
            guard peek == UInt8(ascii: ",") else { ok = false; return nil }
            i += 1
        }
        guard let key = string(), expect(UInt8(ascii: ":")) else { ok = false; return nil }
        return key
    }
}

/// What the fact reader needs of a reader of JSON members: `ByteScanner` reads bytes,
/// `StructuralCursor` reads a payload's structural index; `EventFacts.scan` is written once
/// for both.
protocol JSONMemberReader {
    /// The first byte of the next value, whitespace passed over (0 at the end).
    mutating func peekValue() -> UInt8
    /// A string's bytes, escapes decoded (nil: not a string, or malformed).
    mutating func string() -> UnsafeRawBufferPointer?
    /// A scalar literal's text (number, true, false, null).
    mutating func literalValue() -> UnsafeRawBufferPointer?
    /// Passes over the next value, returning its bytes as written (nil: malformed).
    mutating func skipValue() -> UnsafeRawBufferPointer?
    /// Enters an object: true at its `{`.
    mutating func enterObject() -> Bool
    /// The object's next member's key, positioned at its value (`first`: the first one). Nil
    /// at the object's end (`ok` true) or where the JSON is malformed (`ok` false).
    mutating func nextKey(first: Bool, ok: inout Bool) -> UnsafeRawBufferPointer?
}

extension JSONMemberReader {
    /// A string or null into `slot`.
    @inline(__always) mutating func optionalString(_ slot: inout UnsafeRawBufferPointer?) -> Bool {
        if peekValue() == UInt8(ascii: "n") { slot = nil; return literalValue() != nil }
        guard let v = string() else { return false }
        slot = v
        return true
    }
}

extension ByteScanner: JSONMemberReader {
    @inline(__always) mutating func peekValue() -> UInt8 { ws(); return peek }
    @inline(__always) mutating func literalValue() -> UnsafeRawBufferPointer? { literal() }
    mutating func skipValue() -> UnsafeRawBufferPointer? {
        ws()
        let start = i
        guard skip() else { return nil }
        return UnsafeRawBufferPointer(rebasing: b[start..<i])
    }
}

extension EventFacts {
    /// Scans an envelope's bytes into `f` (false: not the shape `append` lets in): through
    /// the payload's structural index when it has one and reads plainly, else byte by byte.
    static func scan(_ payload: UnsafeRawBufferPointer, scratch: ScanScratch, into f: inout EventFacts) -> Bool {
        scanIndexed(payload, scratch: scratch, into: &f) || scanBytes(payload, scratch: scratch, into: &f)
    }

    /// Scans through the payload's structural index: true when the facts are read; false
    /// when the payload has escapes, is not plain JSON or not a valid envelope, for
    /// `scanBytes` to decide.
    static func scanIndexed(_ payload: UnsafeRawBufferPointer, scratch: ScanScratch, into f: inout EventFacts) -> Bool {
        guard scratch.structure.index(payload) else { return false }
        var cursor = StructuralCursor(payload, index: scratch.structure)
        return scan(&cursor, payload.count, into: &f)
    }

    /// Scans byte by byte, without the structural index (escapes, and what the index finds
    /// not plain; and the reference the indexed reading is tested against).
    static func scanBytes(_ payload: UnsafeRawBufferPointer, scratch: ScanScratch, into f: inout EventFacts) -> Bool {
        var s = ByteScanner(payload, scratch: scratch)
        return scan(&s, payload.count, into: &f)
    }

    /// Reads the envelope's members from `s` into `f`.
    @inline(__always)
    static func scan<R: JSONMemberReader>(_ s: inout R, _ bytes: Int, into f: inout EventFacts) -> Bool {
        f.reset()
        f.scannedBytes = bytes
        var sawOccurred = false
        guard s.enterObject() else { return false }
        var ok = false, first = true
        while let key = s.nextKey(first: first, ok: &ok) {
            first = false
            switch key.count {
            case 2 where key.is("id"):
                guard let v = s.string() else { return false }
                f.id = v
            case 4 where key.is("type"):
                guard let v = s.string() else { return false }
                f.type = v
                f.kind = EventKind(v)
            case 5 where key.is("child"): guard s.optionalString(&f.child) else { return false }
            case 7 where key.is("episode"): guard s.optionalString(&f.episode) else { return false }
            case 10 where key.is("supersedes"): guard s.optionalString(&f.supersedes) else { return false }
            case 10 where key.is("occurredAt"):
                guard let v = s.string(), let t = RFC3339.parse(v) else { return false }
                f.occurredAt = t.millisecondsSinceEpoch
                sawOccurred = true
            case 13 where key.is("schemaVersion"):
                // Digits read in place (a String per event to parse them was measurable).
                guard let text = s.literalValue(), !text.isEmpty, text.count <= 9, text.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
                f.schemaVersion = text.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            case 4 where key.is("data"):
                guard scanData(&s, into: &f) else { return false }
            default:
                guard s.skipValue() != nil else { return false }
            }
        }
        return ok && f.id.count > 0 && f.type.count > 0 && sawOccurred
    }

    /// Reads the `data` members the read models use from `s` into `f`'s slots.
    @inline(__always)
    static func scanData<R: JSONMemberReader>(_ s: inout R, into f: inout EventFacts) -> Bool {
        guard s.enterObject() else { return false }
        var ok = false, first = true
        while let field = s.nextKey(first: first, ok: &ok) {
            first = false
            guard let which = DataField.named(field) else {
                guard s.skipValue() != nil else { return false }
                continue
            }
            switch s.peekValue() {
            case UInt8(ascii: "\""):
                guard let v = s.string() else { return false }
                f.set(which.rawValue, FactValue(kind: .string, bytes: v))
            case UInt8(ascii: "["):
                guard let list = s.skipValue() else { return false }
                f.set(which.rawValue, FactValue(kind: .list, bytes: list))
            case UInt8(ascii: "{"):
                f.set(which.rawValue, FactValue(kind: .object))
                guard s.skipValue() != nil else { return false }
            default:
                guard let text = s.literalValue() else { return false }
                let kind: FactValue.Kind = text.is("true") || text.is("false") ? .bool
                    : text.is("null") ? .null : .number
                f.set(which.rawValue, FactValue(kind: kind, bytes: text))
            }
        }
        return ok
    }

    /// Empties every slot, for the next event.
    mutating func reset() {
        id = UnsafeRawBufferPointer(start: nil, count: 0)
        type = id
        kind = .other
        child = nil; episode = nil; supersedes = nil
        childHash = 0; episodeHash = 0
        occurredAt = 0
        schemaVersion = 1
        present = 0
    }

    /// Reads a stored event's facts into `f`: scanned from its bytes, or, for an older schema
    /// version, from the envelope the registered upcasters rewrite it to (copied into scratch).
    /// False for bytes that are not a valid envelope, which `append` never lets in.
    static func read(_ payload: UnsafeRawBufferPointer, scratch: ScanScratch, into f: inout EventFacts) -> Bool {
        if scan(payload, scratch: scratch, into: &f),
           f.schemaVersion == 1 || Upcasters.registered[String(decoding: f.type, as: UTF8.self)]?[f.schemaVersion] == nil {
            return true
        }
        guard let value = try? JSONParser.parse(payload), case let .success(envelope) = Envelope.validate(value) else { return false }
        let rewritten = Array(Upcasters.upcast(envelope).json.serialized.utf8)
        let copy = scratch.take(rewritten.count)
        rewritten.withUnsafeBytes { copy.copyMemory(from: $0) }
        return scan(UnsafeRawBufferPointer(copy), scratch: scratch, into: &f)
    }
}
