import CWaymarkSystem
import WaymarkTime

/// Merges each child's agency episodes into the episodes the read models count: a police
/// incident and the LA (SSDA903) period of the same child that started within the rules'
/// tolerance are one episode. Reads the state and writes small values (no texts), so two
/// mergers can each take half the children on two cores.
struct EpisodeMerger {
    /// One agency's episode with a report: where it is in the state, its reference and start.
    struct Raw {
        var index: Int32
        var ref: Symbol
        var start: Int64
        var isLA: Bool
    }

    let state: ProjectionState
    let rules: CountingRules
    /// The as-of moment, in milliseconds since the epoch.
    let asOf: Int64
    let placements: [PlacementView]
    /// Each child's placements (indexes into `placements`) by start, grouped by canonical root.
    let placementsByChild: Grouping

    init(state: ProjectionState, rules: CountingRules, asOf: Int64, placements: [PlacementView], placementsByChild: Grouping) {
        self.state = state
        self.rules = rules
        self.asOf = asOf
        self.placements = placements
        self.placementsByChild = placementsByChild
    }

    private var names: Symbols { state.symbols }

    /// One child's raw episodes: `root` (canonical) and where they are among the raw episodes.
    struct Group {
        var root: UInt32
        var range: Range<Int>
    }

    /// Writes the merged episodes of `groups`' children, child after child, from `out` on
    /// (at most one per raw episode); returns how many. (Nothing here changes `self`: a
    /// mutating merge had each episode copy the merger, and the state in it, reference by
    /// reference.)
    func merge(_ groups: ArraySlice<Group>, _ raws: [Raw], into out: UnsafeMutablePointer<EpisodeView>) -> Int {
        state.episodes.withUnsafeBufferPointer { all in merge(groups, raws, all, into: out) }
    }

    private func merge(_ groups: ArraySlice<Group>, _ raws: [Raw], _ all: UnsafeBufferPointer<EpisodeState>,
                       into out: UnsafeMutablePointer<EpisodeView>) -> Int {
        let tolerance = Int64(rules.episodeMergeToleranceDays * 86_400_000)
        let names = self.names
        func before(_ a: Raw, _ b: Raw) -> Bool { a.start != b.start ? a.start < b.start : names.less(a.ref, b.ref) }
        var written = 0
        // Whether the rules count a category, by category symbol (learnt as categories appear).
        var counted: [Symbol: Bool] = [:]
        func emit(_ v: EpisodeView) { (out + written).initialize(to: v); written += 1 }
        // Room reused from child to child.
        var list: [Raw] = [], laPeriods: [Raw] = [], taken: [Bool] = []
        // The raw episodes are in children's order, the state's in log order: each child's are
        // asked for (both cache lines) sixteen raw episodes ahead, so they are not waited for.
        var asked = groups.first?.range.lowerBound ?? 0
        let end = groups.last?.range.upperBound ?? 0
        for group in groups {
            let childStart = written
            let upTo = min(group.range.upperBound + 16, end)
            while asked < upTo {
                let e = UnsafeRawPointer(all.baseAddress! + Int(raws[asked].index))
                wm_prefetch(e)
                wm_prefetch(e + 64)
                asked += 1
            }
            list.removeAll(keepingCapacity: true)
            list.append(contentsOf: raws[group.range])
            list.sort(by: before)
            let child = Symbol(raw: group.root)
            // Each police incident takes the LA period of the child that `mergeCandidate`
            // chooses (same calendar date first, then the closest within the tolerance); an LA
            // period no incident takes is an episode of its own. Two incidents within one LA
            // period stay two episodes.
            laPeriods.removeAll(keepingCapacity: true)
            for p in list where p.isLA { laPeriods.append(p) }
            taken.removeAll(keepingCapacity: true)
            taken.append(contentsOf: repeatElement(false, count: laPeriods.count))
            for p in list where !p.isLA {
                // The periods are in start order (ties by reference): only those that could be
                // chosen (within the tolerance, or on the same date) are looked at.
                let window = max(tolerance, 86_400_000)
                let lo = laPeriods.partitionPoint { $0.start < p.start - window }
                var hi = lo
                while hi < laPeriods.count && laPeriods[hi].start <= p.start + window { hi += 1 }
                let best = mergeCandidate(incidentStart: p.start, periodStarts: laPeriods[lo..<hi].map(\.start), toleranceMs: tolerance).map { lo + $0 }
                if let best { taken[best] = true }
                emit(episode(all, child: child, primary: p, secondary: best.map { laPeriods[$0] }, counted: &counted))
            }
            for (k, la) in laPeriods.enumerated() where !taken[k] { emit(episode(all, child: child, primary: la, secondary: nil, counted: &counted)) }
            markReturnsNotRecorded(UnsafeMutableBufferPointer(start: out + childStart, count: written - childStart), counted: &counted)
        }
        return written
    }

