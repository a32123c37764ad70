import WaymarkTime

/// Rules on a child's age or an episode's length, by placement type, legal status and the
/// reason care ended (Episodes with Header's dates of birth).
extension SSDA903Rules {
    /// A closed episode of placement `place` (or, when `place` is nil, any of `places`) that
    /// started before the child was `years` old (the DfE checks only closed episodes).
    static func startedTooYoung(_ code: String, _ place: String, _ years: Int, _ reason: String) -> SSDA903Rule {
        .episode(code, "DECOM", .finding, reason) { ctx, e in
            guard e.place == place, let s = e.decom, e.dec != nil, let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return s < dob.addingYears(years)
        }
    }

    /// A closed temporary placement of type `place` that lasted more than `days` days.
    static func lastedTooLong(_ code: String, _ place: String, _ days: Int64, _ reason: String) -> SSDA903Rule {
        .episode(code, "DEC", .finding, reason) { ctx, e in
            guard e.place == place, let s = e.decom, let d = e.dec, ctx.headerByChild[e.child]?.dob != nil else { return false }
            return d.daysSinceEpoch > s.daysSinceEpoch + days
        }
    }

    /// Care that ended for a reason in `recs` when the child was under `years` old
    /// (`flaggedWhenUnder`), or had reached that age (not `flaggedWhenUnder`).
    static func endedAtAge(_ code: String, _ recs: Set<String>, _ years: Int, flaggedWhenUnder: Bool, _ reason: String) -> SSDA903Rule {
        .episode(code, "REC", .finding, reason) { ctx, e in
            guard recs.contains(e.rec ?? ""), let d = e.dec, let dob = ctx.headerByChild[e.child]?.dob else { return false }
            let reached = dob.addingYears(years) <= d
            return flaggedWhenUnder ? !reached : reached
        }
    }

    static let ageRules: [SSDA903Rule] = [
        .episode("370", "DECOM", .finding, "a child in independent living (P2) should be at least 16 (15 before 2023-24)") { ctx, e in
            guard e.place == "P2", let s = e.decom, e.dec != nil, let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return s < dob.addingYears(ctx.year.startYear >= 2023 ? 16 : 15)
        },
        .episode("371", "DECOM", .finding, "a child in semi-independent or supported accommodation (H5, K3 from 2024-25) should be at least 16") { ctx, e in
            guard e.place == (ctx.year.startYear >= 2024 ? "K3" : "H5"), let s = e.decom, e.dec != nil,
                  let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return s < dob.addingYears(16)
        },
        startedTooYoung("372", "R5", 10, "a child in youth custody or prison (R5) should be at least 10"),
        startedTooYoung("373", "S1", 4, "a child placed in a school (S1) should be at least 4"),
        startedTooYoung("374", "P3", 14, "a child in residential employment (P3) should be at least 14"),
        lastedTooLong("375", "T1", 42, "hospitalisation coded as a temporary placement (T1) exceeds six weeks"),
        lastedTooLong("376", "T3", 21, "a temporary placement for the usual foster carer's holiday (T3) exceeds three weeks"),
        lastedTooLong("379", "T4", 7, "a temporary placement for an unspecified reason (T4) exceeds seven days"),
        endedAtAge("386", ["E11", "E12"], 18, flaggedWhenUnder: false, "care ended by adoption (E11, E12) but the child had reached 18"),
        endedAtAge("387", ["E5", "E6"], 14, flaggedWhenUnder: true, "care ended for independent living (E5, E6) but the child was under 14"),
        endedAtAge("389", ["E7"], 16, flaggedWhenUnder: true, "care ended by transfer to adult social care (E7) but the child was under 16"),
        endedAtAge("460", ["E17"], 18, flaggedWhenUnder: true, "care ended with the child staying with carers at 18 (E17) but the child was under 18"),
        .episode("407", "REC", .finding, "care ended by a special guardianship order (E45-E48) but the child had turned 18") { ctx, e in
            guard ["E45", "E46", "E47", "E48"].contains(e.rec ?? ""), let d = e.dec, let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return dob.addingYears(18) < d
        },
        .episode("365", "DEC", .finding, "a short-term respite placement (V3) exceeds 17 days") { ctx, e in
            guard e.ls == "V3", let s = e.decom, let d = e.dec ?? (e.hasEnd ? nil : ctx.year.lastDay) else { return false }
            return d.daysSinceEpoch > s.daysSinceEpoch + 17
        },
        .episode("445", "LS", .finding, "legal status D1 is not valid for episodes starting after December 2005") { _, e in
            e.ls == "D1" && (e.decom.map { $0 > CivilDate(year: 2005, month: 12, day: 31) } ?? false)
        },
        .episode("446", "LS", .finding, "legal status E1 is not valid for episodes starting before December 2005") { _, e in
            e.ls == "E1" && (e.decom.map { $0 < CivilDate(year: 2005, month: 12, day: 1) } ?? false)
        },
        .episode("217", "RNE", .finding, "placed for adoption with current foster carers (A3, A5) but RNE is not S, T or U") { _, e in
            ["A3", "A5"].contains(e.place ?? "") && (e.decom.map { $0 >= CivilDate(year: 2015, month: 4, day: 1) } ?? false)
                && !["S", "T", "U"].contains(e.rne ?? "")
        },
        .episode("378", "LS", .finding, "a child placed with parents (P1) cannot be looked after under a single period of accommodation (V2)") { _, e in
            e.place == "P1" && e.ls == "V2"
        },
        .episode("382", "PLACE", .finding, "a child receiving respite care (V3, V4) cannot be in a temporary placement") { _, e in
            ["V3", "V4"].contains(e.ls ?? "") && temporaryPlacements.contains(e.place ?? "")
        },
        .episode("384", "PLACE", .finding, "a child receiving respite care (V3, V4) cannot be in a long-term foster placement (U1, U4)") { _, e in
            ["V3", "V4"].contains(e.ls ?? "") && ["U1", "U4"].contains(e.place ?? "")
        },
    ]
}
