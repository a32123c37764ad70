#if canImport(Glibc)
import Glibc
#endif
import CWaymarkSystem
import WaymarkEvents
import WaymarkLog
/// A symbol: the small integer a `Symbols` table gives one distinct byte string.
struct Symbol: Hashable, Comparable, Sendable {
    var raw: UInt32
    /// No symbol (an absent value).
    static let none = Symbol(raw: .max)
    var isNone: Bool { raw == .max }
    var index: Int { Int(raw) }
    static func < (a: Symbol, b: Symbol) -> Bool { a.raw < b.raw }
}

/// Interned byte strings: every reference and value the projector keeps (children's,
/// episodes' and placements' references, forces, LA codes, categories...) is stored once
/// and named by a `Symbol`, so state is arrays of integers, not dictionaries of strings.
struct Symbols {
    /// The bytes of every symbol, one after another.
    private(set) var arena: [UInt8] = []
    /// Where each symbol's bytes start in `arena` (one more entry than symbols).
    private(set) var starts: [UInt32] = [0]
    /// Open addressing: per slot, the high 32 bits of the symbol's hash, then its index + 1
    /// (all zeros: empty), so a probe rarely reads a symbol's bytes that are not the ones sought.
    private var slots: [UInt64] = Array(repeating: 0, count: 1 << 10)

    /// A direct-mapped cache in front of the table for values from small vocabularies
    /// (`internValue`): per slot, a symbol index + 1 (0: empty).
    private var vocabulary = [UInt32](repeating: 0, count: Symbols.vocabularySlots)
    private static let vocabularySlots = 512

    var count: Int { starts.count - 1 }

    /// The symbol for `bytes`, added when new. `hash`: their `KeyIndex.hash` when the caller
    /// has it (0: compute it).
    mutating func intern(_ bytes: UnsafeRawBufferPointer, hash: UInt64 = 0) -> Symbol {
        let h = hash != 0 ? hash : KeyIndex.hash(bytes)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: UInt32? = slots.withUnsafeBufferPointer { table in
            while true {
                let s = table[slot]
                if s == 0 { return nil }
                if s & 0xFFFF_FFFF_0000_0000 == tag {
                    let id = UInt32(truncatingIfNeeded: s) - 1
                    if equals(Int(id), bytes) { return id }
                }
                slot = (slot + 1) & mask
            }
        }
        if let found { return Symbol(raw: found) }
        let id = UInt32(count)
        arena.append(contentsOf: bytes)
        starts.append(UInt32(arena.count))
        slots[slot] = tag | UInt64(id + 1)
        if count * 2 > slots.count { grow() }
        return Symbol(raw: id)
    }

    /// The symbol for `bytes`, checked first against `recent` (the symbol this caller interned
    /// last, which it then becomes): events come in runs about one child and one episode, so
    /// most references are the previous event's, found without hashing or probing the table.
    @inline(__always) mutating func intern(_ bytes: UnsafeRawBufferPointer, recent: inout Symbol, hash: UInt64 = 0) -> Symbol {
        if !recent.isNone && equals(recent.index, bytes) { return recent }
        recent = intern(bytes, hash: hash)
        return recent
    }

