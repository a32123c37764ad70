import WaymarkEvents
import WaymarkLog
import WaymarkStore
import WaymarkTime

/// Settings of one ingest run.
public struct IngestOptions: Sendable {
    /// Stamp the appended events with this time instead of the clock.
    public var recordedAt: Timestamp?
    /// Retract (EventRetracted) records absent from this snapshot, instead of only listing them.
    public var retractMissing = false
    /// Writer settings (lock timeout, segment size).
    public var writer = LogWriterOptions()

    public init(recordedAt: Timestamp? = nil, retractMissing: Bool = false, writer: LogWriterOptions = LogWriterOptions()) {
        self.recordedAt = recordedAt
        self.retractMissing = retractMissing
        self.writer = writer
    }
}

/// The outcome of one ingest run.
public struct IngestSummary: Sendable {
    public var adapter: String
    public var rows = 0
    public var appended = 0
    public var duplicates = 0
    public var quarantined = 0
    /// Source records in the log that this snapshot no longer has (row keys, sorted).
    public var missing: [String] = []
    /// Events appended to retract them (with --retract-missing).
    public var retracted = 0
    /// Where the quarantined rows were written.
    public var quarantineFile: String?
    /// The rows quarantined (file, line, field, reason).
    public var quarantinedRows: [QuarantinedRow] = []

    /// `{"adapter":…,"rows":…,"appended":…,"duplicates":…,"quarantined":…,"missingFromSnapshot":…}`
    public var json: String {
        JSONText.object(["adapter": .string(adapter), "rows": .int(rows), "appended": .int(appended), "duplicates": .int(duplicates),
                         "quarantined": .int(quarantined), "missingFromSnapshot": .int(missing.count)])
    }
}

/// Ingests one snapshot of an agency feed: derives events with the adapter, compares them
/// with what the log holds from the same source, and appends only what is new or changed —
/// a changed record as a new event that `supersedes` the old one — then lists (or retracts)
/// records the snapshot no longer has. Every event is checked against the catalogue first;
/// rejected rows are quarantined, never dropped.
public struct SnapshotIngester {
    public let logDirectory: String
    public let catalogue: EventCatalogue

    public init(logDirectory: String, catalogue: EventCatalogue) {
        self.logDirectory = logDirectory
        self.catalogue = catalogue
    }

    public func ingest(_ adapter: FeedAdapter, files: [String], options: IngestOptions = IngestOptions()) throws -> IngestSummary {
        var quarantine = Quarantine(adapter: adapter.name)
        let output = try adapter.read(files: files, quarantine: &quarantine)
        let writer = try LogWriter(directory: logDirectory, options: options.writer.forEvents)
        defer { try? writer.close() }
        if let t = options.recordedAt, let last = writer.lastRecordedAt, t < last {
            throw LogError.refused("--recorded-at \(t) is earlier than the log's latest recordedAt (\(last)): history cannot be back-dated")
        }
        let state = try SnapshotState(logDirectory: logDirectory, adapter: adapter.name, agency: adapter.agency)
        var summary = IngestSummary(adapter: adapter.name)
        summary.rows = output.rows

        var batch = AppendBatch()
        var seen: Set<String> = []
        var snapshotRowKeys: Set<Substring> = []
        func source(_ recordId: String) -> JSONObject {
            JSONObject([JSONMember(key: "agency", value: .string(adapter.agency)), JSONMember(key: "system", value: .string(adapter.system)),
                        JSONMember(key: "recordId", value: .string(recordId))])
        }
        func stage(_ envelope: Envelope, row: FeedRow?) -> Bool {
            if let problem = catalogue.validate(envelope) {
                if let row { row.reject(problem.field, "gives an invalid \(envelope.type): \(problem.reason)", into: &quarantine) }
                return false
            }
            batch.add(key: Array(envelope.id.utf8), payload: Array(envelope.json.serialized.utf8))
            return true
        }
        for r in output.records {
            snapshotRowKeys.insert(r.rowKey)
            let key = SnapshotState.key(r.recordId, r.type)
            guard seen.insert(key).inserted else { continue }   // first row of a record wins within a snapshot
            let fingerprint = EventIdentity.contentFingerprint(child: r.child, episode: r.episode, occurredAt: r.occurredAt, data: r.data)
            let previous = state.live[key]
            if previous?.fingerprint == fingerprint { summary.duplicates += 1; continue }
            let supersedes = previous?.id ?? state.retracted[key]
            let id = EventIdentity.id(adapter: adapter.name, system: adapter.system, agency: adapter.agency, recordId: r.recordId,
                                      type: r.type, fingerprint: fingerprint, supersedes: supersedes)
            guard let occurredAt = RFC3339.parse(r.occurredAt) else {
                r.row.reject(nil, "internal: \(r.type) has no valid time (\(r.occurredAt))", into: &quarantine)
                continue
            }
            _ = stage(Envelope(id: id, type: r.type, schemaVersion: 1, occurredAt: occurredAt, occurredAtText: r.occurredAt,
                               source: source(r.recordId), child: r.child, episode: r.episode, supersedes: supersedes, data: r.data),
                      row: r.row)
        }
        // Records the log has from this source that the snapshot no longer does.
        let absent = state.live.values.filter { entry in
            let rowKey = entry.recordId.split(separator: "#", maxSplits: 1)[0]
            let table = String(rowKey.split(separator: "/", maxSplits: 1)[0])
            guard let coverage = output.coverage[table], coverage.covers(rowKey: rowKey, occurredAt: entry.occurredAt) else { return false }
            return !snapshotRowKeys.contains(rowKey) && !output.quarantinedRowKeys.contains(String(rowKey))
        }
        summary.missing = Set(absent.map { String($0.recordId.split(separator: "#", maxSplits: 1)[0]) }).sorted()
        if options.retractMissing {
            let when = (options.recordedAt ?? Timestamp.now())
            for entry in absent.sorted(by: { $0.id < $1.id }) {
                let data = JSONObject([JSONMember(key: "target", value: .string(entry.id)),
                                       JSONMember(key: "reason", value: .string("absent from a later \(adapter.name) snapshot"))])
                let fingerprint = EventIdentity.contentFingerprint(child: entry.child, episode: entry.episode, occurredAt: when.rfc3339, data: data)
                let id = EventIdentity.id(adapter: adapter.name, system: adapter.system, agency: adapter.agency, recordId: entry.recordId,
                                          type: "EventRetracted", fingerprint: fingerprint, supersedes: nil)
                if stage(Envelope(id: id, type: "EventRetracted", occurredAt: when, source: source(entry.recordId), child: entry.child,
                                  episode: entry.episode, data: data), row: nil) { summary.retracted += 1 }
            }
        }
        if !batch.isEmpty {
            let outcome = try writer.append(batch, recordedAt: options.recordedAt)
            summary.appended = outcome.appended
            summary.duplicates += outcome.duplicates
        }
        summary.quarantined = quarantine.rows.count
        summary.quarantinedRows = quarantine.rows
        summary.quarantineFile = try quarantine.write(logDirectory: logDirectory)
        return summary
    }
}
