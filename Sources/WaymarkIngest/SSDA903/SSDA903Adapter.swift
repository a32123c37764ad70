import WaymarkStore
import Foundation
import WaymarkEvents
import WaymarkTime

/// The SSDA903 adapter: an LA's children-looked-after return, as CSV files (`header.csv`,
/// `episodes.csv`, `missing.csv`, any subset, each recognised by its header row) or as one
/// XML file (`EXPSSDA903`).
///
/// - Header row → `ChildRecorded` (record `header/<CHILD>`)
/// - placement (one or more episodes, see `PlacementSpan`) → `PlacementStarted`, and
///   `PlacementEnded` when its last episode has DEC (record `episode/<CHILD>/<start>`)
/// - missing period → `MissingReported`, and `ChildFound` when MIS_END is set
///   (record `missing/<CHILD>/<MIS_START>`)
///
/// Every row is checked by the DfE's rules for the return's collection year
/// (`SSDA903Rules`): a row that cannot become a fact is rejected to the quarantine with its
/// rule code; a fact that breaks a rule relating rows or fields is ingested and reported as
/// a finding. The host LA comes from the optional PL_LA column, else from the postcode map
/// (full postcode, then district), else is recorded as unknown (null): never guessed.
public struct SSDA903Adapter: FeedAdapter {
    public let name = "ssda903"
    public let system = "ssda903"
    /// The LA whose return this is.
    public let la: String
    /// Postcode (full, `N17 6AA`, or district, `N17`) → LA, from --postcode-map.
    public let postcodeMap: [String: String]
    /// The collection year the return is for; nil: the year containing the return's latest date.
    public let collectionYear: CollectionYear?
    let schemas: [SSDA903Table: FeedTableSchema]

    /// An adapter for LA `la`, with the schema document of `Schemas/feeds/ssda903.schema.json`.
    public init(la: String, schema document: JSONValue, postcodeMap: [String: String] = [:], collectionYear: CollectionYear? = nil) throws {
        self.la = la
        self.postcodeMap = postcodeMap
        self.collectionYear = collectionYear
        var schemas: [SSDA903Table: FeedTableSchema] = [:]
        for t in SSDA903Table.allCases {
            schemas[t] = try FeedTableSchema(document: document, definition: t.rawValue, fileName: "ssda903.schema.json")
        }
        self.schemas = schemas
    }

    public var agency: String { la }

    /// Placement types in a residential setting, whose URN is the home's: children's homes
    /// (K1 secure, K2, K3), semi-independent and supported accommodation (H5, P2), residential
    /// care homes (R1) and residential schools (S1).
    static let residentialPlacements: Set<String> = ["K1", "K2", "K3", "H5", "P2", "R1", "S1"]

