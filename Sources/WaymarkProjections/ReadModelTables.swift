import CWaymarkSystem
import WaymarkEvents
import WaymarkTime

/// The read models an analyst opens: one function per file, each a pure function of the model.
extension ReadModel {
    /// The columns of `care-homes.csv` and `care-homes-monthly.csv`.
    static let careHomeColumns = ["homeUrn", "homeName", "hostLA", "hostLAName", "regulated", "philomena", "period", "incidents", "children",
                                  "outOfAreaIncidents", "outOfAreaChildren", "medianDurationHours", "rhiDue", "rhiOnTime"]
    /// The columns of `handoffs.csv`.
    static let handoffColumns = ["kind", "child", "subject", "from", "fromName", "to", "toName", "startedAt", "completedAt", "latencyHours", "status"]
    /// The columns of `missing-now.csv`.
    static let missingNowColumns = ["child", "episode", "startedAt", "hoursMissing", "riskLevel", "placingLA", "placingLAName", "hostLA", "hostLAName"]
    /// The columns of `children.csv`.
    static let childColumns = ["child", "refs", "episodes", "firstMissing", "lastMissing", "repeatMissing", "currentlyMissing", "placements", "riskFactors"]
    /// The columns of `unplaced.csv`.
    static let unplacedColumns = ["offset", "id", "type", "reason"]
    /// The columns of `episodes.csv`.
    static let episodeColumns = ["episode", "child", "refs", "category", "startedAt", "endedAt", "durationHours", "counted", "riskLevel",
                                 "foundBy", "fromCare", "placement", "homeUrn", "placingLA", "placingLAName", "hostLA", "hostLAName",
                                 "reportingForce", "reportingForceName", "foundForce", "foundForceName",
                                 "debriefAt", "rhiOutcome", "rhiHeldAt", "rhiOnTime", "returnNotRecorded"]

    /// `episodes.csv`, one row per episode in `episodes` order; `rowStarts` gets where each
    /// row starts, then where the file ends (the timeline store points at the rows).
    func episodesTable(_ file: ModelFile, rowStarts: inout [UInt64]) throws -> Int {
        var t = CSVTable(file, ReadModel.episodeColumns)
        t.keepRowStarts(capacity: episodes.count)
        defer { rowStarts = t.rowStarts ?? [] }
        let names = self.names
        // The placement's fields as symbols, straight from the state (`placementList` holds
        // them as Strings, a copy of which per row cost six retains and releases).
        let placements = state.placements, noPlacement = PlacementState(ref: .none, child: .none, start: 0)
        func time(_ ms: Int64?) -> CSVCell { .time(ms.map { Timestamp(millisecondsSinceEpoch: $0) }) }
        let episodes = self.episodes
        let named = codeNames.bySymbol(in: names)
        func name(_ s: Symbol) -> CSVCell { .text(named[s] ?? "") }
        for (k, e) in episodes.enumerated() {
            // The rows' references (an episode's, its child's, its placement's) are symbols
            // in no order the symbol table is in: their texts are asked for ahead, where
            // they are recorded sixteen rows ahead, the texts themselves eight rows ahead.
            if k + 16 < episodes.count { ReadModel.prefetchReferences(of: episodes[k + 16], names, placements, text: false) }
            if k + 8 < episodes.count { ReadModel.prefetchReferences(of: episodes[k + 8], names, placements, text: true) }
            // Cell by cell, not `add(...)`: no array of cells per row in the largest table.
            let p = e.placement >= 0 ? placements[Int(e.placement)] : noPlacement
            t.cell(e.key, in: names); t.cell(e.child, in: names); t.cell(e.key, e.mergedRef, in: names); t.cell(e.category, in: names)
            t.cell(time(e.startedAt)); t.cell(time(e.endedAt)); t.cell(.hours(e.durationHours)); t.cell(.flag(e.counted))
            t.cell(e.riskLevel, in: names); t.cell(e.foundBy, in: names); t.cell(.flag(e.fromCare)); t.cell(p.ref, in: names)
            t.cell(p.homeUrn, in: names); t.cell(p.placingLA, in: names); t.cell(name(p.placingLA)); t.cell(p.hostLA, in: names); t.cell(name(p.hostLA))
            t.cell(e.reportingForce, in: names); t.cell(name(e.reportingForce)); t.cell(e.foundForce, in: names); t.cell(name(e.foundForce))
            t.cell(time(e.debriefAt)); t.cell(e.rhiOutcome, in: names)
            t.cell(time(e.rhiHeldAt)); t.cell(.flag(e.rhiOnTime)); t.cell(.flag(e.returnNotRecorded))
            try t.endRow()
        }
        return try t.finish()
    }

