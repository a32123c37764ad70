import CWaymarkSystem
import WaymarkEvents
import WaymarkStore
import WaymarkTime

/// A placement as the read models see it (a reference type: many episodes share one).
public final class PlacementView {
    public let ref: String
    public let child: String          // canonical
    public let placingLA: String
    public let hostLA: String?
    public let type: String
    public let homeUrn: String?
    public let start: Timestamp
    public let end: Timestamp?
    public let notifiedAt: Timestamp?

    init(ref: String, child: String, placingLA: String, hostLA: String?, type: String, homeUrn: String?, start: Timestamp, end: Timestamp?, notifiedAt: Timestamp?) {
        self.ref = ref
        self.child = child
        self.placingLA = placingLA
        self.hostLA = hostLA
        self.type = type
        self.homeUrn = homeUrn
        self.start = start
        self.end = end
        self.notifiedAt = notifiedAt
    }
}

/// One episode, merged across agencies: the police incident and the SSDA903 period of the
/// same child that started within the rules' tolerance are one. A small value: texts are
/// symbols of the state's table, times are milliseconds since the epoch, and the risk factors
/// and transfers stay with the agency episodes it was merged from (`primary`, `secondary`),
/// read from there by the tables that list them.
struct EpisodeView {
    /// The police reference when there is one, else the LA one.
    var key: Symbol
    /// The LA period's reference when one was merged into a police incident, else none.
    var mergedRef = Symbol.none
    var child: Symbol                 // canonical
    var category: Symbol
    var riskLevel = Symbol.none
    var foundBy = Symbol.none
    var reportingForce = Symbol.none
    var foundForce = Symbol.none
    var rhiOutcome = Symbol.none
    /// Where the agency episodes are in the state's episodes (`secondary` -1: none merged).
    var primary: Int32
    var secondary: Int32 = -1
    /// Where the placement is in `ReadModel.placementList` (-1: none).
    var placement: Int32 = -1
    var fromCare = false
    var counted = false
    /// Whether either agency episode's case was asked to transfer (`ReadModel.transfers`
    /// lists them), so that the tables need not look in the state for the many that were not.
    var hasTransfers = false
    /// Still open when the child was reported missing again: the return was never recorded.
    var returnNotRecorded = false
    var rhiOnTime: Bool?              // nil: not due yet, or never ended
    var startedAt: Int64
    @PackedTime var endedAt: Int64? = nil   // as of the as-of time
    @PackedTime var foundAt: Int64? = nil
    @PackedTime var debriefAt: Int64? = nil
    @PackedTime var rhiHeldAt: Int64? = nil

    var durationHours: Double? { endedAt.map { Double($0 - startedAt) / 3_600_000 } }
}

/// Everything the read models are rendered from: built from the folded state, the rules and
/// the as-of moment, deterministically.
public struct ReadModel {
    public let rules: CountingRules
    public let asOf: Timestamp
    /// The folded state the model was built from (its symbols name the episodes' texts, its
    /// agency episodes hold their risk factors and transfers).
    let state: ProjectionState
    /// Every child's canonical reference, sorted (the order of the per-child tables).
    public var children: [String] = []
    /// Each child's canonical root symbol, in `children` order.
    var childRoots: [Symbol] = []
    /// Every reference of each child, sorted, in `children` order.
    public var refs: [[String]] = []
    /// Every placement, in the state's order (an episode names one by its index here).
    var placementList: [PlacementView] = []
    /// Where each child's placements are in `placementList` (by start), grouped by canonical
    /// root symbol.
    var placementsByChild = Grouping()
    /// Where each child's episodes are in `episodes` (in start order), grouped by canonical
    /// root symbol.
    var episodesByChild = Grouping()
    var episodes: [EpisodeView] = []
    public var homes: [String: (name: String, la: String, regulated: Bool, philomena: String?)] = [:]
    public var unplaced: [UnplacedEvent] = []
    /// Every event about each child, in time order, child after child.
    var entryOrder = EntryOrder()

    /// The texts of the state's symbols.
    var names: Symbols { state.symbols }
    /// The names written beside the codes (LA, force) in the tables.
    public var codeNames = ReferenceNames()

