import Foundation
import WaymarkStore
import WaymarkTime

/// The three SSDA903 tables Waymark reads.
public enum SSDA903Table: String, Sendable, CaseIterable {
    case header, episodes, missing

    /// The DfE's name of the table (`Header`, `Episodes`, `Missing`).
    public var dfeName: String {
        switch self {
        case .header: return "Header"
        case .episodes: return "Episodes"
        case .missing: return "Missing"
        }
    }

    /// Columns whose values are codes or postcodes, compared upper-cased.
    var codeColumns: Set<String> {
        switch self {
        case .header: return ["SEX", "ETHNIC", "UPN", "MOTHER"]
        case .episodes: return ["RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
        case .missing: return ["MISSING"]
        }
    }
}

/// One SSDA903 return as read: the rows of each table (cells trimmed, codes upper-cased,
/// column names upper-cased), from CSV files (each recognised by its header row, in any
/// column order, extra columns ignored) or from one XML file (`EXPSSDA903`).
public struct SSDA903Extract: Sendable {
    /// Rows by table, in file order.
    public var rows: [SSDA903Table: [FeedRow]] = [:]
    /// Data rows read (good and bad).
    public var rowCount = 0

    public init() {}

    /// The rows of `table` (empty when the return did not include it).
    public subscript(table: SSDA903Table) -> [FeedRow] { rows[table] ?? [] }

    /// The tables the return includes.
    public var tables: Set<SSDA903Table> { Set(rows.keys) }

    /// Adds a row of `table` with `values` by column (names upper-cased by the caller).
    mutating func add(_ table: SSDA903Table, file: String, line: Int, raw: String, values: [String: String]) {
        var clean: [String: String] = [:]
        clean.reserveCapacity(values.count)
        let codes = table.codeColumns
        for (k, v) in values {
            let t = FeedTableSchema.trimmed(v)
            clean[k] = codes.contains(k) ? t.uppercased() : t
        }
        rows[table, default: []].append(FeedRow(file: file, line: line, raw: raw, values: clean))
    }

    /// Reads one CSV file of the return. A file whose header row matches no table, or lacks a
    /// required column, is rejected whole (one quarantine entry) and gives no rows; rows that
    /// are not CSV go to the quarantine.
    mutating func readCSV(path: String, bytes: [UInt8], schemas: [SSDA903Table: FeedTableSchema], into quarantine: inout Quarantine) {
        let csv = CSVFile(bytes: bytes)
        rowCount += csv.rows.count + csv.problems.count
        let header = csv.header.map { $0.uppercased() }
        if FeedTableSchema.rejectBadHeader(header, problem: csv.headerProblem, file: path, into: &quarantine) { return }
        guard let table = SSDA903Extract.recognise(header, schemas) else {
            quarantine.add(file: path, line: 1, field: nil,
                           reason: "not an SSDA903 table: the header row matches none of header.csv, episodes.csv, missing.csv; the file is rejected whole",
                           raw: csv.header.joined(separator: ","))
            return
        }
        let missing = schemas[table]!.missingColumns(header)
        if !missing.isEmpty {
            quarantine.add(file: path, line: 1, field: missing[0],
                           reason: "required column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) missing from the header row: the file is rejected whole",
                           raw: csv.header.joined(separator: ","))
            return
        }
        if rows[table] == nil { rows[table] = [] }
        for p in csv.problems { quarantine.add(file: path, line: p.line, field: nil, reason: "malformed CSV: \(p.reason)", raw: p.raw) }
        for r in csv.rows {
            var values: [String: String] = [:]
            for (i, name) in header.enumerated() where !name.isEmpty { values[name] = r.fields[i] }
            add(table, file: path, line: r.line, raw: r.raw, values: values)
        }
    }

    /// The table whose required columns the header has; for a header that almost matches one
    /// table, that table (the file is then rejected naming the missing column).
    static func recognise(_ header: [String], _ schemas: [SSDA903Table: FeedTableSchema]) -> SSDA903Table? {
        let tables = SSDA903Table.allCases
        if let exact = tables.first(where: { schemas[$0]!.missingColumns(header).isEmpty }) { return exact }
        func score(_ t: SSDA903Table) -> (Int, Int) {
            let s = schemas[t]!
            return (s.requiredColumns.count - s.missingColumns(header).count, s.requiredColumns.count)
        }
        let best = tables.max { a, b in
            let (ha, na) = score(a), (hb, nb) = score(b)
            return ha * nb < hb * na
        }
        guard let best else { return nil }
        let (have, need) = score(best)
        return have > need / 2 ? best : nil
    }
}
