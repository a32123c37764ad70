import WaymarkTime

/// Rules on how long a legal status may last (police protection, emergency protection and
/// child assessment orders, PACE detention, respite care), and on adoption.
extension SSDA903Rules {
    /// Runs of episodes with legal status `status` that follow one another (each ends the day
    /// the next episode of the child starts; an open one ends with the collection year) and
    /// last more than `days` in all (rules 361, 362).
    static func continuousStatus(_ code: String, _ status: String, _ days: Int64, _ reason: String) -> SSDA903Rule {
        .episodeChain(code, "LS", .finding, reason) { ctx, all, chain in
            var groups: [[Int]] = []
            var previousFlowed = false
            for (k, i) in chain.enumerated() where all[i].ls == status {
                let end = all[i].dec ?? ctx.year.lastDay
                if previousFlowed, !groups.isEmpty { groups[groups.count - 1].append(i) } else { groups.append([i]) }
                previousFlowed = k + 1 < chain.count && all[chain[k + 1]].decom == end
            }
            return groups.flatMap { g -> [Int] in
                let starts = g.compactMap { all[$0].decom }, ends = g.map { all[$0].dec ?? ctx.year.lastDay }
                guard let first = starts.min(), let last = ends.max() else { return [] }
                return last.daysSinceEpoch - first.daysSinceEpoch > days ? g : []
            }
        }
    }

    /// Periods of episodes with legal status `status` (in file order; a period goes on while
    /// each starts no later than the one before ended) whose episodes' lengths add up to more
    /// than `days` (rules 363, 364).
    static func statusPeriods(_ code: String, _ status: String, _ days: Int64, _ reason: String) -> SSDA903Rule {
        SSDA903Rule(code: code, table: .episodes, field: "LS", outcome: .finding, reason: reason) { ctx in
            guard let all = ctx.episodes else { return [] }
            var periods: [[Int]] = []
            var previous: Int? = nil
            for i in all.indices where all[i].ls == status && all[i].decom != nil {
                let newPeriod = previous.map { p in all[p].child != all[i].child || all[i].decom! > (all[p].dec ?? ctx.year.lastDay) } ?? true
                if newPeriod { periods.append([i]) } else { periods[periods.count - 1].append(i) }
                previous = i
            }
            return periods.flatMap { p -> [Int] in
                let total = p.reduce(Int64(0)) { $0 + (all[$1].dec ?? ctx.year.lastDay).daysSinceEpoch - all[$1].decom!.daysSinceEpoch }
                return total > days ? p : []
            }.sorted()
        }
    }

    static let legalStatusRules: [SSDA903Rule] = [
        continuousStatus("361", "L1", 3, "police protection (L1) lasted longer than the 72 hours the Children Act 1989 allows"),
        continuousStatus("362", "L2", 21, "an emergency protection order (L2) lasted longer than 21 days"),
        statusPeriods("363", "L3", 7, "a child assessment order (L3) lasted longer than the 7 days the Children Act 1989 allows"),
        statusPeriods("364", "J2", 21, "detention under PACE (J2) in LA accommodation lasted longer than 21 days"),
        SSDA903Rule(code: "367", table: .episodes, field: "LS", outcome: .finding,
                    reason: "respite care (V3) came to more than 75 days in the collection year") { ctx in
            guard let all = ctx.episodes else { return [] }
            var days: [Int: Int64] = [:]
            for i in all.indices where all[i].ls == "V3" {
                guard let s = all[i].decom else { continue }
                let end = all[i].dec.map { min($0, ctx.year.lastDay) } ?? ctx.year.lastDay
                let d = end.daysSinceEpoch - max(s, ctx.year.firstDay).daysSinceEpoch
                if d > 0 { days[i] = d }
            }
            var total: [String: Int64] = [:]
            for (i, d) in days { total[all[i].child, default: 0] += d }
            return days.keys.filter { total[all[$0].child]! > 75 }.sorted()
        },
        .episode("366", "RNE", .finding, "a child cannot change placement during a short-term respite break (V3 needs RNE S)") { _, e in
            e.ls == "V3" && e.rne != "S"
        },
        .episodeChain("377", "PLACE", .finding, "only two temporary placements for the usual foster carer's holiday (T3) are allowed in a year") { _, all, chain in
            let t3 = chain.filter { all[$0].place == "T3" }
            return t3.count > 2 ? t3 : []
        },
        .episode("390", "REC", .finding, "care ended by adoption (E11, E12) but the child was not placed for adoption (A3-A6)") { _, e in
            ["E11", "E12"].contains(e.rec ?? "") && !["A3", "A4", "A5", "A6"].contains(e.place ?? "")
        },
        .episode("408", "LS", .finding, "placed for adoption with a placement order (A5, A6) but the legal status is not E1") { _, e in
            ["A5", "A6"].contains(e.place ?? "") && e.ls != "E1"
        },
        .episode("451", "LS", .finding, "the child is still freed for adoption (D1), but freeing orders ended on 30 December 2005") { _, e in
            e.ls == "D1" && !e.hasEnd && e.rec == nil
        },
        .episode("516", "PLACE", .finding, "care ended by a special guardianship order to former foster carers (E45, E46) but the child was not in foster care") { _, e in
            ["E45", "E46"].contains(e.rec ?? "") && !["U1", "U2", "U3", "U4", "U5", "U6"].contains(e.place ?? "")
        },
        .episodeChain("336", "PLACE", .finding, "placed for adoption (A3, A4) but the placement before was not foster care or adoption") { _, all, chain in
            let dated = chain.filter { all[$0].decom != nil }
            return zip(dated, dated.dropFirst()).compactMap { p, i in
                ["A3", "A4"].contains(all[i].place ?? "")
                    && !["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"].contains(all[p].place ?? "") ? i : nil
            }
        },
        .episodeChain("199", "REC", .finding, "the episodes show the child was adopted from care before") { _, all, chain in
            var adoptions = 0
            return chain.filter { all[$0].decom != nil }.compactMap { i in
                let adopted = ["E11", "E12"].contains(all[i].rec ?? "")
                if adopted { adoptions += 1 }
                return adoptions > 0 && !(adoptions == 1 && adopted) ? i : nil
            }
        },
        .episode("210", "UPN", .finding, "a child looked after for more than a week at 31 March should not have UPN UN4") { ctx, e in
            guard ctx.headerByChild[e.child]?.upn == "UN4", let s = e.decom else { return false }
            return s >= CivilDate(year: ctx.year.startYear + 1, month: 3, day: 24)
        },
    ]
}
