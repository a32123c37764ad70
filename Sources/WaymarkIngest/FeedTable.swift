import WaymarkStore
import Foundation
import WaymarkEvents
import WaymarkTime

/// A row that passed CSV parsing and its feed schema: values by column name.
public struct FeedRow: Sendable {
    /// The file it came from.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// The row as it was in the file.
    public var raw: String
    /// Values by column name, trimmed of surrounding spaces.
    public var values: [String: String]

    /// The value of `column`, nil when absent or blank.
    public subscript(column: String) -> String? {
        guard let v = values[column], !v.isEmpty else { return nil }
        return v
    }

    /// Reports this row for `reason`, blaming `field` (and DfE rule `rule`, when one applies):
    /// to the quarantine, or to the findings when `quarantine` holds findings.
    public func reject(_ field: String?, _ reason: String, rule: String? = nil, into quarantine: inout Quarantine) {
        quarantine.add(file: file, line: line, field: field, reason: reason, raw: raw, values: values, rule: rule)
    }
}

/// The schema of one feed table (`Schemas/feeds/<adapter>.schema.json`, or one of its
/// `$defs`): which columns a file must have and what each may hold.
public struct FeedTableSchema: Sendable {
    /// The table's name (`missing`, `police`…).
    public let name: String
    /// Columns every file of the table must have.
    public let requiredColumns: [String]
    /// Every column the schema describes.
    public let knownColumns: [String]
    /// The compiled row schema.
    public let rowSchema: JSONSchema

    /// The table described by `document` (or by `document.$defs[definition]`).
    public init(document: JSONValue, definition: String? = nil, fileName: String) throws {
        let compiled = try JSONSchema(document, name: fileName)
        let node = definition.map { document["$defs"]?[$0] } ?? document
        guard let node, let schema = definition.map({ compiled.definition($0) }) ?? compiled else {
            throw SchemaError("\(fileName): no table \(definition ?? "")")
        }
        self.name = definition ?? fileName.replacingOccurrences(of: ".schema.json", with: "")
        self.requiredColumns = node["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.knownColumns = node["properties"]?.objectValue?.keys ?? []
        self.rowSchema = schema
    }

    /// `field` without leading and trailing spaces and tabs (without Foundation's per-call cost).
    static func trimmed(_ field: String) -> String {
        let u = field.utf8
        guard let first = u.first, let last = u.last, first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 else { return field }
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi, u[lo] == 0x20 || u[lo] == 0x09 { lo = u.index(after: lo) }
        while hi > lo, u[u.index(before: hi)] == 0x20 || u[u.index(before: hi)] == 0x09 { hi = u.index(before: hi) }
        return String(field[lo..<hi])
    }

    /// Rejects a file whose header row cannot be read (`problem`: an unbalanced or stray
    /// quote) or names a column twice (which of its values would a row have?): one
    /// quarantine entry naming the column; true when it did.
    static func rejectBadHeader(_ header: [String], problem: String?, file: String, into quarantine: inout Quarantine) -> Bool {
        if let problem {
            quarantine.add(file: file, line: 1, field: nil, reason: "malformed CSV header row: \(problem): the file is rejected whole", raw: header.joined(separator: ","))
            return true
        }
        guard let repeated = header.enumerated().first(where: { i, name in !name.isEmpty && header[..<i].contains(name) }) else { return false }
        quarantine.add(file: file, line: 1, field: repeated.element,
                       reason: "column \(repeated.element) appears twice in the header row: the file is rejected whole", raw: header.joined(separator: ","))
        return true
    }

    /// The missing required columns of a header row.
    public func missingColumns(_ header: [String]) -> [String] { requiredColumns.filter { !header.contains($0) } }

    /// Reads the file at `path` as this table (see `read(path:displayName:csv:into:)`), adding
    /// its data rows to `rowCount`; nil when the file is rejected whole.
    public func read(path: String, rowCount: inout Int, into quarantine: inout Quarantine) throws -> [FeedRow]? {
        let csv = try CSVFile(path: path)
        rowCount += csv.rows.count + csv.problems.count
        return read(path: path, displayName: path, csv: csv, into: &quarantine)
    }

    /// Reads a CSV file of this table: rows that fail CSV parsing or the schema go to the
    /// quarantine; a file missing a required column, or naming one twice, is rejected whole
    /// (one quarantine entry naming the column) and gives no rows.
    public func read(path: String, displayName: String, csv: CSVFile, into quarantine: inout Quarantine) -> [FeedRow]? {
        if FeedTableSchema.rejectBadHeader(csv.header, problem: csv.headerProblem, file: displayName, into: &quarantine) { return nil }
        let missing = missingColumns(csv.header)
        if !missing.isEmpty {
            quarantine.add(file: displayName, line: 1, field: missing[0],
                           reason: "required column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) missing from the header row: the file is rejected whole",
                           raw: csv.header.joined(separator: ","))
            return nil
        }
        for p in csv.problems { quarantine.add(file: displayName, line: p.line, field: nil, reason: "malformed CSV: \(p.reason)", raw: p.raw) }
        var rows: [FeedRow] = []
        rows.reserveCapacity(csv.rows.count)
        for r in csv.rows {
            var values: [String: String] = [:]
            var members: [JSONMember] = []
            for (i, name) in csv.header.enumerated() {
                let v = FeedTableSchema.trimmed(r.fields[i])
                values[name] = v
                members.append(JSONMember(key: name, value: .string(v)))
            }
            if let violation = rowSchema.validate(.object(JSONObject(members))) {
                quarantine.add(file: displayName, line: r.line, field: violation.path.isEmpty ? nil : violation.path,
                               reason: violation.reason, raw: r.raw, values: values)
                continue
            }
            rows.append(FeedRow(file: displayName, line: r.line, raw: r.raw, values: values))
        }
        return rows
    }
}
