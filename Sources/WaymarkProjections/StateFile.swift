import WaymarkEvents
import WaymarkLog

/// The projector state on disk (`.projector-state`): binary, little-endian, one section per
/// kind of record, so loading costs about as much as reading the file. `WMPSTAT3`, then the
/// sections in a fixed order; a CRC-32C of everything before it ends the file. Episodes and
/// timeline entries, most of the file, are packed: symbols and counts as LEB128 varints, an
/// episode's times as zigzag varints from its start, an entry's time and offset from the
/// previous entry's, an episode's booleans and which of its times are present in one byte.
enum StateFile {
    static let magic = Array("WMPSTAT3".utf8)

    /// Writes the state into `file`, in chunks, ending with the checksum.
    static func encode(_ s: ProjectionState, into file: ModelFile) throws {
        var w = StateWriter(file: file)
        w.bytes.append(magic)
        w.u64(s.lastOffset.map { $0.rawValue &+ 1 } ?? 0)
        w.int(s.eventCount)
        w.optional(s.latest)
        w.int(s.symbols.count)
        w.int(s.symbols.arena.count)
        w.bytes.append(s.symbols.arena)
        for v in s.symbols.starts { w.u32(v) }
        // Union-find, fully resolved so the bytes do not depend on when paths were compressed.
        w.int(s.parent.count)
        for k in s.parent.indices { w.u32(s.parent[k] == .max ? .max : s.root(Symbol(raw: UInt32(k))).raw) }
        for v in s.childEvents { w.u32(UInt32(bitPattern: v)) }
        w.int(s.episodes.count)
        // Each episode and its lists read in place (a copy of either retains and releases its arrays).
        try s.episodes.withUnsafeBufferPointer { episodes in
            try s.extras.withUnsafeBufferPointer { extras in
                for k in episodes.indices {
                    try w.flushIfFull()
                    let e = episodes[k]
                    func bit(_ on: Bool, _ k: UInt8) -> UInt8 { on ? 1 << k : 0 }
                    w.bytes.append(bit(e.hasReport, 0) | bit(e.missingFromCare, 1) | bit(e.hasFound, 2) | bit(e.hasInterview, 3) | bit(e.riskAt != nil, 4)
                                   | bit(e.debriefAt != nil, 5) | bit(e.interviewHeldAt != nil, 6))
                    w.vsym(e.ref); w.vsym(e.owner); w.vsym(e.reportChild); w.vsym(e.category); w.vsym(e.placement); w.vsym(e.reportRisk)
                    w.vsym(e.force); w.vsym(e.foundBy); w.vsym(e.foundForce); w.vsym(e.riskLevel); w.vsym(e.interviewOutcome)
                    w.zigzag(e.start)
                    // foundAt is only ever set with hasFound.
                    if e.hasFound { w.zigzag(e.foundAt &- e.start) }
                    if let t = e.riskAt { w.zigzag(t &- e.start) }
                    if let t = e.debriefAt { w.zigzag(t &- e.start) }
                    if let t = e.interviewHeldAt { w.zigzag(t &- e.start) }
                    w.vsyms(e.reportFactors); w.vsyms(e.factors)
                    guard e.extras >= 0 else {
                        // No lists: no children, no transfers, no pending or stray events.
                        w.varint(0); w.varint(0); w.int(0); w.int(0)
                        continue
                    }
                    let x = extras.baseAddress! + Int(e.extras)
                    w.vsyms(x.pointee.children)
                    w.varint(UInt64(x.pointee.transfers.count))
                    for t in x.pointee.transfers {
                        w.vsym(t.to); w.vsym(t.from); w.zigzag(t.requestedAt &- e.start)
                        if let at = t.acceptedAt { w.varint(1); w.zigzag(at &- e.start) } else { w.varint(0) }
                    }
                    w.unplaced(x.pointee.pending); w.unplaced(x.pointee.strayAcceptances)
                }
            }
        }
        w.int(s.placements.count)
        for p in s.placements {
            w.sym(p.ref); w.sym(p.child); w.sym(p.placingLA); w.sym(p.hostLA); w.sym(p.type); w.sym(p.homeUrn)
            w.i64(p.start); w.optional(p.end); w.optional(p.notifiedAt)
        }
        w.int(s.homes.count)
        for h in s.homes { w.sym(h.urn); w.sym(h.name); w.sym(h.la); w.bool(h.regulated); w.sym(h.philomena) }
        w.int(s.entries.count)
        var time: Int64 = 0, offset: UInt64 = 0
        for (n, e) in s.entries.enumerated() {
            if n & 4095 == 0 { try w.flushIfFull() }
            w.vsym(e.child); w.zigzag(e.occurredAt &- time); w.zigzag(Int64(bitPattern: e.offset &- offset))
            time = e.occurredAt
            offset = e.offset
        }
        w.int(s.statuses.count)
        for o in s.statuses.keys.sorted() { w.u64(o); w.bytes.append(s.statuses[o]!.rawValue) }
        w.unplaced(s.unplaced)
        try file.write(&w.bytes, force: true)
        w.u32(file.checksum)
        try file.write(&w.bytes, force: true)
    }