    /// Builds the model. `asOf` nil means the latest time any event happened; `timeline` false
    /// leaves out the timeline entries (for projectors that publish no timeline store).
    public init(state: ProjectionState, rules: CountingRules, asOf requested: Timestamp?, timeline: Bool = true) {
        self.rules = rules
        self.asOf = requested ?? Timestamp(millisecondsSinceEpoch: state.latest ?? 0)
        self.state = state
        unplaced = state.unplaced
        let names = state.symbols
        func text(_ s: Symbol) -> String { names.text(s) }
        func optional(_ s: Symbol) -> String? { names.optional(s) }
        func time(_ ms: Int64?) -> Timestamp? { ms.map { Timestamp(millisecondsSinceEpoch: $0) } }

        var timer = PhaseTimer()
        // 1. Identity: each group's root is its canonical reference. Per-child lists are kept by
        // the root's symbol index (a counting sort), not in dictionaries of texts.
        var canonicalName: [Int32] = Array(repeating: -1, count: state.parent.count)
        for k in state.parent.indices where state.parent[k] != .max {
            canonicalName[k] = Int32(bitPattern: state.root(Symbol(raw: UInt32(k))).raw)
        }
        let keys = max(state.symbols.count, canonicalName.count)
        let members = Grouping(count: canonicalName.count, keys: keys) { k in canonicalName[k] >= 0 ? Int(canonicalName[k]) : nil }
        var named: [(text: String, root: Symbol, refs: [String])] = []
        members.forEachGroup { root, range in
            named.append((text(Symbol(raw: UInt32(root))), Symbol(raw: UInt32(root)), members.order[range].map { text(Symbol(raw: $0)) }.sorted()))
        }
        named.sort { $0.text < $1.text }
        children = named.map(\.text)
        childRoots = named.map(\.root)
        refs = named.map(\.refs)
        named = []
        func canonical(_ s: Symbol) -> String { text(ReadModel.root(s, canonicalName)) }

        timer.mark("  identity")
        // 2. Homes and placements.
        for h in state.homes { homes[text(h.urn)] = (text(h.name), text(h.la), h.regulated, optional(h.philomena)) }
        placementList.reserveCapacity(state.placements.count)
        for p in state.placements {
            placementList.append(PlacementView(ref: text(p.ref), child: canonical(p.child), placingLA: text(p.placingLA), hostLA: optional(p.hostLA),
                                               type: text(p.type), homeUrn: optional(p.homeUrn), start: Timestamp(millisecondsSinceEpoch: p.start),
                                               end: time(p.end), notifiedAt: time(p.notifiedAt)))
        }
        let list = placementList
        placementsByChild = state.placements.withUnsafeBufferPointer { all in
            Grouping(count: all.count, keys: keys) { ReadModel.root(all[$0].child, canonicalName).index }
        }
        placementsByChild.sortEachGroup { a, b in (list[Int(a)].start, list[Int(a)].ref) < (list[Int(b)].start, list[Int(b)].ref) }

        // The timeline entries are grouped by child on another core while episodes are merged.
        let grouping = timeline ? Background { [canonicalName] in
            var own = PhaseTimer()
            defer { own.mark("  (entries grouped, in the background)") }
            return ReadModel.groupEntries(state, canonicalName: canonicalName)
        } : nil

        // 3. Raw episodes: each agency's episode with a report, grouped by child (canonical
        // root) with a counting sort: `raws[group.range]` are `group.root`'s.
        for (i, e) in state.episodes.enumerated() where e.extras >= 0 {
            let x = state.extras(of: i)
            guard e.hasReport else {
                if !x.pending.isEmpty {
                    let ref = text(e.ref)
                    for p in x.pending { unplaced.append(UnplacedEvent(offset: p.offset, id: p.id, type: p.type, reason: "no missing report for episode \(ref)")) }
                }
                continue
            }
            for a in x.strayAcceptances {
                unplaced.append(UnplacedEvent(offset: a.offset, id: a.id, type: a.type, reason: "acceptance by \(a.reason) without a request on \(text(e.ref))"))
            }
        }
        let (byChild, rawList) = state.episodes.withUnsafeBufferPointer { all in
            let byChild = Grouping(count: all.count, keys: max(state.symbols.count, canonicalName.count)) { i in
                all[i].hasReport ? ReadModel.root(all[i].reportChild, canonicalName).index : nil
            }
            // Gathered in the children's order, each episode asked for a few ahead (without, each
            // read waited for memory: the episodes are in log order, these in children's).
            let order = byChild.order
            let raws = [EpisodeMerger.Raw](unsafeUninitializedCapacity: order.count) { buffer, count in
                for p in order.indices {
                    if p + 8 < order.count { wm_prefetch(all.baseAddress! + Int(order[p + 8])) }
                    let e = all.baseAddress! + Int(order[p])
                    (buffer.baseAddress! + p).initialize(to: EpisodeMerger.Raw(index: Int32(order[p]), ref: e.pointee.ref, start: e.pointee.start,
                                                                              isLA: e.pointee.isLA))
                }
                count = order.count
            }
            return (byChild, raws)
        }
        let total = byChild.order.count
        var raws = rawList
        var childGroups: [EpisodeMerger.Group] = []
        byChild.forEachGroup { root, range in childGroups.append(EpisodeMerger.Group(root: UInt32(root), range: range)) }

        timer.mark("  raw episodes")
        // 4. Merge a police incident and an LA period of the same child, on two cores: each
        // takes the children of half the raw episodes and writes into its own part of one
        // array (a child's merged episodes are never more than its raw ones), then the second
        // part is moved down next to the first.
        var half = 0
        while half < childGroups.count && childGroups[half].range.lowerBound * 2 < total { half += 1 }
        let secondAt = half < childGroups.count ? childGroups[half].range.lowerBound : total
        let merger = EpisodeMerger(state: state, rules: rules, asOf: asOf.millisecondsSinceEpoch, placements: placementList,
                                   placementsByChild: placementsByChild)
        var merged = [EpisodeView](unsafeUninitializedCapacity: total) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            var first = 0, second = 0
            try! Parallel.both({
                first = merger.merge(childGroups[..<half], raws, into: base)
            }, {
                second = merger.merge(childGroups[half...], raws, into: base + secondAt)
            })
            if first < secondAt { (base + first).moveInitialize(from: base + secondAt, count: second) }
            count = first + second
        }
        raws = []
        timer.mark("  merge")
        // As of T: episodes that started after T are left out.
        let asOfMs = asOf.millisecondsSinceEpoch
        merged.removeAll { $0.startedAt > asOfMs }
        ReadModel.sortByStart(&merged, names)
        episodes = merged
        merged = []
        timer.mark("  sort")
        let all = episodes
        episodesByChild = Grouping(count: all.count, keys: keys) { all[$0].child.index }