    /// Reads a `--postcode-map` file (CSV `postcode,la`, or `postcodeDistrict,la`): full
    /// postcodes and districts, keyed in their normalised form.
    public static func postcodeMap(path: String, schema document: JSONValue, quarantine: inout Quarantine) throws -> [String: String] {
        let csv = try CSVFile(path: path)
        let header = csv.header.map { $0.lowercased() }
        guard let key = header.firstIndex(where: { $0 == "postcode" || $0 == "postcodedistrict" || $0 == "pcd" }),
              let laColumn = header.firstIndex(of: "la") else {
            quarantine.add(file: path, line: 1, field: nil, reason: "a postcode map needs the columns postcode (or postcodeDistrict) and la: the file is rejected whole",
                           raw: csv.header.joined(separator: ","))
            return [:]
        }
        var map: [String: String] = [:]
        for p in csv.problems { quarantine.add(file: path, line: p.line, field: nil, reason: "malformed CSV: \(p.reason)", raw: p.raw) }
        for r in csv.rows {
            let la = FeedTableSchema.trimmed(r.fields[laColumn])
            guard la.utf8.count == 3, la.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                quarantine.add(file: path, line: r.line, field: csv.header[laColumn], reason: "not a three-digit DfE LA number", raw: r.raw); continue
            }
            guard let pc = Postcode(FeedTableSchema.trimmed(r.fields[key])) else {
                quarantine.add(file: path, line: r.line, field: csv.header[key], reason: "not a postcode or postcode district", raw: r.raw); continue
            }
            map[pc.normalised] = la
        }
        return map
    }

    public func read(files: [String], quarantine: inout Quarantine) throws -> AdapterOutput {
        try read(files: files, known: NoKnownRecords(), quarantine: &quarantine)
    }

    public func read(files: [String], known: KnownRecords, quarantine: inout Quarantine) throws -> AdapterOutput {
        var extract = SSDA903Extract()
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { throw IngestError.unreadable(path) }
            let bytes = Array(data)
            if SSDA903XML.looksLikeXML(bytes) {
                SSDA903XML.read(path: path, bytes: bytes, into: &extract, quarantine: &quarantine)
            } else {
                extract.readCSV(path: path, bytes: bytes, schemas: schemas, into: &quarantine)
            }
        }
        return derive(extract, known: known, quarantine: &quarantine)
    }

    /// The events of a return already read.
    func derive(_ read: SSDA903Extract, known: KnownRecords, quarantine: inout Quarantine) -> AdapterOutput {
        var out = AdapterOutput()
        out.rows = read.rowCount
        var extract = read
        out.duplicateRows = extract.removeRepeatedRows()
        let year = collectionYear ?? extract.latestDate.map(CollectionYear.init(containing:)) ?? CollectionYear(containing: CivilDate(year: 2000, month: 4, day: 1))
        let ctx = SSDA903Context(la: la, year: year, extract: extract) { e in self.hostLA(e, e.plPost.flatMap(Postcode.init)) }

        // The rules: rejections first, then findings on the rows that stay.
        var rejected: [SSDA903Table: Set<Int>] = [:]
        var findings = Quarantine(adapter: name, kind: .finding)
        for rule in SSDA903Rules.all {
            let rows = extract[rule.table]
            for i in rule.flags(ctx) {
                if rule.outcome == .reject {
                    rows[i].reject(rule.field, rule.reason, rule: rule.code, into: &quarantine)
                    rejected[rule.table, default: []].insert(i)
                } else if !(rejected[rule.table]?.contains(i) ?? false) {
                    rows[i].reject(rule.field, rule.reason, rule: rule.code, into: &findings)
                }
            }
        }
        // Rows of the same record that differ: the first stays, the others are rejected.
        for table in SSDA903Table.allCases {
            var first: [String: Int] = [:]
            for (i, row) in extract[table].enumerated() where !(rejected[table]?.contains(i) ?? false) {
                guard let key = recordKey(table: table, row.values) else { continue }
                if let f = first[key] {
                    row.reject(table.keyColumns.last, "a second, different row for the same record (\(table.keyColumns.joined(separator: " + "))) as line \(extract[table][f].line)",
                               rule: "WM2", into: &quarantine)
                    rejected[table, default: []].insert(i)
                } else {
                    first[key] = i
                }
            }
        }
        // Findings are of rows that were ingested: drop those of rows rejected later.
        var rejectedLines: Set<String> = []
        for (table, indices) in rejected {
            for i in indices {
                let row = extract[table][i]
                rejectedLines.insert("\(row.line):\(row.file)")
                // A rejected row still names its record: that record is not "missing".
                if let key = recordKey(table: table, row.values) { out.quarantinedRowKeys.insert(key) }
            }
        }
        out.findings = findings.rows.filter { !rejectedLines.contains("\($0.line):\($0.file)") }
        func kept<T>(_ table: SSDA903Table, _ rows: [T]?) -> [T] {
            (rows ?? []).enumerated().filter { !(rejected[table]?.contains($0.offset) ?? false) }.map(\.element)
        }
        let header = kept(.header, ctx.header), episodes = kept(.episodes, ctx.episodes), missing = kept(.missing, ctx.missing)
        out.records += header.map(childRecorded)
        out.records += placements(episodes, yearStart: year.firstDay, known: known)
        out.records += missingPeriods(missing)

        // What the return speaks for: its collection year, and in Header its children.
        let from = Timestamp(millisecondsSinceEpoch: year.firstDay.daysSinceEpoch * 86_400_000)
        let to = Timestamp(millisecondsSinceEpoch: (year.lastDay.daysSinceEpoch + 1) * 86_400_000 - 1)
        if extract.tables.contains(.header) {
            out.coverage["header"] = .children(Set(extract[.header].map { $0["CHILD"] ?? "" } + extract[.episodes].map { $0["CHILD"] ?? "" }))
        }
        if extract.tables.contains(.episodes) { out.coverage["episode"] = .openDuring(from: from, to: to, endTypes: ["PlacementEnded"]) }
        if extract.tables.contains(.missing) { out.coverage["missing"] = .openDuring(from: from, to: to, endTypes: ["ChildFound"]) }
        return out
    }

    func child(_ id: String) -> String { "la:\(la):\(id)" }

    func childRecorded(_ h: HeaderRow) -> FeedRecord {
        var d = DataBuilder()
        d.string("dateOfBirth", ISODate.format(h.dob!))
        d.string("sex", SSDA903Codes.sexName(h.sex!))
        d.string("ethnicity", h.ethnic)
        return FeedRecord(recordId: "header/\(h.child)", type: "ChildRecorded", child: child(h.child), episode: nil,
                          occurredAt: FeedDates.midnight(h.dob!), data: d.object, row: h.row)
    }

    /// The host LA of a placement postcode: PL_LA, else the map by full postcode, then by district.
    func hostLA(_ e: EpisodeRow, _ postcode: Postcode?) -> String? {
        if let pl = e.plLA, pl.utf8.count == 3, pl.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return pl }
        guard let postcode else { return nil }
        return postcodeMap[postcode.normalised] ?? postcodeMap[postcode.district]
    }

    func placements(_ episodes: [EpisodeRow], yearStart: CivilDate, known: KnownRecords) -> [FeedRecord] {
        // Open placements earlier returns began, by child: the start of each.
        var open: [String: [CivilDate]] = [:]
        var started: [String: CivilDate] = [:], ended: Set<String> = []
        for r in known.records(withPrefix: "episode/") {
            if r.type == "PlacementEnded" { ended.insert(r.recordId) }
            if r.type == "PlacementStarted" { started[r.recordId] = CivilDate(daysSinceEpoch: r.occurredAt.millisecondsSinceEpoch / 86_400_000) }
        }
        for (id, start) in started where !ended.contains(id) {
            let parts = id.split(separator: "/")
            if parts.count == 3 { open[String(parts[1]), default: []].append(start) }
        }
        var byChild: [String: [EpisodeRow]] = [:]
        var order: [String] = []
        for e in episodes {
            if byChild[e.child] == nil { order.append(e.child) }
            byChild[e.child, default: []].append(e)
        }
        var out: [FeedRecord] = []
        for id in order {
            let chain = byChild[id]!.sorted { ($0.decom!, $0.row.line) < ($1.decom!, $1.row.line) }
            let spans = PlacementSpan.spans(of: chain, yearStart: yearStart) { date in open[id]?.filter { $0 <= date }.max() }
            for span in spans {
                let e = span.first
                let start = ISODate.format(span.start)
                let placement = "la:\(la):\(id):\(start)"
                let postcode = e.plPost.flatMap(Postcode.init)
                var d = DataBuilder()
                d.string("placement", placement)
                d.string("placingLA", la)
                d.nullableString("hostLA", hostLA(e, postcode))
                d.string("placementType", e.place)
                d.nullableString("provider", e.provider)
                // The URN names the home only for a placement in a residential setting; for a foster
                // placement it is the fostering service's.
                let residential = SSDA903Adapter.residentialPlacements.contains(e.place ?? "")
                d.nullableString("homeUrn", residential ? e.urn.flatMap(OfstedURN.normalised).flatMap { OfstedURN.namesAHome($0) ? $0 : nil } : nil)
                d.nullableString("postcodeDistrict", postcode?.district)
                d.string("postcodeSector", postcode?.sector)
                d.bool("sameCarer", span.sameCarer)
                d.string("startDate", start)
                let recordId = "episode/\(id)/\(start)"
                out.append(FeedRecord(recordId: recordId, type: "PlacementStarted", child: child(id), episode: nil,
                                      occurredAt: FeedDates.midnight(span.start), data: d.object, row: e.row))
                if let end = span.end {
                    var x = DataBuilder()
                    x.string("placement", placement)
                    x.string("endDate", ISODate.format(end))
                    x.nullableString("reason", span.last.reasonPlaceChange ?? span.last.rec)
                    out.append(FeedRecord(recordId: recordId, type: "PlacementEnded", child: child(id), episode: nil,
                                          occurredAt: FeedDates.midnight(end), data: x.object, row: span.last.row))
                }
            }
        }
        return out
    }

    func missingPeriods(_ rows: [MissingRow]) -> [FeedRecord] {
        var out: [FeedRecord] = []
        for m in rows {
            let start = m.start!
            let episode = "la:\(la):\(m.child):\(ISODate.format(start))"
            let recordId = "missing/\(m.child)/\(ISODate.format(start))"
            var d = DataBuilder()
            d.string("reportedAt", FeedDates.midnight(start))
            d.string("missingFrom", "carePlacement")
            d.string("la", la)
            d.string("category", m.missing == "A" ? "awayWithoutAuthorisation" : "missing")
            out.append(FeedRecord(recordId: recordId, type: "MissingReported", child: child(m.child), episode: episode,
                                  occurredAt: FeedDates.midnight(start), data: d.object, row: m.row))
            if let end = m.end {
                var f = DataBuilder()
                f.string("foundAt", FeedDates.midnight(end))
                out.append(FeedRecord(recordId: recordId, type: "ChildFound", child: child(m.child), episode: episode,
                                      occurredAt: FeedDates.midnight(end), data: f.object, row: m.row))
            }
        }
        return out
    }

    /// The record a row gives, when its key columns can be read.
    func recordKey(table: SSDA903Table, _ values: [String: String]) -> String? {
        guard let child = values["CHILD"], !child.isEmpty else { return nil }
        func date(_ column: String) -> String? { values[column].flatMap { SSDA903Date.parse(FeedTableSchema.trimmed($0)) }.map(ISODate.format) }
        switch table {
        case .header: return "header/\(child)"
        case .episodes: return date("DECOM").map { "episode/\(child)/\($0)" }
        case .missing: return date("MIS_START").map { "missing/\(child)/\($0)" }
        }
    }
}

