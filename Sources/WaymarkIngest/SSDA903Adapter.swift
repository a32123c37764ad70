import WaymarkStore
import Foundation
import WaymarkEvents
import WaymarkTime

/// The SSDA903 adapter: an LA's children-looked-after extract (`header.csv`, `episodes.csv`,
/// `missing.csv`, any subset, each recognised by its header row).
///
/// - header row → `ChildRecorded` (record `header/<CHILD>`)
/// - episode → `PlacementStarted`, and `PlacementEnded` when DEC is set (`episode/<CHILD>/<DECOM>`)
/// - missing period → `MissingReported`, and `ChildFound` when MIS_END is set
///   (`missing/<CHILD>/<MIS_START>`)
///
/// The host LA comes from the optional PL_LA column, else from the postcode map by the
/// placement postcode's district, else is recorded as unknown (null): never guessed.
public struct SSDA903Adapter: FeedAdapter {
    public let name = "ssda903"
    public let system = "ssda903"
    /// The LA whose return this is.
    public let la: String
    /// Postcode district → LA, from --postcode-map.
    public let postcodeMap: [String: String]
    let tables: [FeedTableSchema]

    /// An adapter for LA `la`, with the schema document of `Schemas/feeds/ssda903.schema.json`.
    public init(la: String, schema document: JSONValue, postcodeMap: [String: String] = [:]) throws {
        self.la = la
        self.postcodeMap = postcodeMap
        self.tables = try ["header", "episodes", "missing"].map {
            try FeedTableSchema(document: document, definition: $0, fileName: "ssda903.schema.json")
        }
    }

    public var agency: String { la }

    /// Reads a `--postcode-map` file (CSV `postcodeDistrict,la`).
    public static func postcodeMap(path: String, schema document: JSONValue, quarantine: inout Quarantine) throws -> [String: String] {
        let table = try FeedTableSchema(document: document, definition: "postcodeMap", fileName: "ssda903.schema.json")
        var map: [String: String] = [:]
        var rows = 0
        for row in try table.read(path: path, rowCount: &rows, into: &quarantine) ?? [] {
            map[row["postcodeDistrict"]!] = row["la"]!
        }
        return map
    }

    public func read(files: [String], quarantine: inout Quarantine) throws -> AdapterOutput {
        var out = AdapterOutput()
        for path in files {
            let csv = try CSVFile(path: path)
            out.rows += csv.rows.count + csv.problems.count
            guard let table = recognise(csv.header) else {
                quarantine.add(file: path, line: 1, field: nil,
                               reason: "not an SSDA903 table: the header row matches none of header.csv, episodes.csv, missing.csv; the file is rejected whole",
                               raw: csv.header.joined(separator: ","))
                continue
            }
            guard let rows = table.read(path: path, displayName: path, csv: csv, into: &quarantine) else { continue }
            // An extract speaks for the children it has: a child who left care is not "missing".
            let children = Set(rows.map { $0["CHILD"]! })
            out.coverage[table.name == "episodes" ? "episode" : table.name] = .children(children)
            switch table.name {
            case "header": out.records += rows.compactMap { header($0, &quarantine) }
            case "episodes": out.records += episodes(rows, &quarantine)
            default: out.records += missingPeriods(rows, &quarantine)
            }
            // Rows quarantined for their values still name a record: they are not "missing".
            for q in quarantine.rows where q.file == path {
                if let values = q.values, let key = recordKey(table: table.name, values) { out.quarantinedRowKeys.insert(key) }
            }
        }
        return out
    }

    /// The table whose required columns the header has; for a header that almost matches one
    /// table, that table (the file is then rejected naming the missing column).
    func recognise(_ header: [String]) -> FeedTableSchema? {
        if let exact = tables.first(where: { $0.missingColumns(header).isEmpty }) { return exact }
        let best = tables.max { a, b in
            (a.requiredColumns.count - a.missingColumns(header).count) * b.requiredColumns.count
                < (b.requiredColumns.count - b.missingColumns(header).count) * a.requiredColumns.count
        }
        guard let best, best.requiredColumns.count - best.missingColumns(header).count > best.requiredColumns.count / 2 else { return nil }
        return best
    }

    func child(_ id: String) -> String { "la:\(la):\(id)" }

    func header(_ row: FeedRow, _ quarantine: inout Quarantine) -> FeedRecord? {
        guard let dob = row.ukDate("DOB", into: &quarantine) else { return nil }
        var d = DataBuilder()
        d.string("dateOfBirth", ISODate.format(dob))
        d.string("sex", row["SEX"] == "1" ? "male" : "female")
        d.string("ethnicity", row["ETHNIC"])
        let id = row["CHILD"]!
        return FeedRecord(recordId: "header/\(id)", type: "ChildRecorded", child: child(id), episode: nil,
                          occurredAt: FeedDates.midnight(dob), data: d.object, row: row)
    }

