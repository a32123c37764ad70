/// One read model Waymark publishes: its file, the columns that key its rows (what `diff`
/// compares rows by; none for a file compared whole), its columns (CSV tables), which
/// `project` kinds publish it, and a line saying what one row is.
public struct ReadModelEntry: Sendable {
    public let file: String
    public let key: [String]
    public let columns: [String]
    public let kinds: Set<ReadModelKind>
    public let summary: String
}

/// Every read model, in one place: `project` publishes what the kind's entries name, `diff`
/// keys rows by them, `project --help` lists them, and a test checks the README's table and
/// the published headers against them. A new read model is its table function plus one entry.
public enum ReadModelCatalogue {
    public static let entries: [ReadModelEntry] = [
        ReadModelEntry(file: "episodes.csv", key: ["episode"], columns: ReadModel.episodeColumns,
                       kinds: [.timeline, .careHomes, .handoffs, .all], summary: "missing episode, a police incident and the council's record of it joined"),
        ReadModelEntry(file: "care-homes.csv", key: ["homeUrn", "period"], columns: ReadModel.careHomeColumns,
                       kinds: [.careHomes, .all], summary: "care home and financial year: incidents, children, out of area, median duration, RHIs on time"),
        ReadModelEntry(file: "care-homes-monthly.csv", key: ["homeUrn", "period"], columns: ReadModel.careHomeColumns,
                       kinds: [.careHomes, .all], summary: "care home and month, the same"),
        ReadModelEntry(file: "handoffs.csv", key: ["kind", "subject", "to"], columns: ReadModel.handoffColumns,
                       kinds: [.handoffs, .all], summary: "cross-border duty (host notification, find in another force's area, case transfer) and its status"),
        ReadModelEntry(file: "missing-now.csv", key: ["episode"], columns: ReadModel.missingNowColumns,
                       kinds: [.timeline, .all], summary: "child missing at the as-of moment, and for how long"),
        ReadModelEntry(file: "children.csv", key: ["child"], columns: ReadModel.childColumns,
                       kinds: [.timeline, .all], summary: "child: references, episodes, repeat missing, risk factors"),
        ReadModelEntry(file: "unplaced.csv", key: ["offset", "reason"], columns: ReadModel.unplacedColumns,
                       kinds: [.timeline, .careHomes, .handoffs, .all], summary: "event that could not be attached to an episode (never dropped silently)"),
        ReadModelEntry(file: "timeline.dat", key: [], columns: [], kinds: [.timeline, .all], summary: "the store behind `waymark timeline` (with timeline.idx)"),
        ReadModelEntry(file: "timeline.idx", key: [], columns: [], kinds: [.timeline, .all], summary: "the timeline store's index"),
    ]

    /// The files `kind` publishes, in catalogue order.
    public static func files(of kind: ReadModelKind) -> [String] { entries.filter { $0.kinds.contains(kind) }.map(\.file) }

    /// The key columns of `file`, if it is a keyed table.
    public static func key(of file: String) -> [String]? { entries.first { $0.file == file && !$0.key.isEmpty }?.key }
}
