import WaymarkEvents
import WaymarkTime

/// A placement as the read models see it.
public struct PlacementView: Sendable {
    public var ref: String
    public var child: String          // canonical
    public var placingLA: String
    public var hostLA: String?
    public var type: String
    public var homeUrn: String?
    public var start: Timestamp
    public var end: Timestamp?
    public var notifiedAt: Timestamp?
}

/// One episode, merged across agencies: the police incident and the SSDA903 period of the
/// same child that started within the rules' tolerance are one.
public struct EpisodeView: Sendable {
    public var key: String            // the police reference when there is one, else the LA one
    public var refs: [String]
    public var child: String          // canonical
    public var category: String
    public var startedAt: Timestamp
    public var endedAt: Timestamp?    // as of the as-of time
    public var riskLevel: String?
    public var riskFactors: Set<String> = []
    public var foundBy: String?
    public var fromCare: Bool
    public var placement: PlacementView?
    public var reportingForce: String?
    public var foundForce: String?
    public var foundAt: Timestamp?
    public var debriefAt: Timestamp?
    public var rhiOutcome: String?
    public var rhiHeldAt: Timestamp?
    public var rhiOnTime: Bool?       // nil: not due yet, or never ended
    public var counted: Bool = false
    public var durationHours: Double?
    public var transfers: [(to: String, from: String, requestedAt: Timestamp, acceptedAt: Timestamp?)] = []
}

/// Everything the read models are rendered from: built from the folded state, the rules and
/// the as-of moment, deterministically.
public struct ReadModel {
    public let rules: CountingRules
    public let asOf: Timestamp
    public var links = IdentityLinks()
    public var placements: [String: PlacementView] = [:]
    /// Each child's placements, by start (for the placement in force at a time).
    var placementsByChild: [String: [PlacementView]] = [:]
    public var episodes: [EpisodeView] = []
    public var homes: [String: (name: String, la: String, regulated: Bool, philomena: String?)] = [:]
    public var unplaced: [UnplacedEvent] = []
    /// Every event about each child (canonical reference), in time order.
    public var entries: [String: [HeldEvent]] = [:]

