import WaymarkTime

/// A CSV table being written: a header row, then rows, UTF-8, fields quoted only when needed.
struct CSVTable {
    let name: String
    let columns: [String]
    private(set) var rows: [[String]] = []

    init(_ name: String, _ columns: [String]) {
        self.name = name
        self.columns = columns
    }

    mutating func add(_ row: [String]) {
        precondition(row.count == columns.count, "\(name): \(row.count) fields for \(columns.count) columns")
        rows.append(row)
    }

    var bytes: [UInt8] {
        var out = columns.joined(separator: ",") + "\n"
        for r in rows { out += r.map(CSVTable.escape).joined(separator: ",") + "\n" }
        return Array(out.utf8)
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// How values are written in the read models.
enum Cell {
    /// `2023-03-01T21:15:00Z` (seconds), or empty.
    static func time(_ t: Timestamp?) -> String {
        guard let t else { return "" }
        var s = t.rfc3339
        s.removeSubrange(s.index(s.endIndex, offsetBy: -5)..<s.index(s.endIndex, offsetBy: -1))
        return s
    }
    /// Hours with one decimal, or empty.
    static func hours(_ h: Double?) -> String {
        guard let h else { return "" }
        let tenths = (h * 10).rounded()
        let whole = Int(tenths) / 10, frac = abs(Int(tenths)) % 10
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(frac)"
    }
    static func flag(_ b: Bool) -> String { b ? "yes" : "no" }
    static func flag(_ b: Bool?) -> String { b.map(flag) ?? "" }

    /// The financial year of `t` written `2022-23`.
    static func financialYear(_ t: Timestamp, startMonth: Int) -> String {
        let d = CivilDate(daysSinceEpoch: t.millisecondsSinceEpoch / 86_400_000)
        let first = d.month >= startMonth ? d.year : d.year - 1
        if startMonth == 1 { return String(first) }
        let next = String(first + 1)
        return "\(first)-\(next.suffix(2))"
    }
    /// The month of `t` written `2022-05`.
    static func month(_ t: Timestamp) -> String {
        let d = CivilDate(daysSinceEpoch: t.millisecondsSinceEpoch / 86_400_000)
        return "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)"
    }
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