    func episodes(_ rows: [FeedRow], _ quarantine: inout Quarantine) -> [FeedRecord] {
        var out: [FeedRecord] = []
        for row in rows {
            guard let (start, end) = row.ukPeriod(from: "DECOM", to: "DEC", named: "episode", into: &quarantine) else { continue }
            let id = row["CHILD"]!
            let placement = "la:\(la):\(id):\(ISODate.format(start))"
            let district = row["PL_POST"].map { String($0.split(separator: " ")[0]) }
            var d = DataBuilder()
            d.string("placement", placement)
            d.string("placingLA", la)
            d.nullableString("hostLA", row["PL_LA"] ?? district.flatMap { postcodeMap[$0] })
            d.string("placementType", row["PLACE"])
            d.nullableString("provider", row["PLACE_PROVIDER"])
            d.nullableString("homeUrn", row["URN"].flatMap { $0.hasPrefix("SC") ? $0 : nil })
            d.nullableString("postcodeDistrict", district)
            d.string("startDate", ISODate.format(start))
            let recordId = "episode/\(id)/\(ISODate.format(start))"
            out.append(FeedRecord(recordId: recordId, type: "PlacementStarted", child: child(id), episode: nil,
                                  occurredAt: FeedDates.midnight(start), data: d.object, row: row))
            if let end {
                var e = DataBuilder()
                e.string("placement", placement)
                e.string("endDate", ISODate.format(end))
                e.nullableString("reason", row["REASON_PLACE_CHANGE"] ?? row["REC"])
                out.append(FeedRecord(recordId: recordId, type: "PlacementEnded", child: child(id), episode: nil,
                                      occurredAt: FeedDates.midnight(end), data: e.object, row: row))
            }
        }
        return out
    }

    /// Missing periods, checked as the DfE's validation checks them: real dates, end not
    /// before start, not before birth, and per child no period starting while an earlier one
    /// is still open or overlapping it. A period still open at the end is legitimate.
    func missingPeriods(_ rows: [FeedRow], _ quarantine: inout Quarantine) -> [FeedRecord] {
        struct Period { var row: FeedRow; var start: CivilDate; var end: CivilDate? }
        var byChild: [String: [Period]] = [:]
        var order: [String] = []
        for row in rows {
            guard let dob = row.ukDate("DOB", into: &quarantine),
                  let (start, end) = row.ukPeriod(from: "MIS_START", to: "MIS_END", named: "the period", into: &quarantine) else { continue }
            guard start >= dob else { row.reject("MIS_START", "the period starts before the child's date of birth", into: &quarantine); continue }
            let id = row["CHILD"]!
            if byChild[id] == nil { order.append(id) }
            byChild[id, default: []].append(Period(row: row, start: start, end: end))
        }
        var out: [FeedRecord] = []
        for id in order {
            var previous: Period? = nil
            for p in byChild[id]!.sorted(by: { ($0.start, $0.row.line) < ($1.start, $1.row.line) }) {
                if let prev = previous {
                    if prev.start == p.start {
                        p.row.reject("MIS_START", "a second period starting on \(ISODate.format(p.start)) (first at line \(prev.row.line))", into: &quarantine)
                        continue
                    }
                    guard let prevEnd = prev.end else {
                        p.row.reject("MIS_START", "starts while the period from \(ISODate.format(prev.start)) (line \(prev.row.line)) is still open", into: &quarantine)
                        continue
                    }
                    if p.start < prevEnd {
                        p.row.reject("MIS_START", "overlaps the period \(ISODate.format(prev.start)) to \(ISODate.format(prevEnd)) (line \(prev.row.line))", into: &quarantine)
                        continue
                    }
                }
                previous = p
                let episode = "la:\(la):\(id):\(ISODate.format(p.start))"
                let recordId = "missing/\(id)/\(ISODate.format(p.start))"
                var d = DataBuilder()
                d.string("reportedAt", FeedDates.midnight(p.start))
                d.string("missingFrom", "carePlacement")
                d.string("la", la)
                d.string("category", p.row["MISSING"] == "A" ? "awayWithoutAuthorisation" : "missing")
                out.append(FeedRecord(recordId: recordId, type: "MissingReported", child: child(id), episode: episode,
                                      occurredAt: FeedDates.midnight(p.start), data: d.object, row: p.row))
                if let end = p.end {
                    var f = DataBuilder()
                    f.string("foundAt", FeedDates.midnight(end))
                    out.append(FeedRecord(recordId: recordId, type: "ChildFound", child: child(id), episode: episode,
                                          occurredAt: FeedDates.midnight(end), data: f.object, row: p.row))
                }
            }
        }
        return out
    }

    /// The record a quarantined row would have given, when its key columns can be read.
    func recordKey(table: String, _ values: [String: String]) -> String? {
        guard let child = values["CHILD"], !child.isEmpty else { return nil }
        func date(_ column: String) -> String? { values[column].flatMap(FeedDates.ukDate).map(ISODate.format) }
        switch table {
        case "header": return "header/\(child)"
        case "episodes": return date("DECOM").map { "episode/\(child)/\($0)" }
        default: return date("MIS_START").map { "missing/\(child)/\($0)" }
        }
    }
}

/// Why a feed could not be read at all.
public enum IngestError: Error, CustomStringConvertible {
    case unreadable(String)
    case usage(String)
    public var description: String {
        switch self {
        case let .unreadable(path): return "cannot read \(path)"
        case let .usage(text): return text
        }
    }
}
