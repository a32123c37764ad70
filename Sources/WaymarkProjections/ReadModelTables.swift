import WaymarkEvents
import WaymarkTime

/// The read models an analyst opens: one function per file, each a pure function of the model.
extension ReadModel {
    /// `episodes.csv`: one row per merged episode.
    func episodesTable() -> CSVTable {
        var t = CSVTable("episodes.csv", ["episode", "child", "refs", "category", "startedAt", "endedAt", "durationHours", "counted", "riskLevel",
                                          "foundBy", "fromCare", "placement", "homeUrn", "placingLA", "hostLA", "reportingForce", "foundForce",
                                          "debriefAt", "rhiOutcome", "rhiHeldAt", "rhiOnTime"])
        for e in episodes {
            t.add([e.key, e.child, e.refs.joined(separator: ";"), e.category, Cell.time(e.startedAt), Cell.time(e.endedAt), Cell.hours(e.durationHours),
                   Cell.flag(e.counted), e.riskLevel ?? "", e.foundBy ?? "", Cell.flag(e.fromCare), e.placement?.ref ?? "", e.placement?.homeUrn ?? "",
                   e.placement?.placingLA ?? "", e.placement?.hostLA ?? "", e.reportingForce ?? "", e.foundForce ?? "",
                   Cell.time(e.debriefAt), e.rhiOutcome ?? "", Cell.time(e.rhiHeldAt), Cell.flag(e.rhiOnTime)])
        }
        return t
    }

    /// `care-homes.csv` (by financial year) or `care-homes-monthly.csv` (by month).
    func careHomesTable(monthly: Bool) -> CSVTable {
        var t = CSVTable(monthly ? "care-homes-monthly.csv" : "care-homes.csv",
                         ["homeUrn", "homeName", "hostLA", "regulated", "philomena", "period", "incidents", "children", "outOfAreaIncidents",
                          "outOfAreaChildren", "medianDurationHours", "rhiDue", "rhiOnTime"])
        var groups: [String: [EpisodeView]] = [:]
        for e in episodes where e.counted {
            guard let urn = e.placement?.homeUrn else { continue }
            let period = monthly ? Cell.month(e.startedAt) : Cell.financialYear(e.startedAt, startMonth: rules.financialYearStartMonth)
            groups[urn + "\u{1}" + period, default: []].append(e)
        }
        for key in groups.keys.sorted() {
            let list = groups[key]!
            let parts = key.split(separator: "\u{1}").map(String.init)
            let urn = parts[0], home = homes[urn]
            let outOfArea = list.filter { $0.placement.map { $0.hostLA != nil && $0.hostLA != $0.placingLA } ?? false }
            t.add([urn, home?.name ?? "", home?.la ?? list[0].placement?.hostLA ?? "", home.map { Cell.flag($0.regulated) } ?? "", home?.philomena ?? "",
                   parts[1], String(list.count), String(Set(list.map(\.child)).count), String(outOfArea.count), String(Set(outOfArea.map(\.child)).count),
                   Cell.hours(Cell.median(list.compactMap(\.durationHours))), String(list.filter { $0.rhiOnTime != nil }.count),
                   String(list.filter { $0.rhiOnTime == true }.count)])
        }
        return t
    }