    /// Marks the child's episodes still open when the child was reported missing again later
    /// (`returnNotRecorded`): the return was never recorded, so the end is unknown. Such an
    /// episode has no duration, is not missing now, has no interview due, and counts only
    /// under rules with no minimum duration (it cannot be shown to have lasted longer).
    private func markReturnsNotRecorded(_ episodes: UnsafeMutableBufferPointer<EpisodeView>, counted known: inout [Symbol: Bool]) {
        guard episodes.count > 1, let latest = episodes.map(\.startedAt).max() else { return }
        for i in episodes.indices where episodes[i].endedAt == nil && returnNotRecorded(start: episodes[i].startedAt, latestStartOfChild: latest) {
            episodes[i].returnNotRecorded = true
            episodes[i].rhiOnTime = nil
            episodes[i].counted = isCounted(categoryCounted: counts(episodes[i].category, &known), hoursSoFar: nil,
                                            minimumDurationHours: rules.minimumDurationHours)
        }
    }

    /// The placement of `child` in force at `time` (the latest started at or before it and not ended).
    private func placementInForce(child: Symbol, at time: Int64) -> Int32? {
        placementsByChild.items(child.index).last { k in
            let p = placements[Int(k)]
            return p.start.millisecondsSinceEpoch <= time && (p.end.map { $0.millisecondsSinceEpoch >= time } ?? true)
        }.map { Int32($0) }
    }

    /// Where the placement `ref` names is in `placements`, if it is one.
    private func placement(_ ref: Symbol) -> Int32? {
        ref.index < state.placementOf.count && state.placementOf[ref.index] >= 0 ? state.placementOf[ref.index] : nil
    }

    /// Whether an agency episode has transfers (few have any lists at all).
    private func hasTransfers(_ e: EpisodeState) -> Bool {
        e.extras >= 0 && state.extras.withUnsafeBufferPointer { !$0[Int(e.extras)].transfers.isEmpty }
    }

    /// Whether the rules count `category`, learnt into `known` once per category.
    private func counts(_ category: Symbol, _ known: inout [Symbol: Bool]) -> Bool {
        if let k = known[category] { return k }
        let counted = rules.countedCategories.contains(names.text(category))
        known[category] = counted
        return counted
    }

    /// One episode from the primary agency's episode and, when merged, the LA period (`all`:
    /// the state's agency episodes).
    private func episode(_ all: UnsafeBufferPointer<EpisodeState>, child: Symbol, primary: Raw, secondary: Raw?,
                         counted known: inout [Symbol: Bool]) -> EpisodeView {
        let ai = Int(primary.index), bi = secondary.map { Int($0.index) }
        let found = all[ai].hasFound ? ai : bi.flatMap { all[$0].hasFound ? $0 : nil }
        let interview = all[ai].hasInterview ? ai : bi.flatMap { all[$0].hasInterview ? $0 : nil }
        var v = EpisodeView(key: primary.ref, child: child, category: all[ai].category, primary: primary.index, startedAt: all[ai].start)
        v.mergedRef = secondary?.ref ?? .none
        v.secondary = secondary?.index ?? -1
        v.hasTransfers = hasTransfers(all[ai]) || bi.map { hasTransfers(all[$0]) } ?? false
        v.foundAt = found.map { all[$0].foundAt }
        v.endedAt = v.foundAt.flatMap { $0 <= asOf ? $0 : nil }
        // The placement the report names (the incident's, else the LA period's), else the
        // one in force when the episode started.
        let placementRef = all[ai].placement.isNone ? bi.map { all[$0].placement } ?? .none : all[ai].placement
        v.placement = (placementRef.isNone ? nil : placement(placementRef)) ?? placementInForce(child: child, at: v.startedAt) ?? -1
        v.fromCare = primary.isLA || all[ai].missingFromCare || bi.map { secondary!.isLA || all[$0].missingFromCare } ?? false || v.placement >= 0
        // The latest risk assessment of either, else the risk level reported.
        var riskAt = all[ai].riskAt, riskLevel = all[ai].riskLevel
        if let bi, let at = all[bi].riskAt, riskAt.map({ at > $0 }) ?? true { riskAt = at; riskLevel = all[bi].riskLevel }
        v.riskLevel = riskAt != nil ? riskLevel : all[ai].reportRisk.isNone ? bi.map { all[$0].reportRisk } ?? .none : all[ai].reportRisk
        v.foundBy = found.map { all[$0].foundBy } ?? .none
        v.reportingForce = primary.isLA ? .none : all[ai].force
        v.foundForce = found.map { all[$0].foundForce } ?? .none
        v.debriefAt = (all[ai].debriefAt ?? bi.flatMap { all[$0].debriefAt }).flatMap { $0 <= asOf ? $0 : nil }
        v.rhiOutcome = interview.map { all[$0].interviewOutcome } ?? .none
        v.rhiHeldAt = interview.flatMap { all[$0].interviewHeldAt }
        let hoursSoFar = Double((v.endedAt ?? asOf) - v.startedAt) / 3_600_000
        v.counted = isCounted(categoryCounted: counts(v.category, &known), hoursSoFar: hoursSoFar, minimumDurationHours: rules.minimumDurationHours)
        v.rhiOnTime = rhiOnTime(returned: v.endedAt, heldAt: v.rhiHeldAt, asOf: asOf, deadlineHours: rules.rhiDeadlineHours)
        if v.rhiHeldAt.map({ $0 > asOf }) ?? false { v.rhiHeldAt = nil; v.rhiOutcome = .none }
        return v
    }
}
