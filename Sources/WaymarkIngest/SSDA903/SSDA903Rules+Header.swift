import WaymarkTime

extension CivilDate {
    /// The same day `years` later (29 February becomes 28 February in a common year).
    func addingYears(_ years: Int) -> CivilDate {
        let y = year + years
        return CivilDate(year: y, month: month, day: min(day, CivilDate.daysIn(month: month, year: y)))
    }
}

extension SSDA903Codes {
    /// The SEX code for a boy (`1`, or `M` from 2024-25) and for a girl (`2`, or `F`).
    func isMale(_ sex: String?) -> Bool { sex == "1" || sex == "M" && self.sex.contains("M") }
    func isFemale(_ sex: String?) -> Bool { sex == "2" || sex == "F" && self.sex.contains("F") }
}

extension SSDA903Rules {
    /// Rules on the Header table (one row per child).
    static let headerRules: [SSDA903Rule] = [
        .header("WM1", "CHILD", .reject, "CHILD is blank or holds characters other than letters, digits, '-' and '_'") { _, h in
            !isUsableChildId(h.child)
        },
        .header("101", "SEX", .reject, "SEX is not a valid code for this collection year") { ctx, h in
            !(h.sex.map(ctx.codes.sex.contains) ?? false)
        },
        .header("102", "DOB", .reject, "DOB is not a date like 31/03/2023") { _, h in h.dob == nil },
        .header("103", "ETHNIC", .reject, "ETHNIC is not a valid code or is blank") { ctx, h in
            !(h.ethnic.map(ctx.codes.ethnic.contains) ?? false)
        },
        .header("168", "UPN", .finding, "UPN is not a valid unique pupil number (if unknown, UN1-UN5)") { _, h in
            h.upn.map { !isValidUPN($0) } ?? false
        },
        .header("171", "MC_DOB", .finding, "MC_DOB is not a date like 31/03/2023") { _, h in
            h.row["MC_DOB"] != nil && h.mcDob == nil
        },
        .header("174", "MC_DOB", .finding, "the date of birth of a mother's child is recorded but SEX says the child is male") { ctx, h in
            ctx.codes.isMale(h.sex) && h.row["MC_DOB"] != nil
        },
        .header("301", "DOB", .finding, "the date of birth is after the collection year ended") { ctx, h in
            h.dob.map { $0 > ctx.year.lastDay } ?? false
        },
        .header("351", "DOB", .finding, "the child was over 25 at the start of the collection year") { ctx, h in
            h.dob.map { ctx.year.firstDay > $0.addingYears(25) } ?? false
        },
        .header("611", "MC_DOB", .finding, "MOTHER says the child is a mother but MC_DOB is blank") { _, h in
            h.mother == "1" && h.row["MC_DOB"] == nil
        },
        .header("612", "MOTHER", .finding, "MC_DOB is completed but MOTHER says the child is not a mother") { ctx, h in
            (h.mother == "0" || h.mother == nil) && ctx.codes.isFemale(h.sex) && h.row["MC_DOB"] != nil
        },
        .header("620", "MOTHER", .finding, "recorded as a mother, but the date of birth says she was under 11 at the start of the year") { ctx, h in
            h.mother == "1" && (h.dob.map { $0.addingYears(11) > ctx.year.firstDay } ?? false)
        },
        .header("621", "MC_DOB", .finding, "the mother's child was born on or before the mother") { _, h in
            guard h.row["MC_DOB"] != nil else { return false }
            guard let mc = h.mcDob, let dob = h.dob else { return h.mcDob != nil }
            return !(mc > dob)
        },
        SSDA903Rule(code: "INT32", table: .header, field: "CHILD", outcome: .finding, reason: "the child appears more than once in Header") { ctx in
            var count: [String: Int] = [:]
            for h in ctx.header ?? [] { count[h.child, default: 0] += 1 }
            return (ctx.header ?? []).indices.filter { count[ctx.header![$0].child]! > 1 }
        },
    ]

    /// Whether `id` can name a child in a reference (`la:<LA>:<id>`).
    static func isUsableChildId(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 40 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
        }
    }

    /// A UPN: a letter other than I, O, S, then 12 digits or 11 digits and a letter; or UN1-UN5.
    static func isValidUPN(_ upn: String) -> Bool {
        let b = Array(upn.utf8)
        if b.count == 3, b[0] == UInt8(ascii: "U"), b[1] == UInt8(ascii: "N"), (0x31...0x35).contains(b[2]) { return true }
        guard b.count == 13, (0x41...0x5A).contains(b[0]), ![UInt8(ascii: "I"), UInt8(ascii: "O"), UInt8(ascii: "S")].contains(b[0]) else { return false }
        let digit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        return b[1..<12].allSatisfy(digit) && (digit(b[12]) || (0x41...0x5A).contains(b[12]))
    }
}
