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
    /// When `recordedAt` is earlier than the log's latest: record new events at the log's
    /// latest instead of refusing (a manifest run again, or another writer in between).
    public var laterIfBackdated = false

    public init(recordedAt: Timestamp? = nil, retractMissing: Bool = false, writer: LogWriterOptions = LogWriterOptions()) {
        self.recordedAt = recordedAt
        self.retractMissing = retractMissing
        self.writer = writer
    }
}

/// The outcome of one ingest run.
public struct IngestSummary: Sendable {
    public var adapter: String
    /// The agency whose feed it was (LA number, force code, provider code, register).
    public var agency: String = ""
    /// The files read.
    public var files: [String] = []
    public var rows = 0
    public var appended = 0
    /// Events the log already had, and rows that repeated an earlier row of the snapshot exactly.
    public var duplicates = 0
    /// Rows rejected (each counted once, whatever the number of rules it breaks).
    public var quarantined = 0
    /// Rows ingested that break a rule relating rows or fields.
    public var findings = 0
    /// Rejected rows and findings by rule code.
    public var byRule: [String: Int] = [:]
    /// Where the findings were written.
    public var findingsFile: String?
    /// The findings (file, line, field, rule, reason).
    public var findingRows: [QuarantinedRow] = []
    /// Source records in the log that this snapshot no longer has (row keys, sorted).
    public var missing: [String] = []
    /// Events appended to retract them (with --retract-missing).
    public var retracted = 0
    /// Where the quarantined rows were written.
    public var quarantineFile: String?
    /// The recordedAt its events got instead of a back-dated one.
    public var recordedAtMovedTo: Timestamp?
    /// The rows quarantined (file, line, field, reason).
    public var quarantinedRows: [QuarantinedRow] = []
    /// Problems that lost nothing (a derived file not written), for standard error.
    public var warnings: [String] = []

    /// `{"feed":{"adapter","agency","files"},"adapter":…,"rows":…,"appended":…,"duplicates":…,"quarantined":…,
    /// "findings":…,"byRule":{"574":2,…},"missingFromSnapshot":…}`
    public var json: String {
        let feed = JSONText.object([("adapter", .string(adapter)), ("agency", .string(agency)),
                                    ("files", JSONText.Raw(text: "[" + files.map(JSONText.quote).joined(separator: ",") + "]"))])
        let rules = JSONText.object(byRule.keys.sorted { ($0.count, $0) < ($1.count, $1) }.map { ($0, JSONText.Raw.int(byRule[$0]!)) })
        return JSONText.object([("feed", JSONText.Raw(text: feed)), ("adapter", .string(adapter)), ("rows", .int(rows)), ("appended", .int(appended)),
                                ("duplicates", .int(duplicates)), ("quarantined", .int(quarantined)), ("findings", .int(findings)),
                                ("byRule", JSONText.Raw(text: rules)), ("missingFromSnapshot", .int(missing.count))])
    }

    /// An empty summary for `adapter` (totals start from one with an empty name).
    public init(adapter: String) { self.adapter = adapter }

    /// Adds another feed's counts to these totals.
    public mutating func add(_ other: IngestSummary) {
        rows += other.rows; appended += other.appended; duplicates += other.duplicates; quarantined += other.quarantined
        findings += other.findings; retracted += other.retracted; missing += other.missing
        for (rule, n) in other.byRule { byRule[rule, default: 0] += n }
    }

    /// `{"totals":{"feeds":…,"skipped":…,"rows":…,…}}`: a manifest run's last line.
    public func totalsJSON(feeds: Int, skipped: Int) -> String {
        let rules = JSONText.object(byRule.keys.sorted { ($0.count, $0) < ($1.count, $1) }.map { ($0, JSONText.Raw.int(byRule[$0]!)) })
        let inner = JSONText.object([("feeds", .int(feeds)), ("skipped", .int(skipped)), ("rows", .int(rows)), ("appended", .int(appended)),
                                     ("duplicates", .int(duplicates)), ("quarantined", .int(quarantined)), ("findings", .int(findings)),
                                     ("byRule", JSONText.Raw(text: rules)), ("missingFromSnapshot", .int(missing.count))])
        return JSONText.object([("totals", JSONText.Raw(text: inner))])
    }

