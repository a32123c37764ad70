import WaymarkTime

/// A Header row, typed: blank cells are nil, and so are dates that are not dates.
struct HeaderRow: Sendable {
    let row: FeedRow
    let child: String
    let sex: String?
    let dob: CivilDate?
    let ethnic: String?
    let upn: String?
    let mother: String?
    let mcDob: CivilDate?

    init(_ row: FeedRow) {
        self.row = row
        child = row["CHILD"] ?? ""
        sex = row["SEX"]; ethnic = row["ETHNIC"]; upn = row["UPN"]; mother = row["MOTHER"]
        dob = row["DOB"].flatMap(SSDA903Date.parse)
        mcDob = row["MC_DOB"].flatMap(SSDA903Date.parse)
    }
}

/// An Episodes row, typed: blank cells are nil, and so are dates that are not dates.
struct EpisodeRow: Sendable {
    let row: FeedRow
    let child: String
    let decom: CivilDate?
    let dec: CivilDate?
    let rne: String?
    let ls: String?
    let cin: String?
    let place: String?
    let provider: String?
    let rec: String?
    let reasonPlaceChange: String?
    let homePost: String?
    let plPost: String?
    let urn: String?
    let plLA: String?

    init(_ row: FeedRow) {
        self.row = row
        child = row["CHILD"] ?? ""
        decom = row["DECOM"].flatMap(SSDA903Date.parse)
        dec = row["DEC"].flatMap(SSDA903Date.parse)
        rne = row["RNE"]; ls = row["LS"]; cin = row["CIN"]; place = row["PLACE"]; provider = row["PLACE_PROVIDER"]
        rec = row["REC"]; reasonPlaceChange = row["REASON_PLACE_CHANGE"]; homePost = row["HOME_POST"]; plPost = row["PL_POST"]
        urn = row["URN"]; plLA = row["PL_LA"]
    }

    /// Whether DEC was filled in (a date or not).
    var hasEnd: Bool { row["DEC"] != nil }
}

/// A Missing row, typed: blank cells are nil, and so are dates that are not dates.
struct MissingRow: Sendable {
    let row: FeedRow
    let child: String
    let dob: CivilDate?
    let missing: String?
    let start: CivilDate?
    let end: CivilDate?

    init(_ row: FeedRow) {
        self.row = row
        child = row["CHILD"] ?? ""
        missing = row["MISSING"]
        dob = row["DOB"].flatMap(SSDA903Date.parse)
        start = row["MIS_START"].flatMap(SSDA903Date.parse)
        end = row["MIS_END"].flatMap(SSDA903Date.parse)
    }

    /// Whether MIS_END was filled in (a date or not).
    var hasEnd: Bool { row["MIS_END"] != nil }
}

/// What the DfE rules look at: one return's typed rows, its collection year, and the rows
/// grouped by child in the orders the rules need.
struct SSDA903Context: Sendable {
    let la: String
    let year: CollectionYear
    let codes: SSDA903Codes
    let header: [HeaderRow]?
    let episodes: [EpisodeRow]?
    let missing: [MissingRow]?
    /// Header rows by child (the first, where a child has several).
    let headerByChild: [String: HeaderRow]
    /// Indices of each child's episodes, ordered by DECOM (rows with no DECOM last), then file order.
    let episodesByChild: [String: [Int]]
    /// Each episode's placement LA (DfE number) where the return says it (PL_LA) or the
    /// postcode map knows PL_POST; nil where not known.
    let placementLA: [String?]

    init(la: String, year: CollectionYear, extract: SSDA903Extract, placementLA: (EpisodeRow) -> String? = { _ in nil }) {
        self.la = la
        self.year = year
        codes = SSDA903Codes(year: year)
        header = extract.rows[.header].map { $0.map(HeaderRow.init) }
        episodes = extract.rows[.episodes].map { $0.map(EpisodeRow.init) }
        missing = extract.rows[.missing].map { $0.map(MissingRow.init) }
        var byChild: [String: HeaderRow] = [:]
        for h in header ?? [] where byChild[h.child] == nil { byChild[h.child] = h }
        headerByChild = byChild
        var eps: [String: [Int]] = [:]
        for (i, e) in (episodes ?? []).enumerated() { eps[e.child, default: []].append(i) }
        let all = episodes ?? []
        for (k, v) in eps {
            eps[k] = v.sorted { a, b in
                switch (all[a].decom, all[b].decom) {
                case let (x?, y?): return x != y ? x < y : a < b
                case (nil, nil): return a < b
                case (nil, _): return false
                case (_, nil): return true
                }
            }
        }
        episodesByChild = eps
        self.placementLA = all.map(placementLA)
    }

    /// The child's age in whole years on `day`.
    static func age(_ dob: CivilDate, on day: CivilDate) -> Int {
        var years = day.year - dob.year
        if (day.month, day.day) < (dob.month, dob.day) { years -= 1 }
        return years
    }
}
