import WaymarkEvents

/// What an adapter made of one snapshot of its feed.
public struct AdapterOutput: Sendable {
    /// Data rows read (good and bad).
    public var rows = 0
    /// The events derived from the good rows.
    public var records: [FeedRecord] = []
    /// What this snapshot covers, per table: only records it covers can be missing from it.
    public var coverage: [String: SnapshotCoverage] = [:]
    /// Row keys of quarantined rows (when they could be told), which are not "missing".
    public var quarantinedRowKeys: Set<String> = []
    /// Rows that were ingested but break a rule relating rows or fields.
    public var findings: [QuarantinedRow] = []
    /// Rows that repeat an earlier row of the same snapshot exactly (counted, not ingested twice).
    public var duplicateRows = 0

    public init() {}
}

/// What part of a table a snapshot speaks for. Extracts are partial by nature (an annual
/// SSDA903 return holds that year's children; a police export the year to date), so a record
/// is "missing from the snapshot" only when the snapshot covers it and does not have it.
public enum SnapshotCoverage: Sendable, Equatable {
    /// Every record of the table (a register sent whole).
    case all
    /// Records of the children (the second part of `<table>/<child>/…`) the snapshot has in this table.
    case children(Set<String>)
    /// Records that happened at or after this time (the snapshot's earliest row) .
    case since(Timestamp)
    /// Records open at some time from `from` to `to` (an annual return's collection year): a
    /// record's period runs from its first event to its event of one of `endTypes` (open
    /// while it has none).
    case openDuring(from: Timestamp, to: Timestamp, endTypes: Set<String>)

    /// Whether a record with this row key, which happened at `occurredAt`, is covered.
    public func covers(rowKey: Substring, occurredAt: Timestamp) -> Bool {
        switch self {
        case .all: return true
        case let .children(ids):
            let parts = rowKey.split(separator: "/")
            return parts.count > 1 && ids.contains(String(parts[1]))
        case let .since(start): return occurredAt >= start
        case let .openDuring(from, to, _): return occurredAt >= from && occurredAt <= to
        }
    }

    /// Whether a record whose events are `events` (type and time) is covered.
    public func covers(rowKey: Substring, events: [(type: String, occurredAt: Timestamp)]) -> Bool {
        guard case let .openDuring(from, to, endTypes) = self else {
            return events.contains { covers(rowKey: rowKey, occurredAt: $0.occurredAt) }
        }
        guard let start = events.filter({ !endTypes.contains($0.type) }).map(\.occurredAt).min() else { return false }
        let end = events.filter { endTypes.contains($0.type) }.map(\.occurredAt).max()
        return start <= to && (end.map { $0 >= from } ?? true)
    }
}

/// One agency feed: reads a snapshot's files and derives events from them.
public protocol FeedAdapter {
    /// The adapter's name on the command line and in quarantine files (`ssda903`).
    var name: String { get }
    /// The source system written into every event's `source.system`.
    var system: String { get }
    /// The agency (LA number, force code, provider code) written into `source.agency`.
    var agency: String { get }
    /// Reads the files; rejected rows go to `quarantine`.
    func read(files: [String], quarantine: inout Quarantine) throws -> AdapterOutput
    /// Reads the files knowing what the log already holds from this source (an annual
    /// return's first episode may continue a placement an earlier return began).
    func read(files: [String], known: KnownRecords, quarantine: inout Quarantine) throws -> AdapterOutput
}

extension FeedAdapter {
    public func read(files: [String], known: KnownRecords, quarantine: inout Quarantine) throws -> AdapterOutput {
        try read(files: files, quarantine: &quarantine)
    }
}

/// What the log holds from one source, as adapters may ask it: the live records by id.
public protocol KnownRecords {
    /// The live source records (`recordId`, event type, when it happened) whose id starts with `prefix`.
    func records(withPrefix prefix: String) -> [(recordId: String, type: String, occurredAt: Timestamp)]
}

/// No records known (a first ingest, or an adapter read on its own).
public struct NoKnownRecords: KnownRecords {
    public init() {}
    public func records(withPrefix prefix: String) -> [(recordId: String, type: String, occurredAt: Timestamp)] { [] }
}

/// Dates as the feeds write them.
enum FeedDates {
    /// Midnight UTC of `date`, as RFC 3339 text.
    static func midnight(_ date: CivilDate) -> String { ISODate.format(date) + "T00:00:00Z" }
}

import WaymarkTime
