import WaymarkTime

/// Rules on URNs, respite care, mothers and the Header-Episodes pairing, which change by year.
extension SSDA903Rules {
    /// Placement types that have no Ofsted URN in collection year `year` (rules 218 and 222).
    static func withoutURN(_ year: CollectionYear, forRule222: Bool) -> Set<String> {
        var codes: Set<String> = ["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4"]
        codes.formUnion(year.startYear >= 2025 ? ["Z11", "Z12", "Z13", "Z14"] : ["Z1"])
        if year.startYear < 2024 { codes.insert("P2") }
        if forRule222 ? year.startYear < 2023 : year.startYear < 2024 { codes.insert("H5") }
        return codes
    }

    static let placementRules: [SSDA903Rule] = [
        .episode("218", "URN", .finding, "the placement needs its Ofsted URN") { ctx, e in
            guard e.urn == nil, let place = e.place, !withoutURN(ctx.year, forRule222: false).contains(place) else { return false }
            return e.dec.map { $0 >= ctx.year.firstDay } ?? !e.hasEnd
        },
        .episode("222", "URN", .finding, "an Ofsted URN should not be recorded for this placement type") { ctx, e in
            guard let urn = e.urn, urn != "XXXXXXX", let place = e.place else { return false }
            return withoutURN(ctx.year, forRule222: true).contains(place)
        },
        .episode("230", "URN", .finding, "an H5 placement open on or after 29 October 2023 needs its Ofsted URN") { ctx, e in
            guard ctx.year.startYear >= 2023, e.place == "H5", e.urn == nil || e.urn == "XXXXXXX" else { return false }
            return e.dec.map { $0 >= CivilDate(year: 2023, month: 10, day: 29) } ?? !e.hasEnd
        },
        .episode("217t", "PLACE", .finding, "placement type P2 is not valid after 28 October 2023") { ctx, e in
            guard ctx.year.startYear >= 2023, e.place == "P2" else { return false }
            return e.dec.map { $0 > CivilDate(year: 2023, month: 10, day: 28) } ?? !e.hasEnd
        },
        SSDA903Rule(code: "426", table: .episodes, field: "LS", outcome: .finding,
                    reason: "a child receiving respite care cannot have legal status V3 and V4 in the same year") { ctx in
            guard let episodes = ctx.episodes else { return [] }
            return ctx.episodesByChild.values.flatMap { chain -> [Int] in
                let statuses = Set(chain.compactMap { episodes[$0].ls })
                return statuses.isSuperset(of: ["V3", "V4"]) ? chain.filter { ["V3", "V4"].contains(episodes[$0].ls ?? "") } : []
            }.sorted()
        },
        .episode("359", "LS", .finding, "a child looked after past 18 must be accommodated under V2 in a community home (K2)") { ctx, e in
            guard !e.hasEnd, !(e.ls == "V2" && e.place == "K2"), let dob = ctx.headerByChild[e.child]?.dob else { return false }
            return dob.addingYears(18) < ctx.year.lastDay
        },
        .missing("564", "MIS_START", .reject, "MISSING says the child was missing or away but MIS_START is blank") { _, m in
            m.missing != nil && m.row["MIS_START"] == nil
        },
        .header("209", "UPN", .finding, "a child of school age should not have UPN UN1") { ctx, h in
            guard h.upn == "UN1", let dob = h.dob else { return false }
            return CivilDate(year: ctx.year.startYear - 1, month: 8, day: 31) >= dob.addingYears(4)
        },
        SSDA903Rule(code: "442", table: .header, field: "UPN", outcome: .finding, reason: "the UPN is blank") { ctx in
            guard let header = ctx.header, let episodes = ctx.episodes else { return [] }
            let needed = Set(episodes.filter { !["V3", "V4"].contains($0.ls ?? "") }.map(\.child))
            return header.indices.filter { header[$0].upn == nil && needed.contains(header[$0].child) }
        },
        SSDA903Rule(code: "393", table: .header, field: "MOTHER", outcome: .finding, reason: "the child is looked after but MOTHER is blank") { ctx in
            guard let header = ctx.header, let episodes = ctx.episodes else { return [] }
            let lookedAfter = Set(episodes.filter { !["V3", "V4"].contains($0.ls ?? "") }.map(\.child))
            let girl = ctx.year.startYear >= 2024 ? "F" : "2"
            return header.indices.filter { header[$0].sex == girl && header[$0].mother == nil && lookedAfter.contains(header[$0].child) }
        },
        .episode("607", "REC", .finding, "the child ceased to be looked after in the year, but MOTHER is blank") { ctx, e in
            guard let d = e.dec, let rec = e.rec, rec != "X1", !["V3", "V4"].contains(e.ls ?? ""),
                  d >= ctx.year.firstDay, d <= ctx.year.lastDay, let h = ctx.headerByChild[e.child] else { return false }
            return h.sex == (ctx.year.startYear >= 2024 ? "F" : "2") && h.mother == nil
        },
        SSDA903Rule(code: "EPI", table: .header, field: "CHILD", outcome: .finding, reason: "the child is in Header but has no episodes") { ctx in
            guard let header = ctx.header else { return [] }
            let withEpisodes = Set((ctx.episodes ?? []).map(\.child))
            return header.indices.filter { !withEpisodes.contains(header[$0].child) }
        },
        // The placement LA, where the return's PL_LA or the postcode map gives it (the DfE
        // derives it from the ONS postcode table): run only for episodes whose LA is known.
        SSDA903Rule(code: "1015", table: .episodes, field: "PLACE_PROVIDER", outcome: .finding,
                    reason: "the placement provider is the LA's own provision (PR1) but the placement is in another LA") { ctx in
            guard let all = ctx.episodes else { return [] }
            let exempt = Set(["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"] + (ctx.year.startYear >= 2025 ? ["K3"] : []))
            return all.indices.filter { i in
                let e = all[i]
                guard e.provider == "PR1", let ls = e.ls, let place = e.place, !["V3", "V4"].contains(ls), !exempt.contains(place),
                      let host = ctx.placementLA[i] else { return false }
                return host != ctx.la
            }
        },
        SSDA903Rule(code: "420", table: .episodes, field: "PL_LA", outcome: .finding,
                    reason: "the LA of placement is known but the child is looked after under legal status V3 or V4") { ctx in
            guard let all = ctx.episodes else { return [] }
            return all.indices.filter { ["V3", "V4"].contains(all[$0].ls ?? "") && ctx.placementLA[$0] != nil }
        },
        .episodeChain("625", "DEC", .finding, "the mother's child was born after the collection year or after care ended") { ctx, all, chain in
            guard let mc = ctx.headerByChild[all[chain[0]].child]?.mcDob,
                  let last = chain.filter({ all[$0].dec != nil }).max(by: { all[$0].dec! < all[$1].dec! }) else { return [] }
            return mc > ctx.year.lastDay || mc > all[last].dec! ? [last] : []
        },
    ]
}