    /// Asks the processor to start loading the merged episodes of the child whose canonical
    /// root is `root` (for a table that visits children in an order of its own).
    func prefetchEpisodes(ofRoot root: Symbol) {
        episodes.withUnsafeBufferPointer { all in
            for i in episodes(ofRoot: root) { wm_prefetch(all.baseAddress! + Int(i)) }
        }
    }

    /// Asks for the agency episodes those merged episodes were made from (after
    /// `prefetchEpisodes`, some children before).
    func prefetchAgencyEpisodes(ofRoot root: Symbol) {
        episodes.withUnsafeBufferPointer { all in
            state.episodes.withUnsafeBufferPointer { agency in
                for i in episodes(ofRoot: root) {
                    let e = all[Int(i)]
                    wm_prefetch(agency.baseAddress! + Int(e.primary))
                    if e.secondary >= 0 { wm_prefetch(agency.baseAddress! + Int(e.secondary)) }
                }
            }
        }
    }

    /// Asks for where the texts of an episode's references are recorded (`text` false), or
    /// for the texts (`text` true, some rows later).
    @inline(__always)
    static func prefetchReferences(of e: EpisodeView, _ names: Symbols, _ placements: [PlacementState], text: Bool) {
        let place = e.placement >= 0 ? placements[Int(e.placement)].ref : .none
        if text {
            names.prefetchText(e.key); names.prefetchText(e.child); names.prefetchText(e.mergedRef); names.prefetchText(place)
        } else {
            names.prefetchStart(e.key); names.prefetchStart(e.child); names.prefetchStart(e.mergedRef); names.prefetchStart(place)
        }
    }