    /// Asks the processor to start loading the table slot where a lookup of `hash` begins, so
    /// that the lookup, an event later, does not wait for memory.
    @inline(__always) func prefetch(hash: UInt64) {
        slots.withUnsafeBufferPointer { wm_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: hash) & ($0.count - 1))) }
    }

    /// Asks the processor to start loading where `s`'s bytes are recorded: the first of two
    /// steps for a reader that will want the text of symbols it reaches in no cache-friendly
    /// order (a table's rows), taken some rows ahead of `prefetchText`.
    @inline(__always) func prefetchStart(_ s: Symbol) {
        guard !s.isNone else { return }
        starts.withUnsafeBufferPointer { wm_prefetch($0.baseAddress! + s.index) }
    }

    /// Asks the processor to start loading `s`'s bytes (their place read from `starts`, which
    /// `prefetchStart` asked for some rows before).
    @inline(__always) func prefetchText(_ s: Symbol) {
        guard !s.isNone else { return }
        let start = Int(starts.withUnsafeBufferPointer { $0[s.index] })
        arena.withUnsafeBufferPointer { wm_prefetch($0.baseAddress! + start) }
    }

    /// The symbol for a value from a small vocabulary (a force, an LA code, a category, an
    /// outcome...), added when new. Checked first in a cache of 512 slots chosen by the
    /// length and end bytes, which stays in the processor's cache where the table (one slot
    /// per two symbols, most of them children's and episodes' references) does not; no full
    /// hash is computed when the value is there.
    @inline(__always) mutating func internValue(_ bytes: UnsafeRawBufferPointer) -> Symbol {
        let slot = Symbols.vocabularySlot(bytes)
        let cached = vocabulary[slot]
        if cached != 0 && equals(Int(cached - 1), bytes) { return Symbol(raw: cached - 1) }
        let s = intern(bytes)
        vocabulary[slot] = s.raw + 1
        return s
    }

    /// A slot of the vocabulary cache for `b`: from its length and its first and last bytes
    /// (a few loads and multiplies, where the table's hash reads every byte).
    @inline(__always) static func vocabularySlot(_ b: UnsafeRawBufferPointer) -> Int {
        let n = b.count
        var x = UInt64(truncatingIfNeeded: n)
        if n >= 8 {
            x ^= b.loadUnaligned(as: UInt64.self) &* 0x9E37_79B9_7F4A_7C15
            x ^= b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 {
            x ^= UInt64(b.loadUnaligned(as: UInt32.self)) << 32 | UInt64(b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        } else {
            for k in 0..<n { x = x << 8 | UInt64(b[k]) }
        }
        x = x &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 29
        x = x &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: x >> 55)
    }

    /// The symbol for `text` if the table has one (nothing is added).
    func find(_ text: String) -> Symbol? {
        var t = text
        return t.withUTF8 { u -> Symbol? in
            let bytes = UnsafeRawBufferPointer(u)
            let h = KeyIndex.hash(bytes)
            let tag = h & 0xFFFF_FFFF_0000_0000
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let s = slots[slot]
                if s == 0 { return nil }
                if s & 0xFFFF_FFFF_0000_0000 == tag {
                    let id = UInt32(truncatingIfNeeded: s) - 1
                    if equals(Int(id), bytes) { return Symbol(raw: id) }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    mutating func intern(_ text: String) -> Symbol {
        var t = text
        return t.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Whether symbol `id` is `bytes`: eight bytes at a time, no call for the short texts symbols are.
    @inline(__always) private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = Int(starts[id]), end = Int(starts[id + 1])
        let n = bytes.count
        guard end - start == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { sameBytes($0.baseAddress! + start, bytes.baseAddress!, n) }
    }

    private mutating func grow() { rehash(slots: slots.count * 2) }

    /// Files every symbol again in a table of `slots` slots (a power of two).
    private mutating func rehash(slots size: Int) {
        slots = Array(repeating: 0, count: size)
        let mask = size - 1
        arena.withUnsafeBytes { a in
            for id in 0..<count {
                let b = UnsafeRawBufferPointer(rebasing: a[Int(starts[id])..<Int(starts[id + 1])])
                let h = KeyIndex.hash(b)
                var slot = Int(truncatingIfNeeded: h) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = h & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
            }
        }
    }

    /// Calls `body` with the symbol's bytes (none for none).
    func withBytes<R>(_ s: Symbol, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if s.isNone { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[Int(starts[s.index])..<Int(starts[s.index + 1])])) }
    }

    /// The symbol's text, or nil for none.
    func optional(_ s: Symbol) -> String? { s.isNone ? nil : text(s) }

    /// The symbol's text ("" for none), made afresh each time (a table of them would cost 16
    /// bytes per symbol, and a copy of it in each reader that filled it).
    func text(_ s: Symbol) -> String {
        withBytes(s) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the symbol's bytes start with `prefix`.
    func hasPrefix(_ s: Symbol, _ prefix: StaticString) -> Bool {
        withBytes(s) { b in
            b.count >= prefix.utf8CodeUnitCount && memcmp(b.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
        }
    }

    /// Byte order of two symbols' texts.
    func less(_ a: Symbol, _ b: Symbol) -> Bool {
        withBytes(a) { x in withBytes(b) { y in x.lexicographicallyPrecedes(y) } }
    }

    /// Rebuilds a table from its arena and starts (as persisted).
    init(arena: [UInt8], starts: [UInt32]) {
        self.arena = arena
        self.starts = starts
        var size = 1 << 10
        while size < count * 2 + 2 { size *= 2 }
        rehash(slots: size)
    }

    init() {}
}
