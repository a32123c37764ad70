import WaymarkLog
import WaymarkTime

/// What became of an event: still in force, or superseded or retracted by a later one.
public enum EventStatus: UInt8, Sendable {
    case current = 0, superseded = 1, retracted = 2
}

/// An event the projector could not place: a correction or retraction of an event it does
/// not know, or a report about an episode nobody reported missing. Counted and listed.
public struct UnplacedEvent: Sendable, Equatable {
    public var offset: UInt64
    public var id: String
    public var type: String
    public var reason: String
}

/// One event about a child, for the child's timeline: the event stays in the log. One per
/// event, the state's largest array, so packed in 16 bytes (was 24): the time (milliseconds,
/// 50 bits signed: any year RFC 3339 can write) with the offset's high 14 bits in one word,
/// the child and the offset's low 32 bits in the other. Offsets go to 2^46.
struct TimelineEntry {
    private let timeAndHigh: UInt64
    private let childAndLow: UInt64
    /// The first offset an entry cannot hold.
    static let offsetLimit: UInt64 = 1 << 46
    /// The times an entry can hold (RFC 3339's years 0000-9999 lie well inside).
    static let timeRange: Range<Int64> = -(1 << 49)..<(1 << 49)

    init(child: Symbol, occurredAt: Int64, offset: UInt64) {
        precondition(offset < TimelineEntry.offsetLimit && TimelineEntry.timeRange.contains(occurredAt),
                     "timeline entry out of range: offset \(offset), time \(occurredAt)")
        timeAndHigh = UInt64(bitPattern: occurredAt) << 14 | offset >> 32
        childAndLow = UInt64(child.raw) << 32 | offset & 0xFFFF_FFFF
    }

    var child: Symbol { Symbol(raw: UInt32(truncatingIfNeeded: childAndLow >> 32)) }
    /// The shift right is arithmetic: it brings the sign back.
    var occurredAt: Int64 { Int64(bitPattern: timeAndHigh) >> 14 }
    var offset: UInt64 { (timeAndHigh & 0x3FFF) << 32 | childAndLow & 0xFFFF_FFFF }
}

/// A placement as folded so far (the last `PlacementStarted` wins; an end or a host
/// notification may come first).
struct PlacementState {
    var ref: Symbol
    var child: Symbol
    var placingLA = Symbol.none
    var hostLA = Symbol.none
    var type = Symbol.none
    var homeUrn = Symbol.none
    var start: Int64
    @PackedTime var end: Int64? = nil
    @PackedTime var notifiedAt: Int64? = nil
}

/// A care home as registered (the last registration wins).
struct HomeState {
    var urn: Symbol
    var name = Symbol.none
    var la = Symbol.none
    var regulated = false
    var philomena = Symbol.none
}

/// A request to another force to take over a case, and when it was accepted.
struct TransferState {
    var to: Symbol
    var from: Symbol
    var requestedAt: Int64
    @PackedTime var acceptedAt: Int64? = nil
}

/// One agency's episode (one episode reference) as folded so far: the last missing report in
/// force, and the developments (found, risk, debrief, interview) in log order. The lists few
/// episodes have (transfers, children named before the report, pending and stray events) are
/// kept apart, in `EpisodeExtras`, so that the 175,000 episodes of five years stay small.
struct EpisodeState {
    var ref: Symbol
    /// The child of the first report: every child the episode's events name is the same child.
    var owner = Symbol.none
    var reportChild = Symbol.none
    var category = Symbol.none
    var placement = Symbol.none
    var reportRisk = Symbol.none
    var force = Symbol.none
    var foundBy = Symbol.none
    var foundForce = Symbol.none
    var riskLevel = Symbol.none
    var interviewOutcome = Symbol.none
    /// Where the episode's `EpisodeExtras` are in the state's `extras` (-1: it has none).
    var extras: Int32 = -1
    var start: Int64 = 0
    var foundAt: Int64 = 0
    @PackedTime var riskAt: Int64? = nil
    @PackedTime var debriefAt: Int64? = nil
    @PackedTime var interviewHeldAt: Int64? = nil
    /// The risk factors, in one array (one allocation, one place to read): the last report's
    /// (`reportFactorCount` of them), then those developments added, each once.
    var riskFactors: [Symbol] = []
    var reportFactorCount: Int32 = 0
    var hasReport = false
    var missingFromCare = false
    var hasFound = false
    var hasInterview = false
    /// Whether the reference is an LA's (`la:`), kept so that neither the fold nor the read
    /// model reads the reference's text to know.
    var isLA = false

