import WaymarkTime

/// Two cells are the same, as the DfE's rules compare them: a blank cell equals nothing.
private func same(_ a: String?, _ b: String?) -> Bool { a != nil && a == b }

/// The placement a row describes, as the DfE compares placements (PLACE, PL_POST, URN,
/// PLACE_PROVIDER); postcodes compared in their normalised form.
private func placementFields(_ e: EpisodeRow) -> [String?] {
    [e.place, e.plPost.map { Postcode($0)?.normalised ?? $0 }, e.urn, e.provider]
}

extension SSDA903Rules {
    static let temporaryPlacements: Set<String> = ["T0", "T1", "T2", "T3", "T4"]

    /// Pairs (previous, this) of consecutive episodes of each child in DECOM order.
    static func consecutive(_ code: String, _ field: String, _ outcome: SSDA903Rule.Outcome, _ reason: String,
                            _ test: @escaping @Sendable (SSDA903Context, EpisodeRow, EpisodeRow) -> Bool) -> SSDA903Rule {
        .episodeChain(code, field, outcome, reason) { ctx, all, chain in
            zip(chain, chain.dropFirst()).compactMap { p, e in test(ctx, all[p], all[e]) ? e : nil }
        }
    }

    /// Rules on the Episodes table (one row per episode of care).
    static let episodeRules: [SSDA903Rule] = [
        .episode("WM1", "CHILD", .reject, "CHILD is blank or holds characters other than letters, digits, '-' and '_'") { _, e in
            !isUsableChildId(e.child)
        },
        .episode("WM3", "DECOM", .reject, "DECOM is blank: an episode needs its start date") { _, e in e.row["DECOM"] == nil },
        .episode("141", "DECOM", .reject, "DECOM is not a date like 31/03/2023") { _, e in e.row["DECOM"] != nil && e.decom == nil },
        .episode("143", "RNE", .reject, "RNE is not a valid code (S, L, P, T, B, U)") { ctx, e in e.rne.map { !ctx.codes.rne.contains($0) } ?? false },
        .episode("144", "LS", .reject, "LS is not a valid legal status code") { ctx, e in e.ls.map { !ctx.codes.legalStatus.contains($0) } ?? false },
        .episode("145", "CIN", .reject, "CIN is not a valid category of need code") { ctx, e in e.cin.map { !ctx.codes.categoryOfNeed.contains($0) } ?? false },
        .episode("146", "PLACE", .reject, "PLACE is not a valid placement type for this collection year") { ctx, e in
            e.place.map { !ctx.codes.placement.contains($0) } ?? false
        },
        .episode("WM4", "PLACE", .reject, "PLACE is blank: an episode needs its placement type") { _, e in e.place == nil },
        .episode("147", "DEC", .reject, "DEC is not a date like 31/03/2023") { _, e in e.hasEnd && e.dec == nil },
        .episode("149", "REC", .reject, "REC is not a valid reason for the episode ending") { ctx, e in e.rec.map { !ctx.codes.reasonCeased.contains($0) } ?? false },
        .episode("178", "PLACE_PROVIDER", .reject, "PLACE_PROVIDER is not a valid code") { ctx, e in
            e.provider.map { !ctx.codes.provider.contains($0) } ?? false
        },
        .episode("1009", "REASON_PLACE_CHANGE", .reject, "REASON_PLACE_CHANGE is not a valid code") { ctx, e in
            e.reasonPlaceChange.map { !ctx.codes.reasonPlaceChange.contains($0) } ?? false
        },
        .episode("356", "DEC", .reject, "the episode ends before it starts") { _, e in
            guard let s = e.decom, let d = e.dec else { return false }
            return d < s
        },
        consecutive("501", "DECOM", .reject, "the episode starts before the previous episode ended") { _, p, e in
            guard let s = e.decom, let d = p.dec else { return false }
            return s < d
        },
        .episode("WM5", "URN", .finding, "URN is not SC and 6 digits, a 7-digit number or XXXXXXX: the home is not recorded") { _, e in
            e.urn.map { OfstedURN.normalised($0) == nil } ?? false
        },
        .episode("392c", "PL_POST", .finding, "HOME_POST or PL_POST is not a postcode") { _, e in
            [e.homePost, e.plPost].contains { $0.map { Postcode($0) == nil } ?? false }
        },
        .episode("148", "DEC", .finding, "DEC and REC must both be completed or both be blank") { _, e in
            e.hasEnd != (e.rec != nil)
        },
        .episode("213", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER is not required for a temporary placement") { ctx, e in
            (ctx.year.startYear >= 2025 ? temporaryPlacements.union(["Z11", "Z12", "Z13", "Z14"]) : temporaryPlacements).contains(e.place ?? "")
                && e.provider != nil
        },
        .episode("526", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER is blank for a placement that needs one") { ctx, e in
            let exempt = ctx.year.startYear >= 2025 ? temporaryPlacements.union(["Z11", "Z12", "Z13", "Z14"]) : temporaryPlacements.union(["Z1"])
            return !exempt.contains(e.place ?? "-") && e.provider == nil
        },
        .episode("527", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER PR1 cannot go with placements P1, R2 or R5") { _, e in
            ["P1", "R2", "R5"].contains(e.place ?? "") && e.provider == "PR1"
        },
        .episode("528", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER PR2 cannot go with placements P1, R2 or R5") { _, e in
            ["P1", "R2", "R5"].contains(e.place ?? "") && e.provider == "PR2"
        },
        .episode("529", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER PR3 cannot go with placements P1, A3-A6, K1, K2 or U1-U6") { _, e in
            ["A3", "A4", "A5", "A6", "K1", "K2", "P1", "U1", "U2", "U3", "U4", "U5", "U6"].contains(e.place ?? "") && e.provider == "PR3"
        },
        .episode("530", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER PR4 cannot go with placement P1") { _, e in e.place == "P1" && e.provider == "PR4" },
        .episode("531", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER PR5 cannot go with placement P1") { _, e in e.place == "P1" && e.provider == "PR5" },
        .episode("550", "PLACE_PROVIDER", .finding, "PLACE_PROVIDER PR0 can only go with placement P1") { _, e in e.place != "P1" && e.provider == "PR0" },
        .episode("353", "DECOM", .finding, "no episode can start before 14 October 1991") { _, e in
            e.decom.map { $0 < CivilDate(year: 1991, month: 10, day: 14) } ?? false
        },
        .episode("354", "DECOM", .finding, "the episode starts after the end of the collection year") { ctx, e in e.decom.map { $0 > ctx.year.lastDay } ?? false },
        .episode("385", "DEC", .finding, "the episode ends after the end of the collection year") { ctx, e in e.dec.map { $0 > ctx.year.lastDay } ?? false },
        .episode("355", "DEC", .finding, "the episode appears to have lasted less than 24 hours (DEC is DECOM)") { _, e in
            e.decom != nil && e.decom == e.dec
        },
        .episode("380", "RNE", .finding, "a period of care cannot start with a temporary placement (RNE must be P or B)") { _, e in
            temporaryPlacements.contains(e.place ?? "") && !["P", "B"].contains(e.rne ?? "")
        },
        .episode("381", "REC", .finding, "a period of care cannot end with a temporary placement") { _, e in
            temporaryPlacements.contains(e.place ?? "") && e.rec != nil && e.rec != "X1"
        },
        .episode("392d", "PL_POST", .finding, "HOME_POST and PL_POST are the same but the placement is not P1") { _, e in
            e.place != "P1" && same(e.homePost.flatMap { Postcode($0)?.normalised }, e.plPost.flatMap { Postcode($0)?.normalised })
        },
        .episodeChain("142", "DEC", .finding, "a later episode has started, but this one has no DEC or REC") { _, all, chain in
            chain.dropLast().filter { all[$0].decom != nil && (all[$0].dec == nil || all[$0].rec == nil) }
        },
        .episodeChain("357", "RNE", .finding, "the child's first episode starts in the collection year but RNE is not S") { ctx, all, chain in
            guard let first = chain.first(where: { all[$0].decom != nil }), all[first].decom! >= ctx.year.firstDay, all[first].rne != "S" else { return [] }
            return [first]
        },
        .episodeChain("388", "REC", .finding, "REC and the next episode disagree: X1 needs an episode starting on DEC, and other codes none") { _, all, chain in
            var out: [Int] = []
            for (k, i) in chain.enumerated() {
                let e = all[i]
                guard let dec = e.dec else { continue }
                if k + 1 < chain.count, let next = all[chain[k + 1]].decom {
                    if e.rec == "X1" && dec != next { out.append(i) }
                    if let rec = e.rec, rec != "X1", dec == next { out.append(i) }
                } else if k + 1 == chain.count, e.rec == "X1" {
                    out.append(i)
                }
            }
            return out
        },
        consecutive("431", "RNE", .finding, "RNE is S but the previous episode ended on or after this one started") { _, p, e in
            guard e.rne == "S", let s = e.decom, let d = p.dec else { return false }
            return s <= d
        },
        consecutive("432", "RNE", .finding, "the previous episode ended care but RNE is not S") { _, p, e in
            ["E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11", "E12", "E13", "E14", "E15", "E16", "E17",
             "E41", "E45", "E46", "E47", "E48"].contains(p.rec ?? "") && e.rne != "S"
        },
        consecutive("433", "DECOM", .finding, "RNE says this episode continues the last, but it does not start on the day the last ended") { _, p, e in
            ["P", "L", "T", "U", "B"].contains(e.rne ?? "") && (p.dec == nil || e.decom == nil || p.dec != e.decom)
        },
        consecutive("434", "RNE", .finding, "RNE is L (legal status only) but the legal status is unchanged or the placement changed") { _, p, e in
            e.rne == "L" && (same(e.ls, p.ls) || placementFields(e).map { $0 ?? "" } != placementFields(p).map { $0 ?? "" })
        },
        consecutive("435", "RNE", .finding, "RNE is P or T (placement only) but the legal status changed or the placement did not") { _, p, e in
            ["P", "T"].contains(e.rne ?? "") && ((e.ls == nil || p.ls == nil || e.ls != p.ls) || zip(placementFields(e), placementFields(p)).allSatisfy { same($0, $1) })
        },
        consecutive("436", "RNE", .finding, "RNE is B or U (legal status and placement) but one of them did not change") { _, p, e in
            ["B", "U"].contains(e.rne ?? "") && ((e.ls ?? "*") == (p.ls ?? "*") || placementFields(e).map { $0 ?? "*" } == placementFields(p).map { $0 ?? "*" })
        },
        consecutive("437", "REC", .finding, "the episode ended because the child died or turned 18 (E2, E15) but there are later episodes") { _, p, _ in
            ["E2", "E15"].contains(p.rec ?? "")
        }.flaggingPrevious,
        consecutive("504", "CIN", .finding, "the category of need differs from the one at the start of the period of care") { _, p, e in
            p.rec == "X1" && p.dec != nil && p.dec == e.decom && e.cin != p.cin
        },
        consecutive("225", "REASON_PLACE_CHANGE", .finding, "the placement changed (next RNE P, B, T or U) but REASON_PLACE_CHANGE is blank") { _, p, e in
            p.rec == "X1" && p.reasonPlaceChange == nil && !temporaryPlacements.contains(p.place ?? "")
                && ["P", "B", "T", "U"].contains(e.rne ?? "") && !temporaryPlacements.contains(e.place ?? "")
        }.flaggingPrevious,
        .episodeChain("226", "REASON_PLACE_CHANGE", .finding, "REASON_PLACE_CHANGE is not required for a temporary placement or the one before it") { _, all, chain in
            chain.enumerated().compactMap { k, i in
                let e = all[i]
                guard temporaryPlacements.contains(e.place ?? "") else { return nil }
                let previous = k > 0 ? all[chain[k - 1]].reasonPlaceChange : nil
                return e.reasonPlaceChange != nil || previous != nil ? i : nil
            }
        },
        .episodeChain("383", "PLACE", .finding, "after a temporary placement the child must return to the placement before it (RNE P, same PLACE and PL_POST)") { _, all, chain in
            guard chain.count >= 3 else { return [] }
            return (2..<chain.count).compactMap { k in
                let before = all[chain[k - 2]], temp = all[chain[k - 1]], e = all[chain[k]]
                guard temporaryPlacements.contains(temp.place ?? "") else { return nil }
                let samePost = (e.plPost.flatMap { Postcode($0)?.normalised } ?? e.plPost) == (before.plPost.flatMap { Postcode($0)?.normalised } ?? before.plPost)
                return e.rne != "P" || e.place != before.place || !samePost ? chain[k] : nil
            }
        },
        SSDA903Rule(code: "INT03", table: .episodes, field: "CHILD", outcome: .finding, reason: "the child is in Episodes but not in Header") { ctx in
            guard let header = ctx.header, let episodes = ctx.episodes else { return [] }
            let known = Set(header.map(\.child))
            return episodes.indices.filter { !known.contains(episodes[$0].child) }
        },
        .episodeChain("302", "DECOM", .finding, "the child's first episode starts before the child was born") { ctx, all, chain in
            guard let first = chain.first(where: { all[$0].decom != nil }), let dob = ctx.headerByChild[all[first].child]?.dob,
                  dob > all[first].decom! else { return [] }
            return [first]
        },
        .episode("352", "RNE", .finding, "the child started to be looked after aged 18 or over") { ctx, e in
            guard e.rne == "S", let s = e.decom, let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return dob.addingYears(18) <= s
        },
        .episode("358", "LS", .finding, "legal status J1-J3 is not possible for a child under 10") { ctx, e in
            guard ["J1", "J2", "J3"].contains(e.ls ?? ""), let s = e.decom, let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return dob.addingYears(10) >= s
        },
        .episode("214", "PL_POST", .finding, "placement location is not required for legal status V3 or V4") { _, e in
            ["V3", "V4"].contains(e.ls ?? "") && (e.plPost != nil || e.urn != nil)
        },
    ]
}

extension SSDA903Rule {
    /// The same rule flagging the earlier episode of each pair it finds.
    var flaggingPrevious: SSDA903Rule {
        let inner = flags
        return SSDA903Rule(code: code, table: table, field: field, outcome: outcome, reason: reason) { ctx in
            let flagged = Set(inner(ctx))
            var out: [Int] = []
            for chain in ctx.episodesByChild.values {
                for (p, e) in zip(chain, chain.dropFirst()) where flagged.contains(e) { out.append(p) }
            }
            return out.sorted()
        }
    }
}
