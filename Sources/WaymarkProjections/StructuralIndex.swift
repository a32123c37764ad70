import CWaymarkSystem

/// The structural index of one JSON payload: the offsets of its quotes and of its brackets
/// outside strings, found 64 bytes at a time (`wm_json_structure`, after simdjson's first
/// stage). Walking these offsets, the fact reader goes from member to member without looking
/// at the bytes of strings: a string is the bytes between two offsets, and a nested object it
/// does not need is passed over in a few steps. A payload with an escape is not indexed
/// (`index` returns false): the byte-by-byte `ByteScanner` reads those.
final class StructuralIndex {
    // One reading thread per index: accesses are not checked at run time.
    @exclusivity(unchecked) private(set) var offsets: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var room: Int
    /// How many offsets the last `index` found.
    @exclusivity(unchecked) private(set) var count = 0

    init() {
        room = 4096
        offsets = .allocate(capacity: room)
    }
    deinit { offsets.deallocate() }

    /// Indexes `payload`; false when it has a backslash or is empty (or too long for 32-bit
    /// offsets), for the byte scanner to read instead.
    func index(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let base = payload.baseAddress, payload.count > 0, payload.count < Int(UInt32.max) - 128 else { return false }
        let need = (payload.count + 63) / 64 * 64 + 64
        if need > room {
            offsets.deallocate()
            room = max(need, room * 2)
            offsets = .allocate(capacity: room)
        }
        let n = wm_json_structure(base.assumingMemoryBound(to: UInt8.self), payload.count, offsets)
        guard n >= 0, n <= payload.count else { count = 0; return false }
        count = n
        return true
    }
}

/// A reader of one indexed payload's members, for the fact reader: the same answers as
/// `ByteScanner` where it gives one, reading offsets from the index instead of bytes. Where
/// the payload is not plain (a literal with a quote or bracket in it, say), it answers nil or
/// false and the caller reads the payload with the byte scanner, which decides.
struct StructuralCursor: JSONMemberReader {
    let b: UnsafeRawBufferPointer
    let at: UnsafePointer<UInt32>
    let count: Int
    /// The next offset to take.
    var t = 0
    /// The byte after the last thing taken.
    var pos = 0

    init(_ b: UnsafeRawBufferPointer, index: StructuralIndex) {
        self.b = b
        at = UnsafePointer(index.offsets)
        count = index.count
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// Whether only whitespace lies between `pos` and `end`.
    @inline(__always) func onlySpace(to end: Int) -> Bool {
        var k = pos
        while k < end {
            guard StructuralCursor.isSpace(b[k]) else { return false }
            k += 1
        }
        return true
    }

    /// The byte at the next offset (0: none left).
    @inline(__always) var next: UInt8 { t < count ? b[Int(at[t])] : 0 }

    /// Takes the next offset if it holds `c` with only whitespace before it. An offset behind
    /// `pos` (a literal ran over a quote or bracket, which only malformed JSON has) is refused.
    @inline(__always) mutating func take(_ c: UInt8) -> Bool {
        guard t < count else { return false }
        let p = Int(at[t])
        guard p >= pos, b[p] == c, onlySpace(to: p) else { return false }
        pos = p + 1
        t += 1
        return true
    }

    /// Takes a colon or comma (not indexed) if it is the next byte but whitespace.
    @inline(__always) mutating func byte(_ c: UInt8) -> Bool {
        guard peekValue() == c else { return false }
        pos += 1
        return true
    }

    @inline(__always) mutating func peekValue() -> UInt8 {
        while pos < b.count, StructuralCursor.isSpace(b[pos]) { pos += 1 }
        return pos < b.count ? b[pos] : 0
    }

    /// A string: the bytes between its opening quote and the next offset, its closing quote
    /// (no escapes: the payload has no backslash).
    @inline(__always) mutating func string() -> UnsafeRawBufferPointer? {
        guard take(UInt8(ascii: "\"")), t < count else { return nil }
        let close = Int(at[t])
        t += 1
        defer { pos = close + 1 }
        return UnsafeRawBufferPointer(rebasing: b[pos..<close])
    }

    mutating func literalValue() -> UnsafeRawBufferPointer? {
        _ = peekValue()
        let start = pos
        while pos < b.count {
            let c = b[pos]
            if c <= 0x20 || c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { break }
            pos += 1
        }
        // (A quote or bracket inside it leaves offsets behind `pos`, which `take` refuses.)
        return UnsafeRawBufferPointer(rebasing: b[start..<pos])
    }

    mutating func skipValue() -> UnsafeRawBufferPointer? {
        let c = peekValue()
        let start = pos
        switch c {
        case UInt8(ascii: "\""):
            guard string() != nil else { return nil }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard t < count, Int(at[t]) == pos else { return nil }
            var depth = 0
            while t < count {
                let p = Int(at[t])
                t += 1
                switch b[p] {
                case UInt8(ascii: "\""): t += 1 // its closing quote
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        pos = p + 1
                        return UnsafeRawBufferPointer(rebasing: b[start..<pos])
                    }
                default: break
                }
            }
            return nil
        default:
            return literalValue()
        }
        return UnsafeRawBufferPointer(rebasing: b[start..<pos])
    }

    mutating func enterObject() -> Bool { take(UInt8(ascii: "{")) }

    mutating func nextKey(first: Bool, ok: inout Bool) -> UnsafeRawBufferPointer? {
        // Compact JSON, as events are stored: the key's quotes are the next two offsets, the
        // opening one right after the comma (or the brace), and the colon right after the
        // closing one. Anything else goes the general way below, to the same answer.
        if t + 1 < count {
            let open = Int(at[t]), close = Int(at[t + 1])
            if open == (first ? pos : pos + 1), b[open] == UInt8(ascii: "\""), first || b[pos] == UInt8(ascii: ","),
               close + 1 < b.count, b[close + 1] == UInt8(ascii: ":") {
                t += 2
                pos = close + 2
                return UnsafeRawBufferPointer(rebasing: b[(open + 1)..<close])
            }
        }
        if first ? next == UInt8(ascii: "}") : !byte(UInt8(ascii: ",")) {
            ok = take(UInt8(ascii: "}"))
            return nil
        }
        guard let key = string(), byte(UInt8(ascii: ":")) else { ok = false; return nil }
        return key
    }
}