    /// Builds the model. `asOf` nil means the latest time any event happened.
    public init(state: ProjectionState, rules: CountingRules, asOf requested: Timestamp?) {
        self.rules = rules
        let current = state.events.filter { $0.status == .current }
        self.asOf = requested ?? state.events.map(\.envelope.occurredAt).max() ?? Timestamp(millisecondsSinceEpoch: 0)
        unplaced = state.unplaced

        // 1. Identity.
        var reportOwner: [String: String] = [:]
        for h in current {
            let e = h.envelope
            if let c = e.child { links.add(c) }
            if e.type == "IdentityLinked", let c = e.child, let other = e.data["sameAs"]?.stringValue { links.link(c, other) }
            if e.type == "MissingReported", let ep = e.episode, let c = e.child {
                if reportOwner[ep] == nil { reportOwner[ep] = c }
                if let p = e.data["placement"]?.stringValue { links.link(c, ReadModel.childOfPlacement(p)) }
            }
        }
        for h in current {
            let e = h.envelope
            if let ep = e.episode, let c = e.child, let owner = reportOwner[ep], owner != c { links.link(c, owner) }
            // An LA episode reference names the LA's child (`la:LA:ID:MIS_START`).
            if let episode = e.episode, let c = e.child, episode.hasPrefix("la:") { links.link(c, ReadModel.childOfLAEpisode(episode)) }
        }

        // 2. Homes and placements.
        for h in current where h.envelope.type == "CareHomeRegistered" {
            let d = h.envelope.data
            if let urn = d["homeUrn"]?.stringValue {
                homes[urn] = (d["name"]?.stringValue ?? "", d["la"]?.stringValue ?? "", d["regulated"]?.boolValue ?? false, d["philomenaAgreement"]?.stringValue)
            }
        }
        for h in current {
            let e = h.envelope, d = e.data
            guard let ref = d["placement"]?.stringValue, let child = e.child else { continue }
            switch e.type {
            case "PlacementStarted":
                placements[ref] = PlacementView(ref: ref, child: links.canonical(child), placingLA: d["placingLA"]?.stringValue ?? "",
                                                hostLA: d["hostLA"]?.stringValue, type: d["placementType"]?.stringValue ?? "",
                                                homeUrn: d["homeUrn"]?.stringValue, start: ReadModel.day(d["startDate"]?.stringValue) ?? e.occurredAt,
                                                end: placements[ref]?.end, notifiedAt: placements[ref]?.notifiedAt)
            case "PlacementEnded":
                placements[ref, default: PlacementView(ref: ref, child: links.canonical(child), placingLA: "", hostLA: nil, type: "", homeUrn: nil, start: e.occurredAt)].end =
                    ReadModel.day(d["endDate"]?.stringValue) ?? e.occurredAt
            case "HostNotified":
                if let at = d["notifiedAt"]?.stringValue.flatMap(RFC3339.parse) {
                    var p = placements[ref, default: PlacementView(ref: ref, child: links.canonical(child), placingLA: "", hostLA: nil, type: "", homeUrn: nil, start: e.occurredAt)]
                    if p.notifiedAt.map({ at < $0 }) ?? true { p.notifiedAt = at }
                    placements[ref] = p
                }
            default: break
            }
        }
        for k in placements.keys { placements[k]!.child = links.canonical(placements[k]!.child) }
        for p in placements.values { placementsByChild[p.child, default: []].append(p) }
        for k in placementsByChild.keys { placementsByChild[k]!.sort { ($0.start, $0.ref) < ($1.start, $1.ref) } }

        // 3. Raw episodes, one per episode reference with a report.
        struct Raw {
            var ref: String
            var child: String
            var isLA: Bool
            var category: String
            var start: Timestamp
            var data: Fields
            var found: Fields?
            var foundTime: Timestamp?
            var risk: (at: Timestamp, level: String)?
            var debrief: Timestamp?
            var rhi: Fields?
            var transfers: [String: (from: String, requestedAt: Timestamp, acceptedAt: Timestamp?)] = [:]
            var factors: Set<String> = []
        }
        var raw: [String: Raw] = [:]
        for h in current where h.envelope.type == "MissingReported" {
            let e = h.envelope
            guard let ref = e.episode, let child = e.child else { continue }
            let start = e.data["reportedAt"]?.stringValue.flatMap(RFC3339.parse) ?? e.occurredAt
            var r = Raw(ref: ref, child: links.canonical(child), isLA: ref.hasPrefix("la:"), category: e.data["category"]?.stringValue ?? "missing",
                        start: start, data: e.data)
            r.factors = Set(e.data["riskFactors"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            raw[ref] = r
        }
        for h in current {
            let e = h.envelope
            guard let ref = e.episode, e.type != "MissingReported", e.type != "EventRetracted" else { continue }
            guard raw[ref] != nil else {
                unplaced.append(UnplacedEvent(offset: h.offset, id: e.id, type: e.type, reason: "no missing report for episode \(ref)"))
                continue
            }
            let d = e.data
            switch e.type {
            case "ChildFound":
                raw[ref]!.found = d
                raw[ref]!.foundTime = d["foundAt"]?.stringValue.flatMap(RFC3339.parse) ?? e.occurredAt
            case "RiskAssessed":
                let at = d["assessedAt"]?.stringValue.flatMap(RFC3339.parse) ?? e.occurredAt
                if raw[ref]!.risk.map({ $0.at <= at }) ?? true, let level = d["riskLevel"]?.stringValue { raw[ref]!.risk = (at, level) }
                raw[ref]!.factors.formUnion(d["riskFactors"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            case "FoundDebriefRecorded":
                raw[ref]!.debrief = d["heldAt"]?.stringValue.flatMap(RFC3339.parse) ?? e.occurredAt
                raw[ref]!.factors.formUnion(d["disclosures"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            case "ReturnInterviewRecorded":
                raw[ref]!.rhi = d
                raw[ref]!.factors.formUnion(d["disclosures"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            case "CaseTransferRequested":
                if let to = d["toForce"]?.stringValue, let at = d["requestedAt"]?.stringValue.flatMap(RFC3339.parse) {
                    raw[ref]!.transfers[to] = (d["fromForce"]?.stringValue ?? "", at, raw[ref]!.transfers[to]?.acceptedAt)
                }
            case "CaseTransferAccepted":
                if let by = d["by"]?.stringValue, let at = d["acceptedAt"]?.stringValue.flatMap(RFC3339.parse) {
                    if raw[ref]!.transfers[by] != nil { raw[ref]!.transfers[by]!.acceptedAt = at } else {
                        unplaced.append(UnplacedEvent(offset: h.offset, id: e.id, type: e.type, reason: "acceptance by \(by) without a request on \(ref)"))
                    }
                }
            default: break
            }
        }

        // 4. Merge a police incident and an LA period of the same child, starts within tolerance.
        let tolerance = Int64(rules.episodeMergeToleranceDays * 86_400_000)
        var byChild: [String: [Raw]] = [:]
        for r in raw.values { byChild[links.canonical(r.child), default: []].append(r) }
        var merged: [EpisodeView] = []
        for child in byChild.keys.sorted() {
            let list = byChild[child]!.sorted { ($0.start, $0.ref) < ($1.start, $1.ref) }
            // Each police incident takes the closest LA period of the child within the tolerance
            // (ties: the earlier, then by reference); an LA period no incident takes is an
            // episode of its own. Two incidents within one LA period stay two episodes.
            let police = list.filter { !$0.isLA }
            let laPeriods = list.filter(\.isLA)
            var partner: [String: Raw] = [:]      // police ref -> LA period
            var taken: Set<String> = []
            for p in police {
                func distance(_ la: Raw) -> Int64 { abs(la.start.millisecondsSinceEpoch - p.start.millisecondsSinceEpoch) }
                if let best = laPeriods.filter({ distance($0) <= tolerance }).min(by: { (distance($0), $0.start, $0.ref) < (distance($1), $1.start, $1.ref) }) {
                    partner[p.ref] = best
                    taken.insert(best.ref)
                }
            }
            let lonelyLA = laPeriods.filter { !taken.contains($0.ref) }
            for p in police { merged.append(makeEpisode(child: child, primary: p, secondary: partner[p.ref])) }
            for la in lonelyLA { merged.append(makeEpisode(child: child, primary: la, secondary: nil)) }
        }
        func makeEpisode(child: String, primary: Raw, secondary: Raw?) -> EpisodeView {
            let sources = [primary] + (secondary.map { [$0] } ?? [])
            let foundTime = sources.compactMap(\.foundTime).first
            let end = foundTime.flatMap { $0 <= asOf ? $0 : nil }
            let placementRef = primary.data["placement"]?.stringValue ?? secondary?.data["placement"]?.stringValue
            let placement = placementRef.flatMap { placements[$0] } ?? placementInForce(child: child, at: primary.start)
            let fromCare = sources.contains { $0.isLA || $0.data["missingFrom"]?.stringValue == "carePlacement" } || placement != nil
            let found = sources.compactMap(\.found).first
            let rhi = sources.compactMap(\.rhi).first
            let risk = sources.compactMap(\.risk).max { $0.at < $1.at }?.level ?? primary.data["riskLevel"]?.stringValue ?? secondary?.data["riskLevel"]?.stringValue
            var v = EpisodeView(key: primary.ref, refs: sources.map(\.ref).sorted(), child: child, category: primary.category,
                                startedAt: primary.start, endedAt: end, riskLevel: risk, foundBy: found?["foundBy"]?.stringValue,
                                fromCare: fromCare, placement: placement, reportingForce: primary.isLA ? nil : primary.data["force"]?.stringValue,
                                foundForce: found?["foundForce"]?.stringValue, foundAt: foundTime,
                                debriefAt: sources.compactMap(\.debrief).first.flatMap { $0 <= asOf ? $0 : nil },
                                rhiOutcome: rhi?["outcome"]?.stringValue, rhiHeldAt: rhi?["heldAt"]?.stringValue.flatMap(RFC3339.parse))
            v.riskFactors = sources.reduce(into: Set<String>()) { $0.formUnion($1.factors) }
            v.transfers = sources.flatMap { s in s.transfers.map { (to: $0.key, from: $0.value.from, requestedAt: $0.value.requestedAt, acceptedAt: $0.value.acceptedAt) } }
                .sorted { ($0.requestedAt, $0.to) < ($1.requestedAt, $1.to) }
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
        // As of T: episodes that started after T are left out.
        episodes = merged.filter { $0.startedAt <= asOf }.sorted { ($0.startedAt, $0.key) < ($1.startedAt, $1.key) }

        // 5. Entries: every event about each child, in time order.
        for h in state.events {
            guard let c = h.envelope.child else { continue }
            entries[links.canonical(c), default: []].append(h)
        }
        for k in entries.keys { entries[k]!.sort { ($0.envelope.occurredAt, $0.offset) < ($1.envelope.occurredAt, $1.offset) } }
        unplaced.sort { ($0.offset, $0.id) < ($1.offset, $1.id) }
    }

    /// The placement of `child` in force at `time` (the latest started at or before it and not ended).
    func placementInForce(child: String, at time: Timestamp) -> PlacementView? {
        (placementsByChild[child] ?? []).last { $0.start <= time && ($0.end.map { $0 >= time } ?? true) }
    }

    /// `la:LA:ID` from a placement reference `la:LA:ID:YYYY-MM-DD`.
    static func childOfPlacement(_ ref: String) -> String { ref.split(separator: ":").prefix(3).joined(separator: ":") }
    /// `la:LA:ID` from an LA episode reference `la:LA:ID:YYYY-MM-DD`.
    static func childOfLAEpisode(_ ref: String) -> String { childOfPlacement(ref) }
    /// Midnight UTC of a `YYYY-MM-DD` date.
    static func day(_ text: String?) -> Timestamp? { text.flatMap { RFC3339.parse($0 + "T00:00:00Z") } }
}
