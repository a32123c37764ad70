import WaymarkTime

/// A child's period of care: from the first DECOM of a run of episodes each starting no
/// later than the previous one ended, to the DEC of the run's last episode (nil while open).
struct PeriodOfCare: Sendable {
    var start: CivilDate
    var end: CivilDate?
}

extension SSDA903Context {
    /// Each child's periods of care, from the episodes with a valid DECOM, as the DfE's rules
    /// work them out.
    var periodsOfCare: [String: [PeriodOfCare]] {
        var out: [String: [PeriodOfCare]] = [:]
        guard let all = episodes else { return out }
        for (child, indices) in episodesByChild {
            var periods: [PeriodOfCare] = []
            var previousEnd: CivilDate? = nil
            for i in indices {
                guard let decom = all[i].decom else { continue }
                if periods.isEmpty || (previousEnd.map { decom > $0 } ?? false) {
                    periods.append(PeriodOfCare(start: decom, end: all[i].dec))
                } else {
                    periods[periods.count - 1].end = all[i].dec
                }
                previousEnd = all[i].dec
            }
            out[child] = periods
        }
        return out
    }
}

extension SSDA903Rules {
    /// Rules on the Missing table (one row per missing or away-without-authorisation period).
    static let missingRules: [SSDA903Rule] = [
        .missing("WM1", "CHILD", .reject, "CHILD is blank or holds characters other than letters, digits, '-' and '_'") { _, m in
            !isUsableChildId(m.child)
        },
        .missing("1004", "MIS_START", .reject, "MIS_START is blank or not a date like 31/03/2023") { _, m in m.start == nil },
        .missing("1005", "MIS_END", .reject, "MIS_END is not a date like 31/03/2023") { _, m in m.hasEnd && m.end == nil },
        .missing("1006", "MISSING", .reject, "MISSING is not a valid code (M missing, A away without authorisation)") { ctx, m in
            m.missing.map { !ctx.codes.missing.contains($0) } ?? false
        },
        .missing("565", "MISSING", .reject, "MIS_START is completed but MISSING does not say whether the child was missing or away") { _, m in
            m.row["MIS_START"] != nil && m.missing == nil
        },
        .missing("566", "MISSING", .reject, "MIS_END is completed but MISSING does not say whether the child was missing or away") { _, m in
            m.hasEnd && m.missing == nil
        },
        .missing("567", "MIS_END", .reject, "the period ends before it starts") { _, m in
            guard let s = m.start, let e = m.end else { return false }
            return s > e
        },
        .missing("586", "MIS_START", .reject, "the period starts on or before the child's date of birth") { _, m in
            guard let s = m.start, let dob = m.dob else { return false }
            return s <= dob
        },
        SSDA903Rule(code: "574", table: .missing, field: "MIS_START", outcome: .reject,
                    reason: "the period starts while the child's previous period is still open, or before it ended", flags: overlappingPeriods),
        .missing("570", "MIS_START", .finding, "the period starts after the end of the collection year") { ctx, m in
            m.start.map { $0 > ctx.year.lastDay } ?? false
        },
        .missing("571", "MIS_END", .finding, "the period ends before the start or after the end of the collection year") { ctx, m in
            m.end.map { $0 < ctx.year.firstDay || $0 > ctx.year.lastDay } ?? false
        },
        SSDA903Rule(code: "INT04", table: .missing, field: "CHILD", outcome: .finding, reason: "the child is in Missing but not in Header") { ctx in
            guard let header = ctx.header, let missing = ctx.missing else { return [] }
            let known = Set(header.map(\.child))
            return missing.indices.filter { !known.contains(missing[$0].child) }
        },
        SSDA903Rule(code: "INT13", table: .missing, field: "DOB", outcome: .finding, reason: "the date of birth differs from the child's in Header") { ctx in
            guard let header = ctx.header, let missing = ctx.missing else { return [] }
            var dates: [String: Set<CivilDate>] = [:]
            for h in header { if let dob = h.dob { dates[h.child, default: []].insert(dob) } }
            return missing.indices.filter { i in
                guard let dob = missing[i].dob, let known = dates[missing[i].child] else { return false }
                return known.contains { $0 != dob }
            }
        },
        SSDA903Rule(code: "575", table: .missing, field: "MIS_END", outcome: .finding,
                    reason: "the placement the child went missing from has ended but the period has no end date") { ctx in
            guard let missing = ctx.missing, let episodes = ctx.episodes else { return [] }
            return missing.indices.filter { i in
                let m = missing[i]
                guard m.row["MIS_END"] == nil, let s = m.start else { return false }
                return (ctx.episodesByChild[m.child] ?? []).contains { j in
                    guard let decom = episodes[j].decom, let dec = episodes[j].dec else { return false }
                    return s >= decom && s <= dec
                }
            }
        },
        SSDA903Rule(code: "577", table: .missing, field: "MIS_END", outcome: .finding,
                    reason: "the child ceased to be looked after but the period has no end date, or it ends outside the period of care") { ctx in
            guard let missing = ctx.missing, ctx.episodes != nil else { return [] }
            let pocs = ctx.periodsOfCare
            return missing.indices.filter { i in
                let m = missing[i]
                guard let s = m.start, let periods = pocs[m.child], !periods.isEmpty else { return false }
                return periods.allSatisfy { p in
                    (m.end == nil && p.end != nil) || (m.end == nil && s < p.start)
                        || (m.end != nil && p.end != nil && m.end! > p.end!) || (m.end.map { $0 < p.start } ?? false)
                }
            }
        },
        SSDA903Rule(code: "578", table: .missing, field: "MIS_START", outcome: .finding,
                    reason: "the period starts outside every period of care of the child") { ctx in
            guard let missing = ctx.missing, ctx.episodes != nil else { return [] }
            let pocs = ctx.periodsOfCare
            return missing.indices.filter { i in
                let m = missing[i]
                guard let s = m.start, let periods = pocs[m.child], !periods.isEmpty else { return false }
                return periods.allSatisfy { p in s < p.start || (p.end.map { s > $0 } ?? false) }
            }
        },
        SSDA903Rule(code: "581", table: .missing, field: "MIS_START", outcome: .finding,
                    reason: "the child is missing but had not started to be looked after (the period starts in no episode)") { ctx in
            guard let missing = ctx.missing, let episodes = ctx.episodes else { return [] }
            return missing.indices.filter { i in
                let m = missing[i]
                guard let own = ctx.episodesByChild[m.child], !own.isEmpty else { return false }
                guard let s = m.start else { return true }
                return !own.contains { j in
                    guard let decom = episodes[j].decom else { return false }
                    return s >= decom && (episodes[j].dec.map { s <= $0 } ?? true)
                }
            }
        },
    ]

    /// Rule 574: per child, periods in order of their end (a period still open ordered by its
    /// start), then start; a period is flagged when the one before it is still open or ends
    /// after it starts.
    static func overlappingPeriods(_ ctx: SSDA903Context) -> [Int] {
        guard let missing = ctx.missing else { return [] }
        func key(_ i: Int) -> (String, Int64, Int64, Int) {
            let m = missing[i]
            let never = Int64.max
            let fill = (m.end ?? m.start).map(\.daysSinceEpoch) ?? never
            return (m.child, fill, m.start?.daysSinceEpoch ?? never, i)
        }
        let order = missing.indices.sorted { key($0) < key($1) }
        var flagged: [Int] = []
        for (a, b) in zip(order, order.dropFirst()) where missing[a].child == missing[b].child {
            guard let previousEnd = missing[a].end else { flagged.append(b); continue }
            if let s = missing[b].start, s < previousEnd { flagged.append(b) }
        }
        return flagged.sorted()
    }
}