    /// `handoffs.csv`: every place responsibility crosses a boundary, and how it went.
    func handoffsTable() -> CSVTable {
        var rows: [(Timestamp, [String])] = []
        func status(started: Timestamp, completed: Timestamp?, deadlineHours: Double) -> String {
            if completed != nil { return "completed" }
            return asOf.millisecondsSinceEpoch > started.millisecondsSinceEpoch + Int64(deadlineHours * 3_600_000) ? "overdue" : "open"
        }
        func latency(_ a: Timestamp, _ b: Timestamp?) -> String {
            Cell.hours(b.map { Double($0.millisecondsSinceEpoch - a.millisecondsSinceEpoch) / 3_600_000 })
        }
        for p in placements.values where p.start <= asOf {
            guard let host = p.hostLA, host != p.placingLA, !p.placingLA.isEmpty else { continue }
            let done = p.notifiedAt.flatMap { $0 <= asOf ? $0 : nil }
            rows.append((p.start, ["hostNotification", p.child, p.ref, p.placingLA, host, Cell.time(p.start), Cell.time(done), latency(p.start, done),
                                   status(started: p.start, completed: done, deadlineHours: rules.hostNotificationDeadlineDays * 24)]))
        }
        for e in episodes {
            if let from = e.reportingForce, let to = e.foundForce, from != to, let found = e.foundAt, found <= asOf {
                rows.append((found, ["crossForceFind", e.child, e.key, from, to, Cell.time(found), Cell.time(e.debriefAt), latency(found, e.debriefAt),
                                     status(started: found, completed: e.debriefAt, deadlineHours: rules.crossForceDebriefDeadlineHours)]))
            }
            for tr in e.transfers where tr.requestedAt <= asOf {
                let done = tr.acceptedAt.flatMap { $0 <= asOf ? $0 : nil }
                rows.append((tr.requestedAt, ["caseTransfer", e.child, e.key, tr.from, tr.to, Cell.time(tr.requestedAt), Cell.time(done),
                                              latency(tr.requestedAt, done), status(started: tr.requestedAt, completed: done, deadlineHours: rules.caseTransferDeadlineHours)]))
            }
        }
        var t = CSVTable("handoffs.csv", ["kind", "child", "subject", "from", "to", "startedAt", "completedAt", "latencyHours", "status"])
        for r in rows.sorted(by: { ($0.0, $0.1[0], $0.1[2], $0.1[4]) < ($1.0, $1.1[0], $1.1[2], $1.1[4]) }) { t.add(r.1) }
        return t
    }

    /// `missing-now.csv`: the counted episodes open at the as-of moment.
    func missingNowTable() -> CSVTable {
        var t = CSVTable("missing-now.csv", ["child", "episode", "startedAt", "hoursMissing", "riskLevel", "placingLA", "hostLA"])
        for e in episodes where e.counted && e.endedAt == nil {
            t.add([e.child, e.key, Cell.time(e.startedAt), Cell.hours(Double(asOf.millisecondsSinceEpoch - e.startedAt.millisecondsSinceEpoch) / 3_600_000),
                   e.riskLevel ?? "", e.placement?.placingLA ?? "", e.placement?.hostLA ?? ""])
        }
        return t
    }

    /// `children.csv`: one row per child (canonical reference).
    func childrenTable() -> CSVTable {
        var t = CSVTable("children.csv", ["child", "refs", "episodes", "firstMissing", "lastMissing", "repeatMissing", "currentlyMissing", "placements", "riskFactors"])
        let groups = self.groups
        var byChild: [String: [EpisodeView]] = [:]
        for e in episodes { byChild[e.child, default: []].append(e) }
        var placementCount: [String: Int] = [:]
        for p in placements.values where p.start <= asOf { placementCount[p.child, default: 0] += 1 }
        let window = Int64(rules.repeatWithinDays) * 86_400_000
        for child in groups.keys.sorted() {
            let all = byChild[child] ?? []
            let counted = all.filter(\.counted)
            let starts = counted.map(\.startedAt.millisecondsSinceEpoch).sorted()
            var repeatMissing = false
            if starts.count >= rules.repeatEpisodes {
                for i in 0...(starts.count - rules.repeatEpisodes) where starts[i + rules.repeatEpisodes - 1] - starts[i] <= window { repeatMissing = true; break }
            }
            t.add([child, groups[child]!.joined(separator: ";"), String(counted.count), Cell.time(counted.first?.startedAt), Cell.time(counted.last?.startedAt),
                   Cell.flag(repeatMissing), Cell.flag(counted.contains { $0.endedAt == nil }), String(placementCount[child] ?? 0),
                   all.reduce(into: Set<String>()) { $0.formUnion($1.riskFactors) }.sorted().joined(separator: ";")])
        }
        return t
    }

    /// `unplaced.csv`: events the projector could not place, never dropped silently.
    func unplacedTable() -> CSVTable {
        var t = CSVTable("unplaced.csv", ["offset", "id", "type", "reason"])
        for u in unplaced { t.add([String(u.offset), u.id, u.type, u.reason]) }
        return t
    }
}