    init(ref: Symbol, isLA: Bool) {
        self.ref = ref
        self.isLA = isLA
    }

    /// The risk factors of the last report.
    var reportFactors: ArraySlice<Symbol> { riskFactors[..<Int(reportFactorCount)] }
    /// The risk factors developments added.
    var factors: ArraySlice<Symbol> { riskFactors[Int(reportFactorCount)...] }

    /// Makes `list` the report's risk factors (those developments added stay).
    mutating func setReportFactors(_ list: some Collection<Symbol>) {
        riskFactors.replaceSubrange(..<Int(reportFactorCount), with: list)
        reportFactorCount = Int32(list.count)
    }

    /// Adds a risk factor a development names, unless one already did.
    mutating func addFactor(_ s: Symbol) {
        if !factors.contains(s) { riskFactors.append(s) }
    }
}

/// The lists of an episode that few episodes have, kept beside it (`EpisodeState.extras`).
struct EpisodeExtras {
    var transfers: [TransferState] = []
    /// Children named before the first report (linked to its child when it comes).
    var children: [Symbol] = []
    /// Developments while no report is known (unplaced if none ever comes).
    var pending: [UnplacedEvent] = []
    /// Acceptances of transfers nobody requested.
    var strayAcceptances: [UnplacedEvent] = []

    static let none = EpisodeExtras()

    /// Whether every list is empty (an episode with such lists needs none).
    var isEmpty: Bool { transfers.isEmpty && children.isEmpty && pending.isEmpty && strayAcceptances.isEmpty }
}

/// The projector's folded state: one record per child reference, episode, placement and care
/// home, with references and values interned as symbols, plus one small entry per event
/// about a child (its timeline). The read models are a pure function of this state (and the
/// rules and as-of time). Events are folded in log order; an event a later one supersedes or
/// retracts is never folded (`Projector` finds those first), so nothing is ever undone, and
/// an incremental run that applies only new events ends exactly where a rebuild does.
public struct ProjectionState {
    var symbols = Symbols()
    /// Union-find over references (by symbol): the parent, `UInt32.max` for a symbol that is
    /// no reference; a root is its group's canonical reference.
    var parent: [UInt32] = []
    /// Per symbol: how many events in force name it as their child.
    var childEvents: [Int32] = []
    var episodeOf: [Int32] = []
    var placementOf: [Int32] = []
    var homeOf: [Int32] = []
    var episodes: [EpisodeState] = []
    /// The lists of the few episodes that have any (see `EpisodeState.extras`).
    var extras: [EpisodeExtras] = []
    var placements: [PlacementState] = []
    var homes: [HomeState] = []
    var entries: [TimelineEntry] = []
    /// Events a later one superseded or retracted, by offset.
    var statuses: [UInt64: EventStatus] = [:]
    /// The last offset applied (nil: none yet).
    public internal(set) var lastOffset: Offset?
    /// Events applied.
    public internal(set) var eventCount = 0
    /// The latest occurredAt of any event.
    var latest: Int64?
    /// Corrections and retractions whose target is unknown, and bytes that are no envelope.
    var unplaced: [UnplacedEvent] = []
    /// Room to decode escaped list items into while folding.
    let scratch = ScanScratch()
    /// The child and episode symbols the last event named (a cache for interning, not state).
    private var recentChild = Symbol.none, recentEpisode = Symbol.none

    public init() {}

    /// Makes room for `events` more events' entries and episodes at once. Arrays that double
    /// as they grow copy themselves each time into fresh memory, and fresh memory is what a
    /// rebuild pays most for; room never used costs address space, not memory.
    mutating func reserve(events: Int) {
        entries.reserveCapacity(entries.count + events)
        episodes.reserveCapacity(episodes.count + events / 2)
    }