    /// Adds the rejected rows of `quarantine` (counting each row once) to the summary.
    public mutating func count(rejected rows: [QuarantinedRow]) {
        quarantined += Set(rows.map { "\($0.line):\($0.file)" }).count
        for r in rows { if let rule = r.rule { byRule[rule, default: 0] += 1 } }
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
        for f in files where !FileSystem.exists(f) { throw IngestError.unreadable(f) }
        let writer = try LogWriter(directory: logDirectory, options: options.writer.forEvents)
        var closed = false
        defer { if !closed { try? writer.close() } }
        var stamp = options.recordedAt
        var backdated = false
        if let t = options.recordedAt, let last = writer.lastRecordedAt, t < last {
            guard options.laterIfBackdated else {
                throw LogError.refused("--recorded-at \(t) is earlier than the log's latest recordedAt (\(last)): history cannot be back-dated")
            }
            backdated = true
            stamp = last
        }
        let state = try SnapshotState(logDirectory: logDirectory, adapter: adapter.name, agency: adapter.agency)
        let output = try adapter.read(files: files, known: state, quarantine: &quarantine)
        var summary = IngestSummary(adapter: adapter.name)
        summary.agency = adapter.agency
        summary.files = files
        summary.rows = output.rows
        summary.duplicates = output.duplicateRows
        // A fact dated after it was recorded (a day's grace for time zones) is not a fact.
        let recordedAt = options.recordedAt ?? Timestamp.now()
        let latestFact = EventAppender.latestFact(recordedAt: recordedAt)

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
            guard occurredAt <= latestFact else {
                r.row.reject(nil, "dated in the future: the \(r.type) happened at \(r.occurredAt), after it was recorded (\(recordedAt.rfc3339)); a fact cannot be recorded before it happens",
                             rule: "WM6", into: &quarantine)
                continue
            }
            _ = stage(Envelope(id: id, type: r.type, schemaVersion: 1, occurredAt: occurredAt, occurredAtText: r.occurredAt,
                               source: source(r.recordId), child: r.child, episode: r.episode, supersedes: supersedes, data: r.data),
                      row: r.row)
        }
        // Records the log has from this source that the snapshot no longer does, and should.
        var candidates: [Substring: [SnapshotState.Entry]] = [:]
        for (key, entry) in state.live {
            let rowKey = entry.recordId.split(separator: "#", maxSplits: 1)[0]
            guard !snapshotRowKeys.contains(rowKey), !output.quarantinedRowKeys.contains(String(rowKey)) else { continue }
            var typed = entry
            typed.type = String(key.split(separator: "\u{1}").last ?? "")
            candidates[rowKey, default: []].append(typed)
        }
        let absent = candidates.flatMap { rowKey, entries -> [SnapshotState.Entry] in
            let table = String(rowKey.split(separator: "/", maxSplits: 1)[0])
            guard let coverage = output.coverage[table],
                  coverage.covers(rowKey: rowKey, events: entries.map { ($0.type, $0.occurredAt) }) else { return [] }
            return entries
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
            let outcome = try writer.append(batch, recordedAt: stamp)
            summary.appended = outcome.appended
            summary.duplicates += outcome.duplicates
        }
        if backdated, summary.appended > 0 { summary.recordedAtMovedTo = stamp }
        summary.count(rejected: quarantine.rows)
        summary.quarantinedRows = quarantine.rows
        summary.quarantineFile = try quarantine.write(logDirectory: logDirectory)
        var findings = Quarantine(adapter: adapter.name, kind: .finding)
        findings.add(output.findings)
        summary.findings = Set(findings.rows.map { "\($0.line):\($0.file)" }).count
        for (rule, n) in findings.byRule { summary.byRule[rule, default: 0] += n }
        summary.findingRows = findings.rows
        summary.findingsFile = try findings.write(logDirectory: logDirectory, agency: adapter.agency)
        closed = true
        do { try writer.close() } catch {
            summary.warnings.append("the id index was not checkpointed (\(error)); the next writer indexes the events it lacks")
        }
        return summary
    }
}

/// The records a snapshot should have held and did not, listed one a line in
/// `DIR/missing/<adapter>-<agency>-<UTC time>.txt` (mode 0600): a count goes to the summary,
/// the list to a file, not thousands of lines to standard error.
public enum MissingList {
    /// Writes the list and returns its path.
    public static func write(_ keys: [String], logDirectory: String, adapter: String, agency: String, at time: Timestamp = .now()) throws -> String {
        let dir = logDirectory + "/missing"
        try FileSystem.createDirectory(dir, followingLinks: false)
        let stamp = time.rfc3339.filter { $0 != "-" && $0 != ":" && $0 != "." }
        var path = "\(dir)/\(adapter)-\(agency)-\(stamp).txt"
        var n = 1
        while FileSystem.exists(path) { n += 1; path = "\(dir)/\(adapter)-\(agency)-\(stamp)-\(n).txt" }
        try FileSystem.writeAtomically(Array((keys.joined(separator: "\n") + "\n").utf8), to: path, durable: true)
        return path
    }
}
