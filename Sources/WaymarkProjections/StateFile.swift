import WaymarkEvents
import WaymarkLog

/// The projector state on disk (`.projector-state`): binary, little-endian, one section per
/// kind of record, so loading costs about as much as reading the file. `WMPSTAT2`, then the
/// sections in a fixed order; a CRC-32C of everything before it ends the file.
enum StateFile {
    static let magic = Array("WMPSTAT2".utf8)

    /// Writes the state into `file`, in chunks, ending with the checksum.
    static func encode(_ s: ProjectionState, into file: ModelFile) throws {
        var w = StateWriter(file: file)
        w.bytes = magic
        w.u64(s.lastOffset.map { $0.rawValue &+ 1 } ?? 0)
        w.int(s.eventCount)
        w.optional(s.latest)
        w.int(s.symbols.count)
        w.int(s.symbols.arena.count)
        w.bytes += s.symbols.arena
        for v in s.symbols.starts { w.u32(v) }
        // Union-find, fully resolved so the bytes do not depend on when paths were compressed.
        w.int(s.parent.count)
        for k in s.parent.indices { w.u32(s.parent[k] == .max ? .max : s.root(Symbol(raw: UInt32(k))).raw) }
        for v in s.childEvents { w.u32(UInt32(bitPattern: v)) }
        w.int(s.episodes.count)
        for e in s.episodes {
            try w.flushIfFull()
            w.sym(e.ref); w.sym(e.owner); w.bool(e.hasReport); w.sym(e.reportChild); w.sym(e.category); w.sym(e.placement)
            w.sym(e.reportRisk); w.sym(e.force); w.bool(e.missingFromCare); w.i64(e.start); w.syms(e.reportFactors)
            w.bool(e.hasFound); w.i64(e.foundAt); w.sym(e.foundBy); w.sym(e.foundForce); w.optional(e.riskAt); w.sym(e.riskLevel)
            w.optional(e.debriefAt); w.bool(e.hasInterview); w.sym(e.interviewOutcome); w.optional(e.interviewHeldAt)
            w.int(e.transfers.count)
            for t in e.transfers { w.sym(t.to); w.sym(t.from); w.i64(t.requestedAt); w.optional(t.acceptedAt) }
            w.syms(e.factors); w.syms(e.children); w.unplaced(e.pending); w.unplaced(e.strayAcceptances)
        }
        w.int(s.placements.count)
        for p in s.placements {
            w.sym(p.ref); w.sym(p.child); w.sym(p.placingLA); w.sym(p.hostLA); w.sym(p.type); w.sym(p.homeUrn)
            w.i64(p.start); w.optional(p.end); w.optional(p.notifiedAt)
        }
        w.int(s.homes.count)
        for h in s.homes { w.sym(h.urn); w.sym(h.name); w.sym(h.la); w.bool(h.regulated); w.sym(h.philomena) }
        w.int(s.entries.count)
        for (n, e) in s.entries.enumerated() {
            if n & 4095 == 0 { try w.flushIfFull() }
            w.sym(e.child); w.i64(e.occurredAt); w.u64(e.offset)
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
            var e = EpisodeState(ref: try r.sym())
            e.owner = try r.sym(); e.hasReport = try r.bool(); e.reportChild = try r.sym(); e.category = try r.sym(); e.placement = try r.sym()
            e.reportRisk = try r.sym(); e.force = try r.sym(); e.missingFromCare = try r.bool(); e.start = try r.i64(); e.reportFactors = try r.syms()
            e.hasFound = try r.bool(); e.foundAt = try r.i64(); e.foundBy = try r.sym(); e.foundForce = try r.sym(); e.riskAt = try r.optional()
            e.riskLevel = try r.sym(); e.debriefAt = try r.optional(); e.hasInterview = try r.bool(); e.interviewOutcome = try r.sym()
            e.interviewHeldAt = try r.optional()
            for _ in 0..<(try r.int()) {
                e.transfers.append(TransferState(to: try r.sym(), from: try r.sym(), requestedAt: try r.i64(), acceptedAt: try r.optional()))
            }
            e.factors = try r.syms(); e.children = try r.syms(); e.pending = try r.unplaced(); e.strayAcceptances = try r.unplaced()
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
        for _ in 0..<entryCount { s.entries.append(TimelineEntry(child: try r.sym(), occurredAt: try r.i64(), offset: try r.u64())) }
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
struct StateWriter {
    let file: ModelFile
    var bytes: [UInt8] = []
    mutating func flushIfFull() throws { try file.write(&bytes) }
    mutating func u64(_ v: UInt64) { appendLE(v, &bytes) }
    mutating func u32(_ v: UInt32) { appendLE(v, &bytes) }
    mutating func i64(_ v: Int64) { appendLE(v, &bytes) }
    mutating func int(_ v: Int) { appendLE(UInt64(v), &bytes) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func sym(_ s: Symbol) { u32(s.raw) }
    mutating func syms(_ list: [Symbol]) { int(list.count); for s in list { sym(s) } }
    mutating func optional(_ v: Int64?) { bool(v != nil); i64(v ?? 0) }
    mutating func string(_ s: String) { int(s.utf8.count); bytes += s.utf8 }
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
    mutating func syms() throws -> [Symbol] { try (0..<(try int())).map { _ in try sym() } }
    mutating func optional() throws -> Int64? {
        let present = try bool()
        let v = try i64()
        return present ? v : nil
    }
    mutating func string() throws -> String { String(decoding: try raw(try int()), as: UTF8.self) }
    mutating func unplaced() throws -> [UnplacedEvent] {
        try (0..<(try int())).map { _ in UnplacedEvent(offset: try u64(), id: try string(), type: try string(), reason: try string()) }
    }
}
