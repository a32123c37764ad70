/// One data row of a CSV file: where it is, its fields, and its text as it was.
public struct CSVRow: Sendable {
    /// 1-based line number where the row starts.
    public var line: Int
    /// The fields, unquoted.
    public var fields: [String]
    /// The row's text as in the file (without its line end).
    public var raw: String
}

/// A row that could not be read as CSV: where and why.
public struct CSVProblem: Sendable {
    public var line: Int
    public var reason: String
    public var raw: String
}

/// A CSV file (RFC 4180): a header row, then data rows. Accepts a UTF-8 byte-order mark and
/// CRLF, LF or CR-only line ends; fields may be quoted, with `""` for a quote and line breaks inside
/// quotes. A row with an unbalanced quote or a different number of fields from the header is
/// reported as a problem and the other rows are still read.
public struct CSVFile: Sendable {
    /// The column names from the header row, trimmed.
    public var header: [String]
    /// The rows that parsed.
    public var rows: [CSVRow]
    /// The rows that did not.
    public var problems: [CSVProblem]
    /// What is wrong with the header row itself (an unbalanced quote, a stray quote): the
    /// columns cannot be known, so a reader rejects the whole file.
    public var headerProblem: String?

    /// Parses `bytes`. An empty file has an empty header and no rows.
    public init(bytes: [UInt8]) {
        var records: [(line: Int, fields: [String], raw: String, problem: String?)] = []
        var i = 0
        let n = bytes.count
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        var line = 1
        while i < n {
            let startLine = line
            let start = i
            var fields: [String] = []
            var field: [UInt8] = []
            var problem: String? = nil
            var quoted = false
            var fieldStart = true
            var endOfRecord = false
            while i < n && !endOfRecord {
                let c = bytes[i]
                if quoted {
                    if c == UInt8(ascii: "\"") {
                        if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 2; continue }
                        quoted = false
                        i += 1
                        // After a closing quote only a separator or the line's end may follow.
                        if i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D {
                            problem = problem ?? "text after a closing quote in field \(fields.count + 1)"
                        }
                        continue
                    }
                    if c == 0x0A { line += 1 }
                    field.append(c)
                    i += 1
                    continue
                }
                switch c {
                case UInt8(ascii: ","):
                    fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(); fieldStart = true; i += 1
                case 0x0D where i + 1 < n && bytes[i + 1] == 0x0A:
                    i += 2; line += 1; endOfRecord = true
                case 0x0A, 0x0D:
                    // LF, or a CR alone (old Mac line ends, as some exports still write).
                    i += 1; line += 1; endOfRecord = true
                case UInt8(ascii: "\"") where fieldStart && field.isEmpty:
                    quoted = true; fieldStart = false; i += 1
                case UInt8(ascii: "\""):
                    problem = problem ?? "a quote inside an unquoted field \(fields.count + 1)"
                    field.append(c); i += 1
                default:
                    field.append(c); fieldStart = false; i += 1
                }
            }
            if quoted {
                // A quote that never closes would swallow the rest of the file: the bad row is
                // its first line alone, and reading goes on after it.
                problem = "unbalanced quote: field \(fields.count + 1) opens a quote that never closes"
                var lineEnd = start
                while lineEnd < n && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                i = min(n, lineEnd + 1)
                line = startLine + 1
            }
            fields.append(String(decoding: field, as: UTF8.self))
            var rawEnd = i
            while rawEnd > start && (bytes[rawEnd - 1] == 0x0A || bytes[rawEnd - 1] == 0x0D) { rawEnd -= 1 }
            let raw = String(decoding: bytes[start..<rawEnd], as: UTF8.self)
            if raw.isEmpty && fields.count == 1 { continue }   // blank line
            records.append((startLine, fields, raw, problem))
        }
        guard let first = records.first else {
            header = []; rows = []; problems = []; headerProblem = nil; return
        }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        headerProblem = first.problem
        var rows: [CSVRow] = [], problems: [CSVProblem] = []
        for r in records.dropFirst() {
            if let p = r.problem {
                problems.append(CSVProblem(line: r.line, reason: p, raw: r.raw))
            } else if r.fields.count != header.count {
                problems.append(CSVProblem(line: r.line, reason: "\(r.fields.count) fields where the header has \(header.count)", raw: r.raw))
            } else {
                rows.append(CSVRow(line: r.line, fields: r.fields, raw: r.raw))
            }
        }
        self.rows = rows
        self.problems = problems
    }

    /// Reads and parses the file at `path`.
    public init(path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw LogError.system(operation: "read", path: path, errno: errno) }
        self.init(bytes: Array(bytes))
    }

    /// The index of column `name`, if the header has it.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}

import Foundation
import WaymarkLog
