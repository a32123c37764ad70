/// The code lists of the SSDA903 Header, Episodes and Missing tables, as the DfE's
/// validation defines them for each collection year. Codes are compared upper-cased.
public struct SSDA903Codes: Sendable {
    /// SEX: `1` male, `2` female up to 2023-24; `M`, `F`, `U` from 2024-25.
    public let sex: Set<String>
    /// ETHNIC: the DfE's 4-letter ethnicity codes.
    public let ethnic: Set<String>
    /// RNE, the reason for a new episode: S started to be looked after, L legal status only,
    /// P placement and carer, T placement with the same carer, B legal status, placement and
    /// carer, U legal status and placement with the same carer.
    public let rne: Set<String>
    /// LS, legal status.
    public let legalStatus: Set<String>
    /// CIN, category of need.
    public let categoryOfNeed: Set<String>
    /// PLACE, placement type.
    public let placement: Set<String>
    /// PLACE_PROVIDER.
    public let provider: Set<String>
    /// REC, reason the episode ceased.
    public let reasonCeased: Set<String>
    /// REASON_PLACE_CHANGE.
    public let reasonPlaceChange: Set<String>
    /// MISSING: M missing, A away from placement without authorisation.
    public let missing: Set<String>
    /// Placement types that are temporary (T0-T4): they interrupt a placement and return to it.
    public let temporary: Set<String> = ["T0", "T1", "T2", "T3", "T4"]

    /// The lists for collection year `year`.
    public init(year: CollectionYear) {
        sex = year.startYear >= 2024 ? ["M", "F", "U"] : ["1", "2"]
        ethnic = ["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
                  "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
        rne = ["S", "L", "P", "T", "B", "U"]
        legalStatus = ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"]
        categoryOfNeed = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
        var place: Set<String> = ["A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
                                  "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"]
        if year.startYear >= 2024 { place.insert("K3") }
        if year.startYear >= 2025 { place.subtract(["H5", "P2", "Z1"]); place.formUnion(["Z11", "Z12", "Z13", "Z14"]) }
        placement = place
        provider = ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
        reasonCeased = ["E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8",
                        "E9", "E14", "E15", "E16", "E17", "X1"]
        reasonPlaceChange = ["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "CUSTOD", "OTHER"]
        missing = ["M", "A"]
    }

    /// The event's `sex` for a valid SEX code of any year.
    public static func sexName(_ code: String) -> String {
        switch code {
        case "1", "M": return "male"
        case "2", "F": return "female"
        default: return "unknown"
        }
    }
}