    /// `care-homes.csv` (by financial year) or `care-homes-monthly.csv` (by month).
    func careHomesTable(_ file: ModelFile, monthly: Bool) throws -> Int {
        var t = CSVTable(file, ReadModel.careHomeColumns)
        // Grouped by (home, period) as numbers: each placement's home once, each episode's
        // period from its start day (month or financial year since year 0); the texts are
        // made once per group, from its first episode's start, and the groups sorted by them.
        var homeNumber: [String: Int] = [:], homeOfPlacement = [Int](repeating: -1, count: placementList.count)
        var homeUrns: [String] = []
        var groupOf: [Int: Int] = [:], members: [[Int]] = [], homeOf: [Int] = []
        let firstMonth = rules.financialYearStartMonth
        for (i, e) in episodes.enumerated() where e.counted {
            guard e.placement >= 0 else { continue }
            var home = homeOfPlacement[Int(e.placement)]
            if home < 0 {
                guard let urn = placementList[Int(e.placement)].homeUrn else { continue }
                home = homeNumber[urn] ?? { homeUrns.append(urn); homeNumber[urn] = homeUrns.count - 1; return homeUrns.count - 1 }()
                homeOfPlacement[Int(e.placement)] = home
            }
            let d = CivilDate(daysSinceEpoch: e.startedAt / 86_400_000)
            let period = monthly ? d.year * 12 + d.month - 1 : financialYearStart(of: d, startMonth: firstMonth)
            let key = home << 24 | period
            if let g = groupOf[key] {
                members[g].append(i)
            } else {
                groupOf[key] = members.count
                members.append([i])
                homeOf.append(home)
            }
        }
        struct Key: Comparable {
            var urn: String, period: String, group: Int
            static func < (a: Key, b: Key) -> Bool { (a.urn, a.period) < (b.urn, b.period) }
        }
        let sortedKeys = members.indices.map { g in
            let start = Timestamp(millisecondsSinceEpoch: episodes[members[g][0]].startedAt)
            return Key(urn: homeUrns[homeOf[g]], period: monthly ? Cell.month(start) : Cell.financialYear(start, startMonth: firstMonth), group: g)
        }.sorted()
        for key in sortedKeys {
            let list = members[key.group].map { episodes[$0] }
            let home = homes[key.urn]
            let outOfArea = list.filter { let p = placementList[Int($0.placement)]; return isOutOfArea(placingLA: p.placingLA, hostLA: p.hostLA) }
            let hostLA = home?.la ?? placementList[Int(list[0].placement)].hostLA
            try t.add(.text(key.urn), .text(home?.name ?? ""), .text(hostLA ?? ""), .text(codeNames.name(hostLA)),
                      .flag(home?.regulated), .text(home?.philomena ?? ""), .text(key.period), .int(list.count), .int(Set(list.map(\.child)).count),
                      .int(outOfArea.count), .int(Set(outOfArea.map(\.child)).count), .hours(Cell.median(list.compactMap(\.durationHours))),
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
        for p in placementList where p.start <= asOf {
            guard isOutOfArea(placingLA: p.placingLA, hostLA: p.hostLA), let host = p.hostLA else { continue }
            rows.append(Row(at: p.start, kind: "hostNotification", child: p.child, subject: p.ref, from: p.placingLA, to: host,
                            completed: p.notifiedAt.flatMap { $0 <= asOf ? $0 : nil }, deadlineHours: rules.hostNotificationDeadlineDays * 24))
        }
        let names = self.names, asOfMs = asOf.millisecondsSinceEpoch
        func time(_ ms: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: ms) }
        for e in episodes {
            if !e.reportingForce.isNone, !e.foundForce.isNone, e.reportingForce != e.foundForce, let found = e.foundAt, found <= asOfMs {
                rows.append(Row(at: time(found), kind: "crossForceFind", child: names.text(e.child), subject: names.text(e.key),
                                from: names.text(e.reportingForce), to: names.text(e.foundForce), completed: e.debriefAt.map(time),
                                deadlineHours: rules.crossForceDebriefDeadlineHours))
            }
            guard e.hasTransfers else { continue }
            for tr in transfers(of: e) where tr.requestedAt <= asOfMs {
                rows.append(Row(at: time(tr.requestedAt), kind: "caseTransfer", child: names.text(e.child), subject: names.text(e.key),
                                from: names.text(tr.from), to: names.text(tr.to), completed: tr.acceptedAt.flatMap { $0 <= asOfMs ? time($0) : nil },
                                deadlineHours: rules.caseTransferDeadlineHours))
            }
        }
        var t = CSVTable(file, ReadModel.handoffColumns)
        // Field by field: a comparison of tuples copied (and retained) four strings a side.
        rows.sort { l, r in
            l.at != r.at ? l.at < r.at : l.kind != r.kind ? l.kind < r.kind : l.subject != r.subject ? l.subject < r.subject : l.to < r.to
        }
        for r in rows {
            let status = handoffStatus(startedAt: r.at.millisecondsSinceEpoch, completedAt: r.completed?.millisecondsSinceEpoch,
                                       asOf: asOf.millisecondsSinceEpoch, deadlineHours: r.deadlineHours)
            try t.add(.text(r.kind), .text(r.child), .text(r.subject), .text(r.from), .text(codeNames.name(r.from)), .text(r.to), .text(codeNames.name(r.to)),
                      .time(r.at), .time(r.completed),
                  .hours(r.completed.map { Double($0.millisecondsSinceEpoch - r.at.millisecondsSinceEpoch) / 3_600_000 }), .text(status))
        }
        return try t.finish()
    }

    /// `missing-now.csv`: the counted episodes open at the as-of moment.
    func missingNowTable(_ file: ModelFile) throws -> Int {
        var t = CSVTable(file, ReadModel.missingNowColumns)
        let names = self.names
        for e in episodes where e.counted && e.endedAt == nil && !e.returnNotRecorded {
            let p = e.placement >= 0 ? placementList[Int(e.placement)] : nil
            try t.add(.text(names.text(e.child)), .text(names.text(e.key)), .time(Timestamp(millisecondsSinceEpoch: e.startedAt)),
                      .hours(Double(asOf.millisecondsSinceEpoch - e.startedAt) / 3_600_000), .text(names.text(e.riskLevel)),
                      .text(p?.placingLA ?? ""), .text(codeNames.name(p?.placingLA)), .text(p?.hostLA ?? ""), .text(codeNames.name(p?.hostLA)))
        }
        return try t.finish()
    }

    /// `children.csv`: one row per child (canonical reference).
    func childrenTable(_ file: ModelFile) throws -> Int {
        var t = CSVTable(file, ReadModel.childColumns)
        let names = self.names
        func time(_ ms: Int64?) -> CSVCell { .time(ms.map { Timestamp(millisecondsSinceEpoch: $0) }) }
        // Room reused from child to child.
        var starts: [Int64] = [], factors: [Symbol] = [], distinct: [Symbol] = []
        for (n, child) in children.enumerated() {
            let root = childRoots[n]
            // Children come in order of their texts, their episodes from anywhere: those of
            // the child two ahead are asked for, then the agency episodes of the next child's.
            if n + 2 < children.count { prefetchEpisodes(ofRoot: childRoots[n + 2]) }
            if n + 1 < children.count { prefetchAgencyEpisodes(ofRoot: childRoots[n + 1]) }
            // The child's episodes are in start order, so the counted starts are too.
            starts.removeAll(keepingCapacity: true)
            factors.removeAll(keepingCapacity: true)
            var open = false
            for i in episodes(ofRoot: root) {
                let e = episodes[Int(i)]
                if e.counted {
                    starts.append(e.startedAt)
                    if e.endedAt == nil && !e.returnNotRecorded { open = true }
                }
                forEachRiskFactor(of: e) { factors.append($0) }
            }
            let repeatMissing = isRepeatMissing(starts: starts, episodes: rules.repeatEpisodes, withinDays: rules.repeatWithinDays)
            // Each factor once, in byte order of the texts (symbols, not texts made per child).
            distinct.removeAll(keepingCapacity: true)
            if !factors.isEmpty {
                factors.sort { $0.raw < $1.raw }
                for (k, f) in factors.enumerated() where k == 0 || factors[k - 1] != f { distinct.append(f) }
                distinct.sort { names.less($0, $1) }
            }
            let placed = placements(ofRoot: root).count { placementList[Int($0)].start <= asOf }
            t.cell(.text(child)); t.cell(.list(refs[n])); t.cell(.int(starts.count)); t.cell(time(starts.first)); t.cell(time(starts.last))
            t.cell(.flag(repeatMissing)); t.cell(.flag(open)); t.cell(.int(placed)); t.cell(distinct, in: names)
            try t.endRow()
        }
        return try t.finish()
    }

    /// `unplaced.csv`: events the projector could not place, never dropped silently.
    func unplacedTable(_ file: ModelFile) throws -> Int {
        var t = CSVTable(file, ReadModel.unplacedColumns)
        for u in unplaced { try t.add(.int(Int(u.offset)), .text(u.id), .text(u.type), .text(u.reason)) }
        return try t.finish()
    }
}
