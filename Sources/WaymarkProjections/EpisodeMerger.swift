import WaymarkTime

/// Merges each child's agency episodes into the episodes the read models count: a police
/// incident and the LA (SSDA903) period of the same child that started within the rules'
/// tolerance are one episode. A value with its own copy of the symbol texts, so two mergers
/// can each take half the children on two cores.
struct EpisodeMerger {
    /// One agency's episode with a report: where it is in the state, its reference and start.
    struct Raw {
        var index: Int
        var ref: String
        var start: Int64
        var isLA: Bool
    }

    let state: ProjectionState
    var names: Symbols
    let rules: CountingRules
    let asOf: Timestamp
    let placements: [String: PlacementView]
    let placementsByChild: [String: [PlacementView]]

    /// The merged episodes of `children` (canonical root and reference), child after child.
    mutating func merge(_ children: ArraySlice<(root: UInt32, name: String)>, _ byChild: [UInt32: [Raw]]) -> [EpisodeView] {
        let tolerance = Int64(rules.episodeMergeToleranceDays * 86_400_000)
        var merged: [EpisodeView] = []
        merged.reserveCapacity(children.count * 12)
        for (root, child) in children {
            let list = byChild[root]!.sorted { ($0.start, $0.ref) < ($1.start, $1.ref) }
            // Each police incident takes the closest LA period of the child within the tolerance
            // (ties: the earlier, then by reference); an LA period no incident takes is an
            // episode of its own. Two incidents within one LA period stay two episodes.
            let laPeriods = list.filter(\.isLA)
            var taken = [Bool](repeating: false, count: laPeriods.count)
            for p in list where !p.isLA {
                // The periods are in start order: look only at those within the tolerance.
                var lo = 0, hi = laPeriods.count
                while lo < hi { let mid = (lo + hi) / 2; if laPeriods[mid].start < p.start - tolerance { lo = mid + 1 } else { hi = mid } }
                var best: Int?
                var k = lo
                while k < laPeriods.count && laPeriods[k].start <= p.start + tolerance {
                    if let b = best {
                        let d = abs(laPeriods[k].start - p.start), db = abs(laPeriods[b].start - p.start)
                        if (d, laPeriods[k].start, laPeriods[k].ref) < (db, laPeriods[b].start, laPeriods[b].ref) { best = k }
                    } else {
                        best = k
                    }
                    k += 1
                }
                if let best { taken[best] = true }
                merged.append(episode(child: child, primary: p, secondary: best.map { laPeriods[$0] }))
            }
            for (k, la) in laPeriods.enumerated() where !taken[k] { merged.append(episode(child: child, primary: la, secondary: nil)) }
        }
        return merged
    }

    private mutating func text(_ s: Symbol) -> String { names.string(s) }
    private mutating func optional(_ s: Symbol) -> String? { names.optional(s) }
    private func time(_ ms: Int64?) -> Timestamp? { ms.map { Timestamp(millisecondsSinceEpoch: $0) } }

    /// The placement of `child` in force at `time` (the latest started at or before it and not ended).
    private func placementInForce(child: String, at time: Timestamp) -> PlacementView? {
        (placementsByChild[child] ?? []).last { $0.start <= time && ($0.end.map { $0 >= time } ?? true) }
    }

    /// One episode from the primary agency's episode and, when merged, the LA period.
    private mutating func episode(child: String, primary: Raw, secondary: Raw?) -> EpisodeView {
        let a = state.episodes[primary.index]
        let b = secondary.map { state.episodes[$0.index] }
        let foundState = a.hasFound ? a : b.flatMap { $0.hasFound ? $0 : nil }
        let foundTime = foundState.map { Timestamp(millisecondsSinceEpoch: $0.foundAt) }
        let end = foundTime.flatMap { $0 <= asOf ? $0 : nil }
        let placementRef = optional(a.placement) ?? b.flatMap { optional($0.placement) }
        let startedAt = Timestamp(millisecondsSinceEpoch: a.start)
        let placement = placementRef.flatMap { placements[$0] } ?? placementInForce(child: child, at: startedAt)
        let fromCare = primary.isLA || a.missingFromCare || secondary.map { $0.isLA || b!.missingFromCare } ?? false || placement != nil
        let interview = a.hasInterview ? a : b.flatMap { $0.hasInterview ? $0 : nil }
        // The latest risk assessment of either, else the risk level reported.
        var riskAt = a.riskAt, riskLevel = a.riskLevel
        if let b, let at = b.riskAt, riskAt.map({ at > $0 }) ?? true { riskAt = at; riskLevel = b.riskLevel }
        let risk = riskAt != nil ? text(riskLevel) : optional(a.reportRisk) ?? b.flatMap { optional($0.reportRisk) }
        let v = EpisodeView(key: primary.ref, refs: secondary.map { [primary.ref, $0.ref].sorted() } ?? [primary.ref], child: child,
                            category: text(a.category), startedAt: startedAt, endedAt: end, riskLevel: risk,
                            foundBy: foundState.flatMap { optional($0.foundBy) }, fromCare: fromCare, placement: placement,
                            reportingForce: primary.isLA ? nil : optional(a.force), foundForce: foundState.flatMap { optional($0.foundForce) },
                            foundAt: foundTime, debriefAt: time(a.debriefAt ?? b?.debriefAt).flatMap { $0 <= asOf ? $0 : nil },
                            rhiOutcome: interview.flatMap { optional($0.interviewOutcome) }, rhiHeldAt: time(interview?.interviewHeldAt))
        develop(v, from: a)
        if let b { develop(v, from: b) }
        if v.transfers.count > 1 { v.transfers.sort { ($0.requestedAt, $0.to) < ($1.requestedAt, $1.to) } }
        if let end { v.durationHours = Double(end.millisecondsSinceEpoch - v.startedAt.millisecondsSinceEpoch) / 3_600_000 }
        let hoursSoFar = Double((end ?? asOf).millisecondsSinceEpoch - v.startedAt.millisecondsSinceEpoch) / 3_600_000
        v.counted = rules.countedCategories.contains(v.category) && (rules.minimumDurationHours == 0 || hoursSoFar > rules.minimumDurationHours)
        if let end {
            let deadline = end.millisecondsSinceEpoch + Int64(rules.rhiDeadlineHours * 3_600_000)
            if let held = v.rhiHeldAt, held <= asOf { v.rhiOnTime = held.millisecondsSinceEpoch <= deadline } else if deadline < asOf.millisecondsSinceEpoch { v.rhiOnTime = false }
        }
        if v.rhiHeldAt.map({ $0 > asOf }) ?? false { v.rhiHeldAt = nil; v.rhiOutcome = nil }
        return v
    }

    /// Adds an agency episode's risk factors and transfers to the merged episode.
    private mutating func develop(_ v: EpisodeView, from s: EpisodeState) {
        for f in s.reportFactors { v.riskFactors.insert(text(f)) }
        for f in s.factors { v.riskFactors.insert(text(f)) }
        for t in s.transfers {
            v.transfers.append((to: text(t.to), from: text(t.from), requestedAt: Timestamp(millisecondsSinceEpoch: t.requestedAt), acceptedAt: time(t.acceptedAt)))
        }
    }
}