extension SSDA903Table {
    /// The columns that name a record of the table.
    var keyColumns: [String] {
        switch self {
        case .header: return ["CHILD"]
        case .episodes: return ["CHILD", "DECOM"]
        case .missing: return ["CHILD", "MIS_START"]
        }
    }
}

extension SSDA903Extract {
    /// Drops rows that repeat an earlier row of the same table exactly; returns how many.
    mutating func removeRepeatedRows() -> Int {
        var removed = 0
        for (table, list) in rows {
            var seen: Set<[String: String]> = []
            var keep: [FeedRow] = []
            for r in list {
                if seen.insert(r.values).inserted { keep.append(r) } else { removed += 1 }
            }
            rows[table] = keep
        }
        return removed
    }

    /// The latest valid date anywhere in the episodes and missing periods (or Header's dates of birth).
    var latestDate: CivilDate? {
        var latest: CivilDate? = nil
        func see(_ text: String?) {
            guard let d = text.flatMap(SSDA903Date.parse) else { return }
            if latest.map({ d > $0 }) ?? true { latest = d }
        }
        for r in self[.episodes] { see(r["DECOM"]); see(r["DEC"]) }
        for r in self[.missing] { see(r["MIS_START"]); see(r["MIS_END"]) }
        if latest == nil { for r in self[.header] { see(r["DOB"]) } }
        return latest
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
