import WaymarkEvents
import WaymarkTime

/// The read models an analyst opens: one function per file, each a pure function of the model.
extension ReadModel {
    /// The columns of `episodes.csv`.
    static let episodeColumns = ["episode", "child", "refs", "category", "startedAt", "endedAt", "durationHours", "counted", "riskLevel",
                                 "foundBy", "fromCare", "placement", "homeUrn", "placingLA", "hostLA", "reportingForce", "foundForce",
                                 "debriefAt", "rhiOutcome", "rhiHeldAt", "rhiOnTime"]

    /// `episodes.csv`, one row per episode in `episodes` order; `rowStarts` gets where each
    /// row starts, then where the file ends (the timeline store points at the rows).
    func episodesTable(_ file: ModelFile, rowStarts: inout [UInt64]) throws -> Int {
        var t = CSVTable(file, ReadModel.episodeColumns)
        t.keepRowStarts(capacity: episodes.count)
        defer { rowStarts = t.rowStarts ?? [] }
        for e in episodes {
            // Cell by cell, not `add(...)`: no array of cells per row in the largest table.
            t.cell(.text(e.key)); t.cell(.text(e.child)); t.cell(.list(e.refs)); t.cell(.text(e.category)); t.cell(.time(e.startedAt))
            t.cell(.time(e.endedAt)); t.cell(.hours(e.durationHours)); t.cell(.flag(e.counted)); t.cell(.text(e.riskLevel ?? ""))
            t.cell(.text(e.foundBy ?? "")); t.cell(.flag(e.fromCare)); t.cell(.text(e.placement?.ref ?? "")); t.cell(.text(e.placement?.homeUrn ?? ""))
            t.cell(.text(e.placement?.placingLA ?? "")); t.cell(.text(e.placement?.hostLA ?? "")); t.cell(.text(e.reportingForce ?? ""))
            t.cell(.text(e.foundForce ?? "")); t.cell(.time(e.debriefAt)); t.cell(.text(e.rhiOutcome ?? "")); t.cell(.time(e.rhiHeldAt))
            t.cell(.flag(e.rhiOnTime))
            try t.endRow()
        }
        return try t.finish()
    }

    /// `care-homes.csv` (by financial year) or `care-homes-monthly.csv` (by month).
    func careHomesTable(_ file: ModelFile, monthly: Bool) throws -> Int {
        var t = CSVTable(file, ["homeUrn", "homeName", "hostLA", "regulated", "philomena", "period", "incidents", "children", "outOfAreaIncidents",
                          "outOfAreaChildren", "medianDurationHours", "rhiDue", "rhiOnTime"])
        struct Key: Hashable, Comparable {
            var urn: String, period: String
            static func < (a: Key, b: Key) -> Bool { (a.urn, a.period) < (b.urn, b.period) }
        }
        var groups: [Key: [Int]] = [:]
        for (i, e) in episodes.enumerated() where e.counted {
            guard let urn = e.placement?.homeUrn else { continue }
            let period = monthly ? Cell.month(e.startedAt) : Cell.financialYear(e.startedAt, startMonth: rules.financialYearStartMonth)
            groups[Key(urn: urn, period: period), default: []].append(i)
        }
        for key in groups.keys.sorted() {
            let list = groups[key]!.map { episodes[$0] }
            let home = homes[key.urn]
            let outOfArea = list.filter { $0.placement.map { $0.hostLA != nil && $0.hostLA != $0.placingLA } ?? false }
            try t.add(.text(key.urn), .text(home?.name ?? ""), .text(home?.la ?? list[0].placement?.hostLA ?? ""), .flag(home?.regulated),
                  .text(home?.philomena ?? ""), .text(key.period), .int(list.count), .int(Set(list.map(\.child)).count), .int(outOfArea.count),
                  .int(Set(outOfArea.map(\.child)).count), .hours(Cell.median(list.compactMap(\.durationHours))),
                  .int(list.filter { $0.rhiOnTime != nil }.count), .int(list.filter { $0.rhiOnTime == true }.count))
        }
        return try t.finish()
    }