        timer.mark("  episodes")
        // 5. Entries (grouped on another thread meanwhile).
        if let grouping { entryOrder = grouping.wait() }
        unplaced.sort { ($0.offset, $0.id) < ($1.offset, $1.id) }
        timer.mark("  entries")
    }

    /// Where the episodes of the child whose canonical root is `root` are in `episodes`, in
    /// start order.
    func episodes(ofRoot root: Symbol) -> ArraySlice<UInt32> { episodesByChild.items(root.index) }

    /// Where the placements of the child whose canonical root is `root` are in
    /// `placementList`, by start.
    func placements(ofRoot root: Symbol) -> ArraySlice<UInt32> { placementsByChild.items(root.index) }

    /// Calls `body` with the log offset and status of every event about the child whose
    /// canonical root is `root`, in time order.
    func forEachEntry(ofRoot root: Symbol, _ body: (UInt64, EventStatus) -> Void) {
        let offsets = entryOrder.offsets, statuses = entryOrder.statuses
        for k in Grouping.range(of: root.index, in: entryOrder.starts) { body(offsets[k], statuses.isEmpty ? .current : statuses[k]) }
    }

    /// The risk factors of an episode: those of the agency episodes merged into it (the
    /// primary, then the LA period if one was merged).
    func forEachRiskFactor(of e: EpisodeView, _ body: (Symbol) -> Void) {
        state.episodes.withUnsafeBufferPointer { all in
            for i in [e.primary, e.secondary] where i >= 0 {
                for f in all[Int(i)].riskFactors { body(f) }
            }
        }
    }

    /// The transfers of an episode's case: those of the agency episodes merged into it, by
    /// request time (then the force asked).
    func transfers(of e: EpisodeView) -> [TransferState] {
        var list = state.extras(of: Int(e.primary)).transfers
        if e.secondary >= 0 { list += state.extras(of: Int(e.secondary)).transfers }
        if list.count > 1 {
            let names = self.names
            list.sort { $0.requestedAt != $1.requestedAt ? $0.requestedAt < $1.requestedAt : names.less($0.to, $1.to) }
        }
        return list
    }

    /// Sorts episodes by start, then key (keys are unique, so the order is total). The keys
    /// are sorted, small, and the episodes then moved into place along the permutation's
    /// cycles: no second array of episodes, nor the sort's buffer of half of them.
    static func sortByStart(_ list: inout [EpisodeView], _ names: Symbols) {
        var keys = list.enumerated().map { (start: $0.element.startedAt, index: UInt32($0.offset)) }
        list.withUnsafeBufferPointer { all in
            keys.sort { a, b in a.start != b.start ? a.start < b.start : names.less(all[Int(a.index)].key, all[Int(b.index)].key) }
        }
        // Position k takes the episode at keys[k].index; follow each cycle once.
        list.withUnsafeMutableBufferPointer { all in
            for k in keys.indices where keys[k].index != UInt32.max {
                guard keys[k].index != UInt32(k) else { keys[k].index = .max; continue }
                let saved = all[k]
                var at = k
                while true {
                    let from = Int(keys[at].index)
                    keys[at].index = .max
                    if from == k { all[at] = saved; break }
                    all[at] = all[from]
                    at = from
                }
            }
        }
    }

    /// The canonical reference of the child `s` names: its group's root in `canonicalName`
    /// (per symbol, -1 for a symbol that is no child reference), else `s` itself.
    static func root(_ s: Symbol, _ canonicalName: [Int32]) -> Symbol {
        s.index < canonicalName.count && canonicalName[s.index] >= 0 ? Symbol(raw: UInt32(bitPattern: canonicalName[s.index])) : s
    }

    /// Every event about each child, in time order, grouped by child: a counting sort by
    /// canonical reference (log order kept), then each child's few sorted by time. Returns
    /// the events' offsets child after child, where each child's run is, and their statuses.
    static func groupEntries(_ state: ProjectionState, canonicalName: [Int32]) -> EntryOrder {
        let entries = state.entries
        var byChild = entries.withUnsafeBufferPointer { all in
            Grouping(count: all.count, keys: max(state.symbols.count, canonicalName.count)) { ReadModel.root(all[$0].child, canonicalName).index }
        }
        entries.withUnsafeBufferPointer { all in
            // Offsets are unique, so the order is total.
            byChild.sortEachGroup { a, b in
                let x = all[Int(a)], y = all[Int(b)]
                return x.occurredAt != y.occurredAt ? x.occurredAt < y.occurredAt : x.offset < y.offset
            }
        }
        let order = byChild.order
        // The offsets and statuses in that order, so the timeline reads them in sequence.
        let statuses = entryStatuses(state)
        return EntryOrder(offsets: order.map { entries[Int($0)].offset }, starts: byChild.starts,
                          statuses: statuses.isEmpty ? [] : order.map { statuses[Int($0)] })
    }

    /// Each entry's status, from the state's statuses by offset: the entries are in log order,
    /// so each status is found by a binary search (empty: every event is current).
    static func entryStatuses(_ state: ProjectionState) -> [EventStatus] {
        guard !state.statuses.isEmpty else { return [] }
        var list = [EventStatus](repeating: .current, count: state.entries.count)
        let entries = state.entries
        let inLogOrder = zip(entries, entries.dropFirst()).allSatisfy { $0.offset < $1.offset }
        guard inLogOrder else {
            for (i, e) in entries.enumerated() { list[i] = state.statuses[e.offset] ?? .current }
            return list
        }
        for (offset, status) in state.statuses {
            let k = entries.partitionPoint { $0.offset < offset }
            if k < entries.count && entries[k].offset == offset { list[k] = status }
        }
        return list
    }

}

/// The events about each child in time order, child after child: their offsets in the log,
/// where each child's run starts (by canonical root symbol index; the run ends where the
/// next index's starts), and their statuses (empty when every event is current).
struct EntryOrder {
    var offsets: [UInt64] = []
    var starts: [Int32] = []
    var statuses: [EventStatus] = []
}
