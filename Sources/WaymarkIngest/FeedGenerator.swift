import Foundation
import WaymarkLog
import WaymarkEvents
import WaymarkTime

/// Writes synthetic agency feeds (CSV in the four feed formats, not events) at realistic
/// London scale, and `manifest.json` listing them in the order to ingest them. The same seed
/// gives the same bytes.
///
/// The shape comes from DOMAIN.md §9 and the seeds: about 9,400 children and 29,500 incidents
/// a year by default; repeat missing with a heavy tail (from one episode to dozens); over 90%
/// back within 48 hours; ages skewed to 15-17; 30% of children looked after, 64% of those
/// placed outside their home LA, about half of those beyond London; about 8% found in
/// another force's area; half of looked-after children's episodes never reported to police;
/// 5% of incidents reported late (first seen a quarter later); 1% with a mistyped report
/// time corrected in the next export; and about 0.3% dirty rows. Police and RHI exports are
/// financial-year-to-date snapshots re-sent each quarter; SSDA903 is sent once a year per LA.
public struct FeedGenerator {
    /// Settings of a run.
    public struct Options: Sendable {
        public var seed: UInt64 = 1
        public var children = 9400
        public var years = 1
        /// The first financial year (April to March) generated.
        public var firstYear = 2022
        public init(seed: UInt64 = 1, children: Int = 9400, years: Int = 1, firstYear: Int = 2022) {
            self.seed = seed; self.children = children; self.years = years; self.firstYear = firstYear
        }
    }

    /// What was written.
    public struct Result: Sendable {
        public var files = 0
        public var incidents = 0
        public var children = 0
        public var manifest: String = ""
    }

    let options: Options
    var rng: SplitMix64

    public init(_ options: Options) {
        self.options = options
        self.rng = SplitMix64(seed: options.seed)
    }

    /// A real postcode district in each London LA (same order as `londonLAs`).
    static let londonDistricts = ["NW1", "SE10", "E8", "W6", "N1", "W8", "SW2", "SE13", "SE1", "E1", "SW18", "W1", "IG11", "N3", "DA5", "NW10",
                                  "BR1", "CR0", "W5", "EN1", "N17", "HA1", "RM1", "UB8", "TW3", "KT1", "SW19", "E13", "IG1", "TW9", "SM1", "E17"]
    static let londonLAs = ["202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "301", "302", "303", "304",
                            "305", "306", "307", "308", "309", "310", "311", "312", "313", "314", "315", "316", "317", "318", "319", "320"]
    /// LAs beyond London that take London placements, with their police force.
    static let hostLAs: [(la: String, force: String, district: String)] = [
        ("886", "KENT", "ME14"), ("881", "ESSEX", "CM1"), ("936", "SURREY", "GU1"), ("919", "HERTS", "AL1"),
        ("887", "KENT", "ME4"), ("356", "GMP", "SK4"), ("330", "WMP", "B15"),
    ]
    static let providers = ["CATCH22", "SAFERLDN", "MISSPEOPLE"]
    static let ethnicities: [(String, Double)] = [("WBRI", 0.30), ("WOTH", 0.09), ("WIRI", 0.01), ("BCRB", 0.10), ("BAFR", 0.12), ("BOTH", 0.05),
                                                   ("MWBC", 0.06), ("MWBA", 0.02), ("MOTH", 0.04), ("APKN", 0.03), ("ABAN", 0.03), ("AIND", 0.02),
                                                   ("AOTH", 0.03), ("CHNE", 0.01), ("OOTH", 0.06), ("REFU", 0.02), ("NOBT", 0.01)]
    static let ages: [(Int, Double)] = [(10, 0.03), (11, 0.05), (12, 0.07), (13, 0.10), (14, 0.13), (15, 0.17), (16, 0.21), (17, 0.24)]

