import WaymarkEvents

/// What an adapter made of one snapshot of its feed.
public struct AdapterOutput: Sendable {
    /// Data rows read (good and bad).
    public var rows = 0
    /// The events derived from the good rows.
    public var records: [FeedRecord] = []
    /// Tables this snapshot covers: only their records can be missing from it.
    public var tables: Set<String> = []
    /// Row keys of quarantined rows (when they could be told), which are not "missing".
    public var quarantinedRowKeys: Set<String> = []

    public init() {}
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
}

/// Dates as the feeds write them.
enum FeedDates {
    /// `DD/MM/YYYY` (SSDA903) as a date, nil when not a real date.
    static func ukDate(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]), parts[2].count == 4 else { return nil }
        let date = CivilDate(year: y, month: m, day: d)
        return date.isValid ? date : nil
    }

    /// Midnight UTC of `date`, as RFC 3339 text.
    static func midnight(_ date: CivilDate) -> String { ISODate.format(date) + "T00:00:00Z" }
}

import WaymarkTime