    static func decode(_ bytes: [UInt8]) throws -> ProjectionState {
        guard bytes.count >= magic.count + 4, Array(bytes[0..<magic.count]) == magic else {
            throw SchemaError("the projector state is not in this version's format: run again with --rebuild")
        }
        guard readLE(UInt32.self, bytes, bytes.count - 4) == CRC32C.checksum(Array(bytes[0..<(bytes.count - 4)])) else {
            throw SchemaError("the projector state fails its checksum: run again with --rebuild")
        }
        var r = StateReader(bytes: bytes, at: magic.count)
        var s = ProjectionState()
        let last = try r.u64()
        s.lastOffset = last == 0 ? nil : Offset(last - 1)
        s.eventCount = try r.int()
        s.latest = try r.optional()
        let symbolCount = try r.int()
        let arena = try r.raw(try r.int())
        var starts: [UInt32] = []
        starts.reserveCapacity(symbolCount + 1)
        for _ in 0...symbolCount { starts.append(try r.u32()) }
        s.symbols = Symbols(arena: arena, starts: starts)
        let nodes = try r.int()
        s.parent = try (0..<nodes).map { _ in try r.u32() }
        s.childEvents = try (0..<nodes).map { _ in Int32(bitPattern: try r.u32()) }
        for _ in 0..<(try r.int()) {
            let flags = try r.byte()
            func flag(_ bit: Int) -> Bool { flags & (1 << bit) != 0 }
            let ref = try r.vsym()
            var e = EpisodeState(ref: ref, isLA: s.symbols.hasPrefix(ref, "la:"))
            e.owner = try r.vsym(); e.reportChild = try r.vsym(); e.category = try r.vsym(); e.placement = try r.vsym()
            e.reportRisk = try r.vsym(); e.force = try r.vsym(); e.foundBy = try r.vsym(); e.foundForce = try r.vsym()
            e.riskLevel = try r.vsym(); e.interviewOutcome = try r.vsym()
            e.hasReport = flag(0); e.missingFromCare = flag(1); e.hasFound = flag(2); e.hasInterview = flag(3)
            e.start = try r.zigzag()
            if e.hasFound { e.foundAt = try r.zigzag() &+ e.start }
            if flag(4) { e.riskAt = try r.zigzag() &+ e.start }
            if flag(5) { e.debriefAt = try r.zigzag() &+ e.start }
            if flag(6) { e.interviewHeldAt = try r.zigzag() &+ e.start }
            var x = EpisodeExtras()
            e.setReportFactors(try r.vsyms()); e.riskFactors.append(contentsOf: try r.vsyms()); x.children = try r.vsyms()
            for _ in 0..<(try r.count()) {
                let to = try r.vsym(), from = try r.vsym(), requestedAt = try r.zigzag() &+ e.start
                let accepted = try r.varint() == 1 ? try r.zigzag() &+ e.start : nil
                x.transfers.append(TransferState(to: to, from: from, requestedAt: requestedAt, acceptedAt: accepted))
            }
            x.pending = try r.unplaced(); x.strayAcceptances = try r.unplaced()
            if !x.isEmpty {
                e.extras = Int32(s.extras.count)
                s.extras.append(x)
            }
            s.episodes.append(e)
        }
        for _ in 0..<(try r.int()) {
            var p = PlacementState(ref: try r.sym(), child: try r.sym(), start: 0)
            p.placingLA = try r.sym(); p.hostLA = try r.sym(); p.type = try r.sym(); p.homeUrn = try r.sym()
            p.start = try r.i64(); p.end = try r.optional(); p.notifiedAt = try r.optional()
            s.placements.append(p)
        }
        for _ in 0..<(try r.int()) {
            var h = HomeState(urn: try r.sym())
            h.name = try r.sym(); h.la = try r.sym(); h.regulated = try r.bool(); h.philomena = try r.sym()
            s.homes.append(h)
        }
        let entryCount = try r.int()
        s.entries.reserveCapacity(entryCount)
        var time: Int64 = 0, offset: UInt64 = 0
        for _ in 0..<entryCount {
            let child = try r.vsym()
            time = time &+ (try r.zigzag())
            offset = offset &+ UInt64(bitPattern: try r.zigzag())
            guard offset < TimelineEntry.offsetLimit, TimelineEntry.timeRange.contains(time) else { throw r.damaged() }
            s.entries.append(TimelineEntry(child: child, occurredAt: time, offset: offset))
        }
        for _ in 0..<(try r.int()) {
            let o = try r.u64()
            guard let status = EventStatus(rawValue: try r.byte()) else { throw r.damaged() }
            s.statuses[o] = status
        }
        s.unplaced = try r.unplaced()
        // The per-symbol lookup tables are derived.
        s.episodeOf = Array(repeating: -1, count: s.symbols.count)
        s.placementOf = s.episodeOf
        s.homeOf = s.episodeOf
        for (i, e) in s.episodes.enumerated() { s.episodeOf[e.ref.index] = Int32(i) }
        for (i, p) in s.placements.enumerated() { s.placementOf[p.ref.index] = Int32(i) }
        for (i, h) in s.homes.enumerated() { s.homeOf[h.urn.index] = Int32(i) }
        return s
    }
}