    /// `handoffs.csv`: every place responsibility crosses a boundary, and how it went.
    func handoffsTable(_ file: ModelFile) throws -> Int {
        struct Row {
            var at: Timestamp, kind: String, child: String, subject: String, from: String, to: String
            var completed: Timestamp?, deadlineHours: Double
        }
        var rows: [Row] = []
        for p in placements.values where p.start <= asOf {
            guard let host = p.hostLA, host != p.placingLA, !p.placingLA.isEmpty else { continue }
            rows.append(Row(at: p.start, kind: "hostNotification", child: p.child, subject: p.ref, from: p.placingLA, to: host,
                            completed: p.notifiedAt.flatMap { $0 <= asOf ? $0 : nil }, deadlineHours: rules.hostNotificationDeadlineDays * 24))
        }
        for e in episodes {
            if let from = e.reportingForce, let to = e.foundForce, from != to, let found = e.foundAt, found <= asOf {
                rows.append(Row(at: found, kind: "crossForceFind", child: e.child, subject: e.key, from: from, to: to, completed: e.debriefAt,
                                deadlineHours: rules.crossForceDebriefDeadlineHours))
            }
            for tr in e.transfers where tr.requestedAt <= asOf {
                rows.append(Row(at: tr.requestedAt, kind: "caseTransfer", child: e.child, subject: e.key, from: tr.from, to: tr.to,
                                completed: tr.acceptedAt.flatMap { $0 <= asOf ? $0 : nil }, deadlineHours: rules.caseTransferDeadlineHours))
            }
        }
        var t = CSVTable(file, ["kind", "child", "subject", "from", "to", "startedAt", "completedAt", "latencyHours", "status"])
        for r in rows.sorted(by: { ($0.at, $0.kind, $0.subject, $0.to) < ($1.at, $1.kind, $1.subject, $1.to) }) {
            let status = r.completed != nil ? "completed"
                : asOf.millisecondsSinceEpoch > r.at.millisecondsSinceEpoch + Int64(r.deadlineHours * 3_600_000) ? "overdue" : "open"
            try t.add(.text(r.kind), .text(r.child), .text(r.subject), .text(r.from), .text(r.to), .time(r.at), .time(r.completed),
                  .hours(r.completed.map { Double($0.millisecondsSinceEpoch - r.at.millisecondsSinceEpoch) / 3_600_000 }), .text(status))
        }
        return try t.finish()
    }

    /// `missing-now.csv`: the counted episodes open at the as-of moment.
    func missingNowTable(_ file: ModelFile) throws -> Int {
        var t = CSVTable(file, ["child", "episode", "startedAt", "hoursMissing", "riskLevel", "placingLA", "hostLA"])
        for e in episodes where e.counted && e.endedAt == nil {
            try t.add(.text(e.child), .text(e.key), .time(e.startedAt), .hours(Double(asOf.millisecondsSinceEpoch - e.startedAt.millisecondsSinceEpoch) / 3_600_000),
                  .text(e.riskLevel ?? ""), .text(e.placement?.placingLA ?? ""), .text(e.placement?.hostLA ?? ""))
        }
        return try t.finish()
    }

    /// `children.csv`: one row per child (canonical reference).
    func childrenTable(_ file: ModelFile) throws -> Int {
        var t = CSVTable(file, ["child", "refs", "episodes", "firstMissing", "lastMissing", "repeatMissing", "currentlyMissing", "placements", "riskFactors"])
        var placementCount: [String: Int] = [:]
        for p in placements.values where p.start <= asOf { placementCount[p.child, default: 0] += 1 }
        let window = Int64(rules.repeatWithinDays) * 86_400_000
        for child in groups.keys.sorted() {
            let all = (episodesByChild[child] ?? []).map { episodes[$0] }
            let counted = all.filter(\.counted)
            let starts = counted.map(\.startedAt.millisecondsSinceEpoch).sorted()
            var repeatMissing = false
            if starts.count >= rules.repeatEpisodes {
                for i in 0...(starts.count - rules.repeatEpisodes) where starts[i + rules.repeatEpisodes - 1] - starts[i] <= window { repeatMissing = true; break }
            }
            try t.add(.text(child), .list(groups[child]!), .int(counted.count), .time(counted.first?.startedAt),
                  .time(counted.last?.startedAt), .flag(repeatMissing), .flag(counted.contains { $0.endedAt == nil }), .int(placementCount[child] ?? 0),
                  .text(all.reduce(into: Set<String>()) { $0.formUnion($1.riskFactors) }.sorted().joined(separator: ";")))
        }
        return try t.finish()
    }

    /// `unplaced.csv`: events the projector could not place, never dropped silently.
    func unplacedTable(_ file: ModelFile) throws -> Int {
        var t = CSVTable(file, ["offset", "id", "type", "reason"])
        for u in unplaced { try t.add(.int(Int(u.offset)), .text(u.id), .text(u.type), .text(u.reason)) }
        return try t.finish()
    }
}
