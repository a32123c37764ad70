import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// A rejected row: the file and line it came from, the field at fault, why, and the row as
/// it was.
public struct QuarantinedRow: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var field: String?
    public var reason: String
    public var raw: String
    /// The row's values by column, when it parsed as CSV (to tell which record it was).
    public var values: [String: String]?

    public init(file: String, line: Int, field: String?, reason: String, raw: String, values: [String: String]? = nil) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        self.raw = raw
        self.values = values
    }

    /// `file:line: field F: reason` for messages (no row content: it may be personal).
    public var message: String { "\(file):\(line): " + (field.map { "field \($0): " } ?? "") + reason }
}

/// Rows that were rejected, kept so none is lost: written to
/// `DIR/quarantine/<adapter>-<UTC timestamp>.ndjson` (mode 0600), one JSON object a line:
/// `{"adapter","file","line","field","reason","raw"}`.
public struct Quarantine: Sendable {
    /// The adapter whose rows these are.
    public let adapter: String
    /// The rows rejected so far.
    public private(set) var rows: [QuarantinedRow] = []

    public init(adapter: String) { self.adapter = adapter }

    /// Rejects one row.
    public mutating func add(file: String, line: Int, field: String?, reason: String, raw: String, values: [String: String]? = nil) {
        rows.append(QuarantinedRow(file: file, line: line, field: field, reason: reason, raw: raw, values: values))
    }

    /// Writes the rows under `logDirectory/quarantine/` and returns the file's path (nil when
    /// there is nothing to write).
    public func write(logDirectory: String, at time: Timestamp = .now()) throws -> String? {
        guard !rows.isEmpty else { return nil }
        let dir = logDirectory + "/quarantine"
        try FileSystem.createDirectory(dir)
        let stamp = time.rfc3339.filter { $0 != "-" && $0 != ":" && $0 != "." }
        var path = "\(dir)/\(adapter)-\(stamp).ndjson"
        var n = 1
        while FileSystem.exists(path) { n += 1; path = "\(dir)/\(adapter)-\(stamp)-\(n).ndjson" }
        var text = ""
        for r in rows {
            text += JSONText.object(["adapter": .string(adapter), "file": .string(r.file), "line": .int(r.line),
                                     "field": .string(r.field), "reason": .string(r.reason), "raw": .string(r.raw)]) + "\n"
        }
        try FileSystem.writeAtomically(Array(text.utf8), to: path, durable: true)
        return path
    }
}