/// Appends the state file's values.
struct StateWriter: ~Copyable {
    let file: ModelFile
    var bytes = ByteBuffer(capacity: ModelFile.chunk + (64 << 10))
    mutating func flushIfFull() throws { try file.write(&bytes) }
    mutating func u64(_ v: UInt64) { bytes.appendLE(v) }
    mutating func u32(_ v: UInt32) { bytes.appendLE(v) }
    mutating func i64(_ v: Int64) { bytes.appendLE(v) }
    mutating func int(_ v: Int) { bytes.appendLE(UInt64(v)) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func sym(_ s: Symbol) { u32(s.raw) }
    mutating func optional(_ v: Int64?) { bool(v != nil); i64(v ?? 0) }
    /// LEB128: seven bits a byte, low first, the high bit set on every byte but the last.
    @inline(__always) mutating func varint(_ v: UInt64) {
        bytes.write(upTo: 10) { out in
            var v = v, n = 0
            while v >= 0x80 { out[n] = UInt8(truncatingIfNeeded: v) | 0x80; v >>= 7; n += 1 }
            out[n] = UInt8(v)
            return n + 1
        }
    }
    /// A signed value as a varint, small magnitudes of either sign in few bytes.
    @inline(__always) mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
    /// A symbol as a varint (none is 0).
    @inline(__always) mutating func vsym(_ s: Symbol) { varint(UInt64(s.raw &+ 1)) }
    mutating func vsyms(_ list: some Collection<Symbol>) { varint(UInt64(list.count)); for s in list { vsym(s) } }
    mutating func string(_ s: String) { int(s.utf8.count); bytes.append(s) }
    mutating func unplaced(_ list: [UnplacedEvent]) {
        int(list.count)
        for u in list { u64(u.offset); string(u.id); string(u.type); string(u.reason) }
    }
}

/// Reads the state file's values, refusing a truncated file.
struct StateReader {
    let bytes: [UInt8]
    var at: Int

    func damaged() -> SchemaError { SchemaError("the projector state is damaged at byte \(at): run again with --rebuild") }
    mutating func raw(_ n: Int) throws -> [UInt8] {
        guard n >= 0, at + n <= bytes.count - 4 else { throw damaged() }
        defer { at += n }
        return Array(bytes[at..<(at + n)])
    }
    mutating func u64() throws -> UInt64 {
        guard at + 8 <= bytes.count - 4 else { throw damaged() }
        defer { at += 8 }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian }
    }
    mutating func u32() throws -> UInt32 {
        guard at + 4 <= bytes.count - 4 else { throw damaged() }
        defer { at += 4 }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian }
    }
    mutating func byte() throws -> UInt8 {
        guard at < bytes.count - 4 else { throw damaged() }
        defer { at += 1 }
        return bytes[at]
    }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func int() throws -> Int {
        let v = try u64()
        guard v <= UInt64(bytes.count) * 8 + 1 << 40 else { throw damaged() }
        return Int(v)
    }
    mutating func bool() throws -> Bool { try byte() != 0 }
    mutating func sym() throws -> Symbol { Symbol(raw: try u32()) }
    mutating func optional() throws -> Int64? {
        let present = try bool()
        let v = try i64()
        return present ? v : nil
    }
    mutating func varint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw damaged() }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }
    mutating func zigzag() throws -> Int64 {
        let u = try varint()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }
    mutating func vsym() throws -> Symbol {
        let v = try varint()
        guard v <= UInt64(UInt32.max) else { throw damaged() }
        return Symbol(raw: UInt32(truncatingIfNeeded: v) &- 1)
    }
    /// A count of items, each at least a byte: refused when more than the bytes left.
    mutating func count() throws -> Int {
        let n = try varint()
        guard n <= UInt64(bytes.count - at) else { throw damaged() }
        return Int(n)
    }
    mutating func vsyms() throws -> [Symbol] { try (0..<(try count())).map { _ in try vsym() } }
    mutating func string() throws -> String { String(decoding: try raw(try int()), as: UTF8.self) }
    mutating func unplaced() throws -> [UnplacedEvent] {
        try (0..<(try int())).map { _ in UnplacedEvent(offset: try u64(), id: try string(), type: try string(), reason: try string()) }
    }
}
