import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// A row an adapter reports: the file and line it came from, the field at fault, why, the
/// DfE rule it breaks (when one applies), and the row as it was.
public struct QuarantinedRow: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var field: String?
    public var reason: String
    public var raw: String
    /// The row's values by column, when it parsed as CSV (to tell which record it was).
    public var values: [String: String]?
    /// The DfE validation rule code (`574`, `1004`, `INT13`), when the row breaks one.
    public var rule: String?

    public init(file: String, line: Int, field: String?, reason: String, raw: String, values: [String: String]? = nil, rule: String? = nil) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        self.raw = raw
        self.values = values
        self.rule = rule
    }

    /// `file:line: field F: [rule R] reason` for messages (no row content: it may be personal).
    public var message: String {
        "\(file):\(line): " + (field.map { "field \($0): " } ?? "") + (rule.map { "rule \($0): " } ?? "") + reason
    }
}

/// Rows an adapter reports, kept so none is lost. Two kinds, written to two folders of the
/// log directory (mode 0600, one JSON object a line):
/// - **rejected** rows, which could not become facts and were not ingested:
///   `DIR/quarantine/<adapter>-<UTC time>.ndjson`,
///   `{"adapter","file","line","field","reason","rule","raw"}`;
/// - **findings**: rows that were ingested as facts but break a rule relating rows or fields
///   (an episode chain with a gap, a missing period outside care):
///   `DIR/findings/<adapter>-<agency>-<UTC time>.ndjson`, the same shape plus
///   `"severity":"finding"`.
public struct Quarantine: Sendable {
    /// What the rows are: rejected (not ingested) or findings (ingested and reported).
    public enum Kind: Sendable { case rejected, finding }

    /// The adapter whose rows these are.
    public let adapter: String
    /// Rejected rows or findings.
    public let kind: Kind
    /// The rows reported so far.
    public private(set) var rows: [QuarantinedRow] = []

    public init(adapter: String, kind: Kind = .rejected) {
        self.adapter = adapter
        self.kind = kind
    }

    /// Reports one row.
    public mutating func add(file: String, line: Int, field: String?, reason: String, raw: String, values: [String: String]? = nil, rule: String? = nil) {
        rows.append(QuarantinedRow(file: file, line: line, field: field, reason: reason, raw: raw, values: values, rule: rule))
    }

    /// Adds rows reported elsewhere.
    public mutating func add(_ more: [QuarantinedRow]) { rows += more }

    /// How many rows break each rule code.
    public var byRule: [String: Int] {
        var counts: [String: Int] = [:]
        for r in rows { if let rule = r.rule { counts[rule, default: 0] += 1 } }
        return counts
    }

    /// Writes the rows under `logDirectory/quarantine/` (rejected) or `logDirectory/findings/`
    /// (findings, with the agency in the name) and returns the file's path (nil when there is
    /// nothing to write).
    public func write(logDirectory: String, agency: String? = nil, at time: Timestamp = .now()) throws -> String? {
        guard !rows.isEmpty else { return nil }
        let dir = logDirectory + (kind == .rejected ? "/quarantine" : "/findings")
        try FileSystem.createDirectory(dir, followingLinks: false)
        let stamp = time.rfc3339.filter { $0 != "-" && $0 != ":" && $0 != "." }
        let name = [adapter, kind == .finding ? agency : nil, stamp].compactMap { $0 }.joined(separator: "-")
        var path = "\(dir)/\(name).ndjson"
        var n = 1
        while FileSystem.exists(path) { n += 1; path = "\(dir)/\(name)-\(n).ndjson" }
        var text = ""
        for r in rows {
            var members: [(String, JSONText.Raw)] = [("adapter", .string(adapter)), ("file", .string(r.file)), ("line", .int(r.line)),
                                                     ("field", .string(r.field)), ("reason", .string(r.reason))]
            if let rule = r.rule { members.append(("rule", .string(rule))) }
            if kind == .finding { members.append(("severity", .string("finding"))) }
            members.append(("raw", .string(r.raw)))
            text += JSONText.object(members) + "\n"
        }
        try FileSystem.writeAtomically(Array(text.utf8), to: path, durable: true)
        return path
    }
}