    // MARK: - Folding

    /// What `Projector` knows of an event before folding it: whether a later event in the
    /// range supersedes or retracts it, and whether the targets it names exist before it.
    struct Verdict {
        var status = EventStatus.current
        var supersedesKnown = true
        var retractsKnown = true
    }

    /// Applies one event's facts, read from the log by `FactPipe` (`valid` false: the record
    /// is not a valid envelope, which `append` never lets in, and `f` means nothing). Returns
    /// false when it folds nothing. (The facts are borrowed, not wrapped in an optional: a
    /// copy of them per event was a sixth of the folding thread.)
    @discardableResult
    mutating func apply(offset: Offset, facts f: borrowing EventFacts, valid: Bool, verdict: Verdict) -> Bool {
        lastOffset = offset
        guard valid else {
            unplaced.append(UnplacedEvent(offset: offset.rawValue, id: "", type: "", reason: "not a valid envelope"))
            return false
        }
        eventCount += 1
        let o = offset.rawValue
        latest = max(latest ?? f.occurredAt, f.occurredAt)
        if let target = f.supersedes, !verdict.supersedesKnown {
            unplaced.append(UnplacedEvent(offset: o, id: text(f.id), type: text(f.type), reason: "supersedes \(text(target)), which is not in the log"))
        }
        if f.kind == .eventRetracted, let target = f[.target].string, !verdict.retractsKnown {
            unplaced.append(UnplacedEvent(offset: o, id: text(f.id), type: text(f.type), reason: "retracts \(text(target)), which is not in the log"))
        }
        let child = f.child.map { symbols.intern($0, recent: &recentChild, hash: f.childHash) }
        if let child { entries.append(TimelineEntry(child: child, occurredAt: f.occurredAt, offset: o)) }
        if verdict.status != .current {
            statuses[o] = verdict.status
            return true
        }
        fold(f, offset: o, child: child)
        return true
    }

    /// Readies `next`, the event to be folded after the current one (of `child` and
    /// `episode`): where its child or episode is not the current one's (which the table's
    /// lookup would find at once), hashes it (unless the reading thread did) and has the
    /// processor start loading its table slot, so the lookup an event later finds it in cache.
    mutating func prepare(_ next: inout EventFacts, afterChild child: UnsafeRawBufferPointer?, episode: UnsafeRawBufferPointer?) {
        if let c = next.child, !(child.map { $0.equalBytes(c) } ?? false) {
            if next.childHash == 0 { next.childHash = KeyIndex.hash(c) }
            symbols.prefetch(hash: next.childHash)
        }
        if let e = next.episode, !(episode.map { $0.equalBytes(e) } ?? false) {
            if next.episodeHash == 0 { next.episodeHash = KeyIndex.hash(e) }
            symbols.prefetch(hash: next.episodeHash)
        }
    }