    struct Child {
        var index: Int
        var la: String
        var dob: CivilDate
        var female: Bool
        var ethnicity: String
        var lookedAfter: Bool
        var placements: [Placement] = []
        var rate: Double
    }
    struct Placement { var start: CivilDate; var end: CivilDate?; var type: String; var provider: String; var hostLA: String; var force: String; var district: String; var urn: String? }
    struct Episode {
        var child: Int        // the child's slot in the children array
        var start: Int64      // ms
        var end: Int64?       // ms, nil while still missing
        var police: Bool
        var force: String
        var incident: String
        var category: String
        var risk: String
        var regrade: String?
        var factors: [String]
        var foundBy: String
        var foundForce: String
        var foundLA: String
        var debrief: String?
        var lateQuarters: Int
        var mistyped: Bool
        var dirty: Int        // 0 clean, else which fault
        var rhiOffset: Int64? // ms after return the interview is held (nil: not held)
        var rhiOutcome: String
        var fromCare: Bool
        var placement: Placement?
    }

    /// Generates everything under `directory`.
    public mutating func write(to directory: String) throws -> Result {
        try FileSystem.createDirectory(directory)
        var result = Result()
        var feeds: [(at: String, feed: IngestManifest.Feed)] = []
        func put(_ rel: String, _ text: String) throws {
            let path = directory + "/" + rel
            try FileSystem.createDirectory(FileSystem.parentDirectory(path))
            // Through a new file and a rename: a link planted at the path is replaced, never followed.
            try FileSystem.writeAtomically(Array(text.utf8), to: path, durable: false)
            result.files += 1
        }
        let first = CivilDate(year: options.firstYear, month: 4, day: 1)

        // Care homes: 135 regulated children's homes, 535 unregulated settings; 377 with a Philomena agreement.
        var homesByLA: [String: [String]] = [:]
        var homes = "URN,NAME,LA,REGULATED,SECTOR,PLACES,REGISTERED_ON,PHILOMENA_DATE\n"
        let allLAs = Self.londonLAs + Self.hostLAs.map(\.la)
        for i in 0..<670 {
            let regulated = i < 135
            let la = allLAs[rng.int(allLAs.count)]
            let urn = regulated ? Self.homeURN(i) : "unreg:P\(rng.int(40)):\(i)"
            homesByLA[la, default: []].append(urn)
            let philomena = rng.chance(377.0 / 670.0) ? ISODate.format(CivilDate(daysSinceEpoch: first.daysSinceEpoch - Int64(rng.int(900)))) : ""
            let name = regulated ? "\"\(["Elm", "Oak", "Ash", "Birch", "Cedar", "Willow"][i % 6]) House, \(i)\"" : "Setting \(i)"
            homes += "\(urn),\(name),\(la),\(regulated ? "yes" : "no"),\(regulated && rng.chance(0.3) ? "la" : "private"),\(rng.int(6) + 1),\(ISODate.format(CivilDate(daysSinceEpoch: first.daysSinceEpoch - 365 - Int64(rng.int(3000))))),\(philomena)\n"
        }
        try put("care-homes.csv", homes)
        feeds.append((stamp(first, 0) , .init(adapter: "care-homes", files: ["care-homes.csv"], recordedAt: stamp(first, 0))))
        var postcodes = "postcodeDistrict,la\n"
        for (i, la) in Self.londonLAs.enumerated() { postcodes += "\(Self.londonDistricts[i]),\(la)\n" }
        for h in Self.hostLAs { postcodes += "\(h.district),\(h.la)\n" }
        try put("postcodes.csv", postcodes)

        // Children, and the years.
        var children: [Child] = (0..<options.children).map { newChild($0, yearStart: first) }
        var nextChild = options.children
        for year in 0..<options.years {
            let fyStart = CivilDate(year: options.firstYear + year, month: 4, day: 1)
            let fyEnd = CivilDate(year: options.firstYear + year + 1, month: 4, day: 1)
            if year > 0 {
                // Children who turned 18 leave; as many 10-year-olds join.
                for i in children.indices where ageOn(children[i].dob, fyStart) >= 18 {
                    children[i] = newChild(nextChild, yearStart: fyStart, age: 10)
                    nextChild += 1
                }
            }
            let fy = "\(fyStart.year)-\(String(fyEnd.year).suffix(2))"
            var episodes: [Episode] = []
            for c in children.indices { episodes += self.episodes(for: &children[c], slot: c, from: fyStart, to: fyEnd, counter: episodes.count, fy: fy) }
            episodes.sort { ($0.start, $0.child) < ($1.start, $1.child) }
            result.incidents += episodes.count

            // Police and RHI: financial-year-to-date exports at each quarter end.
            for q in 1...4 {
                let quarterEnd = CivilDate(daysSinceEpoch: CivilDate(year: fyStart.year + (fyStart.month + 3 * q - 1) / 12, month: (fyStart.month + 3 * q - 1) % 12 + 1, day: 1).daysSinceEpoch)
                let cutoff = quarterEnd.daysSinceEpoch * 86_400_000
                var byForce: [String: String] = [:]
                var rhiByProvider: [String: String] = [:]
                for e in episodes where e.start < cutoff && e.police && quarterOf(e.start, fyStart) + e.lateQuarters <= q {
                    byForce[e.force, default: Self.policeHeader] += policeRow(e, children[e.child], cutoff: cutoff, firstSeenQuarter: quarterOf(e.start, fyStart) + e.lateQuarters == q)
                }
                for e in episodes where e.start < cutoff {
                    if let row = rhiRow(e, children[e.child], cutoff: cutoff) {
                        rhiByProvider[provider(for: children[e.child].la), default: Self.rhiHeader] += row
                    }
                }
                let at = stamp(quarterEnd, 1)
                for force in byForce.keys.sorted() {
                    let rel = "police-\(force)/\(fy)-q\(q).csv"
                    try put(rel, byForce[force]!)
                    feeds.append((at, .init(adapter: "police", files: [rel], force: force, recordedAt: at)))
                }
                let rhiAt = stamp(quarterEnd, 10)
                for p in rhiByProvider.keys.sorted() {
                    let rel = "rhi-\(p)/\(fy)-q\(q).csv"
                    try put(rel, rhiByProvider[p]!)
                    feeds.append((rhiAt, .init(adapter: "rhi", files: [rel], provider: p, recordedAt: rhiAt)))
                }
            }
            // SSDA903: one return per LA, a month after the year ends.
            let returnAt = stamp(fyEnd, 30)
            for la in Self.londonLAs {
                let cohort = children.filter { $0.lookedAfter && $0.la == la }
                guard !cohort.isEmpty else { continue }
                var header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n", eps = Self.episodesHeader, missing = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
                for c in cohort {
                    let sex = c.female ? (fyStart.year >= 2024 ? "F" : "2") : (fyStart.year >= 2024 ? "M" : "1")
                    header += "\(childId(c)),\(sex),\(uk(c.dob)),\(c.ethnicity),A\(pad(c.index, 12)),\(c.female ? "0" : ""),\n"
                    eps += episodeRows(c, from: fyStart, to: fyEnd)
                }
                // SSDA903 records days, not times: periods of one child that start on the same
                // day are one period there (the later end kept), as an LA's system records them.
                var periods: [(child: Int, category: String, start: CivilDate, end: CivilDate?, dirty: Bool)] = []
                for e in episodes where e.fromCare && children[e.child].la == la {
                    let start = CivilDate(daysSinceEpoch: e.start / 86_400_000)
                    let end = e.end.flatMap { $0 < fyEnd.daysSinceEpoch * 86_400_000 ? CivilDate(daysSinceEpoch: $0 / 86_400_000) : nil }
                    // Care ends at 18 in the return: no period after it, none open across it.
                    let adult = children[e.child].dob.addingYears(18)
                    if adult < fyEnd, start >= adult || end.map({ $0 > adult }) ?? true { continue }
                    if let i = periods.lastIndex(where: { $0.child == e.child }), periods[i].start == start {
                        periods[i].end = end.flatMap { new in periods[i].end.map { max($0, new) } }
                        continue
                    }
                    periods.append((e.child, e.category, start, end, e.dirty == 3))
                }
                for p in periods {
                    let c = children[p.child]
                    missing += "\(childId(c)),\(uk(c.dob)),\(p.category == "missing" ? "M" : "A"),\(p.dirty ? "31/02/\(p.start.year)" : uk(p.start)),\(p.end.map(uk) ?? "")\n"
                }
                let base = "la-\(la)/\(fy)"
                try put(base + "/header.csv", header)
                try put(base + "/episodes.csv", eps)
                try put(base + "/missing.csv", missing)
                feeds.append((returnAt, .init(adapter: "ssda903", files: [base + "/header.csv", base + "/episodes.csv", base + "/missing.csv"],
                                              la: la, postcodeMap: "postcodes.csv", recordedAt: returnAt, collectionYear: fy)))
            }
        }
        result.children = nextChild
        let ordered = feeds.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element.feed)
        result.manifest = directory + "/manifest.json"
        try put("manifest.json", IngestManifest(feeds: ordered, baseDirectory: directory).json)
        return result
    }

    // MARK: - Children and episodes

    mutating func newChild(_ index: Int, yearStart: CivilDate, age fixedAge: Int? = nil) -> Child {
        let age = fixedAge ?? pick(Self.ages)
        let dob = CivilDate(daysSinceEpoch: yearStart.daysSinceEpoch - Int64(age * 365 + rng.int(365)))
        let lookedAfter = rng.chance(0.30)
        // Repeat missing: most children go missing once or twice a year, a few dozens of times.
        let bucket = rng.double()
        let rate: Double = bucket < 0.45 ? 1 : bucket < 0.65 ? 2 : bucket < 0.75 ? 3 : bucket < 0.85 ? 4.5 : bucket < 0.95 ? 8 : bucket < 0.99 ? 15 : 30
        var child = Child(index: index, la: Self.londonLAs[rng.int(Self.londonLAs.count)], dob: dob, female: rng.chance(0.52),
                          ethnicity: pick(Self.ethnicities), lookedAfter: lookedAfter, rate: rate * (lookedAfter ? 1.4 : 0.8))
        if lookedAfter {
            var start = CivilDate(daysSinceEpoch: yearStart.daysSinceEpoch - Int64(rng.int(1500)) - 30)
            for _ in 0..<(1 + rng.int(3)) {
                let outOfArea = rng.chance(0.64)
                let beyondLondon = outOfArea && rng.chance(0.5)
                let host = beyondLondon ? Self.hostLAs[rng.int(Self.hostLAs.count)] : (la: outOfArea ? Self.londonLAs[rng.int(Self.londonLAs.count)] : child.la, force: "MPS", district: "")
                let district = beyondLondon ? host.district : Self.londonDistricts[Self.londonLAs.firstIndex(of: host.la) ?? 0]
                let home = rng.chance(0.35)
                let type = home ? "K2" : ["U1", "U2", "U3", "U4", "U5", "U6"][rng.int(6)]
                let urn: String? = home ? Self.homeURN(rng.int(135)) : nil
                child.placements.append(Placement(start: start, end: nil, type: type, provider: home ? "PR4" : "PR1", hostLA: host.la, force: host.force, district: district, urn: urn))
                let length = Int64(200 + rng.int(600))
                let next = CivilDate(daysSinceEpoch: start.daysSinceEpoch + length)
                child.placements[child.placements.count - 1].end = next
                start = next
            }
            child.placements[child.placements.count - 1].end = nil
        }
        return child
    }

    /// The child's episodes in one year; `slot` is the child's place in the children array.
    mutating func episodes(for child: inout Child, slot: Int, from start: CivilDate, to end: CivilDate, counter: Int, fy: String) -> [Episode] {
        var out: [Episode] = []
        let lo = start.daysSinceEpoch * 86_400_000, hi = end.daysSinceEpoch * 86_400_000
        let count = poisson(child.rate)
        var starts = (0..<count).map { _ in lo + Int64(rng.double() * Double(hi - lo)) }
        starts.sort()
        var free = lo
        for s0 in starts {
            let s = max(s0, free) + 60_000 * Int64(rng.int(60))
            guard s < hi else { break }
            // Durations: over 90% back within 48 hours.
            let d = rng.double()
            let hours: Double = d < 0.50 ? 1 + rng.double() * 11 : d < 0.75 ? 12 + rng.double() * 12 : d < 0.915 ? 24 + rng.double() * 24
                : d < 0.985 ? 48 + rng.double() * 120 : d < 0.997 ? 168 + rng.double() * 504 : 672 + rng.double() * 600
            let stillMissing = rng.chance(0.003)
            let e = stillMissing ? nil : s + Int64(hours * 3_600_000)
            free = (e ?? hi) + 3_600_000
            let placement = child.lookedAfter ? child.placements.last { $0.start.daysSinceEpoch * 86_400_000 <= s } : nil
            let fromCare = placement != nil
            let force = fromCare ? placement!.force : "MPS"
            let police = fromCare ? rng.chance(0.5) : true
            let foundElsewhere = rng.chance(0.08)
            let other = Self.hostLAs[rng.int(Self.hostLAs.count)]
            let risk = pick([("high", 0.08), ("medium", 0.6), ("low", 0.3), ("noApparentRisk", 0.02)])
            let pool = ["cse", "cce", "countyLines", "gangs", "mentalHealth", "selfHarm"]
            let factors = rng.chance(0.2) ? Array(Set((0..<(1 + rng.int(2))).map { _ in pool[rng.int(pool.count)] })).sorted() : []
            let dirty = rng.chance(0.003) ? 1 + rng.int(3) : 0
            let held = rng.chance(0.85) ? Int64((rng.chance(0.55) ? 2 + rng.double() * 68 : 72 + rng.double() * 200) * 3_600_000) : nil
            out.append(Episode(child: slot, start: s, end: e, police: police, force: force, incident: "\(force)-\(fy)-\(pad(counter + out.count, 6))",
                               category: pick([("missing", 0.8), ("absent", 0.15), ("awayWithoutAuthorisation", 0.05)]), risk: risk,
                               regrade: rng.chance(0.1) ? (risk == "high" ? "medium" : "high") : nil, factors: factors,
                               foundBy: pick([("police", 0.25), ("selfReturned", 0.5), ("parentCarer", 0.1), ("careHomeStaff", 0.1), ("otherAgency", 0.05)]),
                               foundForce: foundElsewhere ? other.force : force, foundLA: foundElsewhere ? other.la : (placement?.hostLA ?? child.la),
                               debrief: rng.chance(0.85) ? pick([("inPerson", 0.7), ("phone", 0.2), ("declined", 0.1)]) : nil,
                               lateQuarters: rng.chance(0.05) ? 1 : 0, mistyped: rng.chance(0.01), dirty: dirty, rhiOffset: held,
                               rhiOutcome: held == nil ? pick([("declined", 0.6), ("noContact", 0.4)]) : "completed", fromCare: fromCare, placement: placement))
        }
        return out
    }

    // MARK: - Rows

    static let policeHeader = "INCIDENT_REF,PERSON_REF,DOB,SEX,ETHNICITY,LA_CHILD_REF,RESPONSIBLE_LA,REPORTED_AT,LAST_SEEN_AT,REPORTED_BY,MISSING_FROM,PLACEMENT_REF,MISSING_LA,CATEGORY,INITIAL_RISK,RISK_FACTORS,RISK_LEVEL,RISK_ASSESSED_AT,FOUND_AT,FOUND_BY,FOUND_LA,FOUND_FORCE,DEBRIEF_AT,DEBRIEF_BY,DEBRIEF_MODE,DEBRIEF_DISCLOSURES,HARM_REPORTED,TRANSFER_TO_FORCE,TRANSFER_KIND,TRANSFER_REQUESTED_AT,TRANSFER_ACCEPTED_AT\n"
    static let rhiHeader = "RHI_REF,CHILD_REF,LA_CHILD_REF,RESPONSIBLE_LA,POLICE_INCIDENT_REF,MISSING_START,OFFERED_AT,HELD_AT,OUTCOME,INDEPENDENT,DISCLOSURES,REFERRALS\n"
    static let episodesHeader = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"

    func policeRow(_ e: Episode, _ c: Child, cutoff: Int64, firstSeenQuarter: Bool) -> String {
        func t(_ ms: Int64) -> String { Timestamp(millisecondsSinceEpoch: ms - ms % 60_000).rfc3339.replacingOccurrences(of: ".000Z", with: "Z") }
        let ended = e.end.map { $0 < cutoff } ?? false
        let reported = e.start + (e.mistyped && firstSeenQuarter ? 36 * 60_000 : 0)
        var category = e.category
        var found = ended ? t(e.end!) : ""
        var reportedText = t(reported)
        switch e.dirty {
        case 1: found = t(e.start - 3_600_000)                                   // found before reported
        case 2: category = "wandering"                                           // unknown code
        case 3: reportedText = reportedText.replacingOccurrences(of: "T", with: " ") // not RFC 3339
        default: break
        }
        let regradeAt = e.regrade != nil && e.start + 7_200_000 < cutoff ? t(e.start + 7_200_000) : ""
        let debriefAt = ended && e.debrief != nil && e.end! + 10_800_000 < cutoff ? t(e.end! + 10_800_000) : ""
        let transfer = ended && e.foundForce != e.force && e.foundBy == "police"
        let fields: [String] = [
            e.incident, "P\(pad(c.index, 7))", ISODate.format(c.dob), c.female ? "female" : "male", c.ethnicity,
            c.lookedAfter && c.index % 7 != 0 ? "la:\(c.la):\(childId(c))" : "", c.lookedAfter ? c.la : "",
            reportedText, t(e.start - 5_400_000), e.fromCare ? "careHomeStaff" : "parent", e.fromCare ? "carePlacement" : "home",
            e.placement.map { "la:\(c.la):\(childId(c)):\(ISODate.format($0.start))" } ?? "", e.placement?.hostLA ?? c.la,
            category, e.risk, e.factors.joined(separator: ";"), regradeAt.isEmpty ? "" : e.regrade!, regradeAt,
            found, ended ? e.foundBy : "", ended ? e.foundLA : "", ended ? e.foundForce : "",
            debriefAt, debriefAt.isEmpty ? "" : e.foundForce, debriefAt.isEmpty ? "" : e.debrief!, "", debriefAt.isEmpty ? "" : "no",
            transfer ? e.foundForce : "", transfer ? "tasking" : "", transfer ? t(e.end! - 1_800_000) : "", transfer ? found : "",
        ]
        return fields.joined(separator: ",") + "\n"
    }

    func rhiRow(_ e: Episode, _ c: Child, cutoff: Int64) -> String? {
        guard let end = e.end, end + 86_400_000 < cutoff else { return nil }
        func t(_ ms: Int64) -> String { Timestamp(millisecondsSinceEpoch: ms - ms % 60_000).rfc3339.replacingOccurrences(of: ".000Z", with: "Z") }
        let offered = end + 86_400_000
        let held = e.rhiOffset.map { end + $0 }.flatMap { $0 < cutoff ? max($0, offered) : nil }
        guard e.rhiOffset == nil || held != nil else { return nil }   // not held yet: not in this return
        let episodeStart = ISODate.format(CivilDate(daysSinceEpoch: e.start / 86_400_000))
        let fields: [String] = [
            "R-\(e.incident)", "C-\(c.index)", "la:\(c.la):\(childId(c))", c.la,
            e.police ? "police:\(e.force):\(e.incident)" : "", e.police ? "" : episodeStart,
            t(offered), held.map(t) ?? "", held == nil ? e.rhiOutcome : "completed", "yes", held == nil ? "" : e.factors.joined(separator: ";"),
            held != nil && !e.factors.isEmpty ? "mash" : "",
        ]
        return fields.joined(separator: ",") + "\n"
    }

    /// The SSDA903 episodes of a looked-after child's placements open in the year: the first
    /// placement starts care (RNE S); later ones change placement (P, T with the same carer,
    /// U and B with a change of legal status too); about a fifth of placements have a change
    /// of legal status part-way (an episode with RNE L that continues the placement).
    /// Postcodes are full postcodes, written as case systems do in one of three styles.
    func episodeRows(_ c: Child, from fyStart: CivilDate, to fyEnd: CivilDate) -> String {
        var out = ""
        let id = childId(c)
        let style = c.index % 3
        func postcode(_ district: String, _ salt: Int) -> String {
            let letters = Array("ABDEFGHJLNPQRSTUWXYZ")
            let unit = "\(salt % 10)\(letters[(salt / 10) % letters.count])\(letters[(salt / 200) % letters.count])"
            switch style {
            case 0: return district + " " + unit
            case 1: return district + unit
            default: return (district + " " + unit).lowercased()
            }
        }
        let home = postcode(Self.londonDistricts[Self.londonLAs.firstIndex(of: c.la) ?? 0], c.index * 7 + 3)
        // The return is written after the year: an end after it is not known yet, and care
        // ends on the 18th birthday (REC E8).
        let adult = c.dob.addingYears(18)
        var ls = "C2"
        for (k, p) in c.placements.enumerated() where p.start < fyEnd && (p.end.map { $0 >= fyStart } ?? true) {
            let change = c.index + k
            let rne = k == 0 ? "S" : ["P", "P", "T", "U", "B", "P"][change % 6]
            if rne == "U" || rne == "B" { ls = ls == "C2" ? "C1" : "C2" }
            let placePost = postcode(p.district, c.index * 13 + k)
            let urn = p.urn ?? String(2_000_000 + (c.index * 31 + k) % 7_000_000)
            var episodes: [(start: CivilDate, rne: String, ls: String)] = [(p.start, rne, ls)]
            // (Only for placements that start in a generated year, so the return that lists the
            // change also listed, or an earlier one did, the episode that began the placement:
            // a return whose first episode of a placement is the L one would start a placement
            // there, and the police exports name placements by their first day.)
            if let end = p.end, (c.index + k) % 5 == 0, end.daysSinceEpoch - p.start.daysSinceEpoch > 60,
               p.start >= CivilDate(year: options.firstYear, month: 4, day: 1) {
                ls = ls == "C2" ? "C1" : "C2"
                episodes.append((CivilDate(daysSinceEpoch: (p.start.daysSinceEpoch + end.daysSinceEpoch) / 2), "L", ls))
            }
            for (j, e) in episodes.enumerated() {
                guard e.start < adult else { return out }
                var end = (j + 1 < episodes.count ? episodes[j + 1].start : p.end).flatMap { $0 < fyEnd ? $0 : nil }
                var rec = end == nil ? "" : "X1"
                if adult < fyEnd, end.map({ $0 >= adult }) ?? true { end = adult; rec = "E8" }
                guard e.start < fyEnd, end.map({ $0 >= fyStart }) ?? true else { continue }
                let reasonChange = rec == "X1" && j + 1 == episodes.count ? "CARPL" : ""
                out += "\(id),\(uk(e.start)),\(e.rne),\(e.ls),N1,\(p.type),\(p.provider),\(end.map(uk) ?? ""),\(rec),\(reasonChange),\(home),\(placePost),\(urn)\n"
                if rec == "E8" { return out }
            }
        }
        return out
    }

    /// A registered home's Ofsted URN: older registrations `SC` + 6 digits, newer ones 7 digits.
    static func homeURN(_ i: Int) -> String { i % 2 == 0 ? "SC" + pad(100000 + i * 7, 6) : String(1_000_000 + i * 7) }

    // MARK: - Helpers

    func provider(for la: String) -> String { Self.providers[(Self.londonLAs.firstIndex(of: la) ?? 0) % Self.providers.count] }
    func childId(_ c: Child) -> String { "C\(pad(c.index, 6))" }
    func uk(_ d: CivilDate) -> String { "\(pad(d.day, 2))/\(pad(d.month, 2))/\(pad(d.year, 4))" }
    func ageOn(_ dob: CivilDate, _ day: CivilDate) -> Int { Int((day.daysSinceEpoch - dob.daysSinceEpoch) / 365) }
    func quarterOf(_ ms: Int64, _ fyStart: CivilDate) -> Int {
        let d = CivilDate(daysSinceEpoch: ms / 86_400_000)
        return ((d.year - fyStart.year) * 12 + d.month - fyStart.month) / 3 + 1
    }
    func stamp(_ date: CivilDate, _ days: Int) -> String {
        Timestamp(millisecondsSinceEpoch: (date.daysSinceEpoch + Int64(days)) * 86_400_000 + 6 * 3_600_000).rfc3339.replacingOccurrences(of: ".000Z", with: "Z")
    }
    mutating func pick<T>(_ weighted: [(T, Double)]) -> T {
        var x = rng.double() * weighted.reduce(0) { $0 + $1.1 }
        for (v, w) in weighted { if x < w { return v }; x -= w }
        return weighted.last!.0
    }
    mutating func poisson(_ mean: Double) -> Int {
        let l = exp(-mean)
        var k = 0, p = 1.0
        repeat { k += 1; p *= rng.double() } while p > l
        return k - 1
    }
}

func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }

/// SplitMix64: a small, fast, seedable generator, so the same seed gives the same feeds on
/// every machine and Swift version (the standard library's generator is not seedable).
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func chance(_ p: Double) -> Bool { double() < p }
}