    private func text(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b, as: UTF8.self) }

    /// The lists of episode `i` (empty ones when it has none).
    func extras(of i: Int) -> EpisodeExtras { extras(of: episodes[i]) }

    /// The lists of episode `e` (empty ones when it has none).
    func extras(of e: EpisodeState) -> EpisodeExtras { e.extras < 0 ? .none : extras[Int(e.extras)] }

    /// Changes the lists of episode `i`, giving it some first if it has none.
    private mutating func changeExtras<R>(_ i: Int, _ body: (inout EpisodeExtras) -> R) -> R {
        if episodes[i].extras < 0 {
            episodes[i].extras = Int32(extras.count)
            extras.append(EpisodeExtras())
        }
        return body(&extras[Int(episodes[i].extras)])
    }

    /// A value's symbol (none when absent or not a string), through the vocabulary cache.
    private mutating func value(_ v: FactValue) -> Symbol { v.string.map { symbols.internValue($0) } ?? .none }

    private mutating func fold(_ f: EventFacts, offset o: UInt64, child: Symbol?) {
        if let child {
            addNode(child)
            childEvents[child.index] += 1
        }
        let episode = f.episode.map { symbols.intern($0, recent: &recentEpisode, hash: f.episodeHash) }
        switch f.kind {
        case .identityLinked:
            if let child, let other = f[.sameAs].string { link(child, symbols.intern(other)) }
        case .missingReported:
            if let episode, let child {
                if let p = f[.placement].string { link(child, prefixSymbol(p)) }
                report(f, episode: episode, child: child)
            }
        case .careHomeRegistered:
            if let urn = f[.homeUrn].string {
                let s = symbols.intern(urn)
                let (i, isNew) = ProjectionState.entity(s, &homeOf, count: homes.count, symbols: symbols.count)
                if isNew { homes.append(HomeState(urn: s)) }
                homes[i].name = value(f[.name])
                homes[i].la = value(f[.la])
                homes[i].regulated = f[.regulated].bool ?? false
                homes[i].philomena = value(f[.philomenaAgreement])
            }
        case .placementStarted, .placementEnded, .hostNotified:
            if let child, let ref = f[.placement].string { place(f, ref: symbols.intern(ref), child: child) }
        default: break
        }
        if let episode {
            let i = self.episode(episode)
            if let child {
                if episodes[i].owner.isNone {
                    changeExtras(i) { if !$0.children.contains(child) { $0.children.append(child) } }
                } else if episodes[i].owner != child {
                    link(child, episodes[i].owner)
                }
                // An LA episode's child is linked to the reference's child prefix; the owner was
                // linked by the report that made it the owner, so its later events skip this.
                if (f.kind == .missingReported || child != episodes[i].owner) && episodes[i].isLA {
                    link(child, prefixSymbol(episode))
                }
            }
            if f.kind != .missingReported && f.kind != .eventRetracted { develop(i, f, offset: o) }
        }
    }

    /// The record of `s` in `table` (an index into its kind's records); `isNew` when there was none.
    private static func entity(_ s: Symbol, _ table: inout [Int32], count: Int, symbols: Int) -> (index: Int, isNew: Bool) {
        if table.count <= s.index { table.append(contentsOf: repeatElement(-1, count: max(s.index + 1, symbols) - table.count)) }
        if table[s.index] >= 0 { return (Int(table[s.index]), false) }
        table[s.index] = Int32(count)
        return (count, true)
    }

    private mutating func episode(_ s: Symbol) -> Int {
        let (i, isNew) = ProjectionState.entity(s, &episodeOf, count: episodes.count, symbols: symbols.count)
        if isNew { episodes.append(EpisodeState(ref: s, isLA: symbols.hasPrefix(s, "la:"))) }
        return i
    }

    private mutating func report(_ f: EventFacts, episode: Symbol, child: Symbol) {
        let i = self.episode(episode)
        if episodes[i].owner.isNone {
            episodes[i].owner = child
            if episodes[i].extras >= 0 {
                for other in extras(of: i).children where other != child { link(other, child) }
                changeExtras(i) { $0.children = [] }
            }
        }
        // Values first, then each field set in place (a copy of the episode would copy its arrays).
        let category = f[.category].string.map { symbols.internValue($0) } ?? symbols.intern("missing")
        let placement = value(f[.placement]), risk = value(f[.riskLevel]), force = value(f[.force])
        var factors: [Symbol] = []
        f.forEachString(in: .riskFactors, scratch: scratch) { factors.append(symbols.internValue($0)) }
        episodes[i].hasReport = true
        if episodes[i].extras >= 0 { changeExtras(i) { $0.pending = [] } }
        episodes[i].reportChild = child
        episodes[i].start = f.time(.reportedAt) ?? f.occurredAt
        episodes[i].category = category
        episodes[i].placement = placement
        episodes[i].reportRisk = risk
        episodes[i].force = force
        episodes[i].missingFromCare = f[.missingFrom].string?.is("carePlacement") ?? false
        episodes[i].setReportFactors(factors)
    }

    private mutating func develop(_ i: Int, _ f: EventFacts, offset o: UInt64) {
        if !episodes[i].hasReport {
            let event = UnplacedEvent(offset: o, id: text(f.id), type: text(f.type), reason: "")
            changeExtras(i) { $0.pending.append(event) }
        }
        switch f.kind {
        case .childFound:
            episodes[i].hasFound = true
            episodes[i].foundAt = f.time(.foundAt) ?? f.occurredAt
            episodes[i].foundBy = value(f[.foundBy])
            episodes[i].foundForce = value(f[.foundForce])
        case .riskAssessed:
            let at = f.time(.assessedAt) ?? f.occurredAt
            if episodes[i].riskAt.map({ $0 <= at }) ?? true, let level = f[.riskLevel].string {
                episodes[i].riskAt = at
                episodes[i].riskLevel = symbols.internValue(level)
            }
            addFactors(i, f, .riskFactors)
        case .foundDebriefRecorded:
            episodes[i].debriefAt = f.time(.heldAt) ?? f.occurredAt
            addFactors(i, f, .disclosures)
        case .returnInterviewRecorded:
            episodes[i].hasInterview = true
            episodes[i].interviewOutcome = value(f[.outcome])
            episodes[i].interviewHeldAt = f.time(.heldAt)
            addFactors(i, f, .disclosures)
        case .caseTransferRequested:
            if let to = f[.toForce].string, let at = f.time(.requestedAt) {
                let toS = symbols.internValue(to), from = value(f[.fromForce])
                changeExtras(i) { x in
                    if let k = x.transfers.firstIndex(where: { $0.to == toS }) {
                        x.transfers[k].from = from
                        x.transfers[k].requestedAt = at
                    } else {
                        x.transfers.append(TransferState(to: toS, from: from, requestedAt: at))
                    }
                }
            }
        case .caseTransferAccepted:
            if let by = f[.by].string, let at = f.time(.acceptedAt) {
                let byS = symbols.internValue(by)
                if let k = extras(of: i).transfers.firstIndex(where: { $0.to == byS }) {
                    changeExtras(i) { $0.transfers[k].acceptedAt = at }
                } else {
                    let stray = UnplacedEvent(offset: o, id: text(f.id), type: text(f.type), reason: text(by))
                    changeExtras(i) { $0.strayAcceptances.append(stray) }
                }
            }
        default: break
        }
    }

    private mutating func addFactors(_ i: Int, _ f: EventFacts, _ field: DataField) {
        f.forEachString(in: field, scratch: scratch) { s in
            let sym = symbols.internValue(s)
            episodes[i].addFactor(sym)
        }
    }

    private mutating func place(_ f: EventFacts, ref: Symbol, child: Symbol) {
        let notifiedAt = f.time(.notifiedAt)
        if f.kind == .hostNotified && notifiedAt == nil { return }
        let (i, isNew) = ProjectionState.entity(ref, &placementOf, count: placements.count, symbols: symbols.count)
        if isNew { placements.append(PlacementState(ref: ref, child: child, start: f.occurredAt)) }
        switch f.kind {
        case .placementStarted:
            placements[i].child = child
            placements[i].placingLA = value(f[.placingLA])
            placements[i].hostLA = value(f[.hostLA])
            placements[i].type = value(f[.placementType])
            placements[i].homeUrn = value(f[.homeUrn])
            placements[i].start = ProjectionState.day(f[.startDate].string) ?? f.occurredAt
        case .placementEnded:
            placements[i].end = ProjectionState.day(f[.endDate].string) ?? f.occurredAt
        case .hostNotified:
            if let at = notifiedAt, placements[i].notifiedAt.map({ at < $0 }) ?? true { placements[i].notifiedAt = at }
        default: break
        }
    }

    /// Midnight UTC of a `YYYY-MM-DD` date.
    static func day(_ text: UnsafeRawBufferPointer?) -> Int64? {
        guard let text else { return nil }
        var bytes = Array(text)
        bytes += Array("T00:00:00Z".utf8)
        return bytes.withUnsafeBytes { RFC3339.parse($0)?.millisecondsSinceEpoch }
    }

    /// The symbol of a reference's first three `:`-separated parts (`la:LA:ID` from a placement
    /// or LA episode reference `la:LA:ID:YYYY-MM-DD`); empty parts are skipped.
    private mutating func prefixSymbol(_ ref: UnsafeRawBufferPointer) -> Symbol {
        if let n = ProjectionState.plainPrefixLength(ref) { return symbols.intern(UnsafeRawBufferPointer(rebasing: ref[0..<n])) }
        return ProjectionState.prefix(ref).withUnsafeBytes { symbols.intern($0) }
    }

    /// A reference's first three non-empty `:`-separated parts, joined by `:`.
    static func prefix(_ ref: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var parts = 0
        for part in ref.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: true).prefix(3) {
            if parts > 0 { out.append(UInt8(ascii: ":")) }
            out.append(contentsOf: part)
            parts += 1
        }
        return out
    }

    /// How many of the reference's first bytes are its `prefix` (nil when an empty part comes
    /// first and the prefix must be put together): the usual case, with nothing to copy.
    static func plainPrefixLength(_ ref: UnsafeRawBufferPointer) -> Int? {
        guard let first = ref.first, first != UInt8(ascii: ":") else { return nil }
        var colons = 0, k = 0
        while k < ref.count {
            if ref[k] == UInt8(ascii: ":") {
                if k + 1 < ref.count && ref[k + 1] == UInt8(ascii: ":") { return nil }
                colons += 1
                if colons == 3 { break }
            }
            k += 1
        }
        return ref[k - 1] == UInt8(ascii: ":") ? nil : k
    }

    private mutating func prefixSymbol(_ ref: Symbol) -> Symbol {
        // The bytes are copied out first: interning may grow the table they live in.
        let n = symbols.withBytes(ref) { $0.count }
        return withUnsafeTemporaryAllocation(byteCount: max(n, 1), alignment: 1) { buffer in
            symbols.withBytes(ref) { buffer.copyMemory(from: $0) }
            return prefixSymbol(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    // MARK: - Identity

    private mutating func grow(_ s: Symbol) {
        if parent.count <= s.index {
            let n = max(s.index + 1, symbols.count) - parent.count
            parent.append(contentsOf: repeatElement(.max, count: n))
            childEvents.append(contentsOf: repeatElement(0, count: n))
        }
    }

    /// Records that `s` is a reference to a child.
    private mutating func addNode(_ s: Symbol) {
        grow(s)
        if parent[s.index] == .max { parent[s.index] = s.raw }
    }

    /// The root of `s`'s group (its canonical reference).
    func root(_ s: Symbol) -> Symbol {
        var r = s.raw
        while parent[Int(r)] != r { r = parent[Int(r)] }
        return Symbol(raw: r)
    }

    /// The root of `s`'s group, pointing every reference on the way straight at it.
    private mutating func compressedRoot(_ s: Symbol) -> Symbol {
        let r = root(s).raw
        var k = s.raw
        while parent[Int(k)] != r { let next = parent[Int(k)]; parent[Int(k)] = r; k = next }
        return Symbol(raw: r)
    }

    /// Records that `a` and `b` name the same child; the group's root stays its canonical
    /// reference (LA, then police, then other; the smallest of the kind).
    private mutating func link(_ a: Symbol, _ b: Symbol) {
        addNode(a); addNode(b)
        let ra = compressedRoot(a), rb = compressedRoot(b)
        if ra == rb { return }
        if precedes(ra, rb) { parent[rb.index] = ra.raw } else { parent[ra.index] = rb.raw }
    }

    private func rank(_ s: Symbol) -> Int { symbols.hasPrefix(s, "la:") ? 0 : symbols.hasPrefix(s, "police:") ? 1 : 2 }
    func precedes(_ a: Symbol, _ b: Symbol) -> Bool {
        let ra = rank(a), rb = rank(b)
        return ra != rb ? ra < rb : symbols.less(a, b)
    }

    /// The canonical reference of the child `s` names.
    func canonical(_ s: Symbol) -> Symbol { s.index < parent.count && parent[s.index] != .max ? root(s) : s }
}
