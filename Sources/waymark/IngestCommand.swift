import WaymarkIngest
import WaymarkLog
import WaymarkStore
import WaymarkTime

/// `waymark ingest`: agency feed snapshots into the log.
enum IngestCommand {
    static let help = """
    Usage: waymark ingest <ssda903|police|rhi|care-homes> --log DIR [--recorded-at T] [--retract-missing]
                          [--la CODE] [--postcode-map FILE] [--force CODE] [--provider CODE] [--register NAME]
                          [--lock-timeout S] FILES...
           waymark ingest --manifest FILE --log DIR

    Reads one snapshot of an agency feed and appends only what is new or changed: a re-sent
    snapshot appends nothing; a corrected record appends a new event that supersedes the
    old one; a later development (a regrading, a find) appends an event of its own type.
    Records the log has from this source but the snapshot no longer does are counted and
    listed on standard error, and retracted (EventRetracted) only with --retract-missing.
    Rejected rows never stop the run: they go to DIR/quarantine/<adapter>-<UTC time>.ndjson
    with file, line, field, reason and the raw row (mode 0600), and are listed on standard error.

    Adapters (column layouts in Schemas/feeds/<adapter>.schema.json):
      ssda903 --la CODE [--postcode-map FILE]  an LA's SSDA903 header.csv, episodes.csv,
                                               missing.csv (any subset, recognised by header row);
                                               host LA from PL_LA, else the postcode map
                                               (CSV postcodeDistrict,la), else unknown
      police --force CODE                      a force's missing-person incident export
      rhi --provider CODE                      a return-home-interview provider's return
      care-homes [--register NAME]             the care-home register (default register OFSTED)

    Prints one JSON line per feed:
      {"adapter":…,"rows":…,"appended":…,"duplicates":…,"quarantined":…,"missingFromSnapshot":…}

    Options:
      --log DIR            the log directory (created if needed)
      --recorded-at T      stamp the events with RFC 3339 time T (backfills, tests)
      --retract-missing    retract records absent from this snapshot
      --manifest FILE      ingest every feed a manifest lists, in order (see README)

    Example:
      waymark ingest ssda903 --log ./log --la 309 extract/header.csv extract/episodes.csv extract/missing.csv
      waymark ingest --manifest feeds/manifest.json --log ./log

    """ + exitStatusHelp

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "recorded-at", "la", "postcode-map", "force", "provider", "register",
                                                    "lock-timeout", "segment-bytes", "manifest"], flags: ["retract-missing"])
        if a.wantsHelp { printResult(help); return .success }
        let log = try a.required("log")
        let writer = LogWriterOptions(segmentBytes: try a.integer("segment-bytes", default: 64 << 20, in: 4096...(Int(UInt32.max))),
                                      lockTimeout: try a.seconds("lock-timeout", default: 10))
        let manifest: IngestManifest
        if let path = a.value("manifest") {
            try a.noPositional()
            manifest = try IngestManifest(path: path)
        } else {
            guard let adapter = a.positional.first else { throw UsageError(description: "name an adapter (ssda903, police, rhi, care-homes) or --manifest") }
            let files = Array(a.positional.dropFirst())
            guard !files.isEmpty else { throw UsageError(description: "name the feed files to ingest") }
            _ = try a.time("recorded-at")
            manifest = IngestManifest(feeds: [.init(adapter: adapter, files: files, la: a.value("la"), force: a.value("force"),
                                                    provider: a.value("provider"), register: a.value("register"),
                                                    postcodeMap: a.value("postcode-map"), recordedAt: a.value("recorded-at"),
                                                    retractMissing: a.flag("retract-missing"))],
                                      baseDirectory: ".")
        }
        let schemas = try SchemaDirectory.locate()
        let ingester = SnapshotIngester(logDirectory: log, catalogue: try SchemaDirectory.catalogue(in: schemas))
        defer { SnapshotState.saveDerivations() }
        var anyQuarantined = false
        for feed in manifest.feeds {
            var quarantine = Quarantine(adapter: feed.adapter)
            let adapter: FeedAdapter
            do {
                adapter = try AdapterFactory.make(feed, schemas: schemas, resolve: manifest.resolve, quarantine: &quarantine)
            } catch let e as IngestError { throw UsageError(description: e.description) }
            var recordedAt: Timestamp? = nil
            if let text = feed.recordedAt {
                guard let t = RFC3339.parse(text) else { throw UsageError(description: "recordedAt '\(text)' is not an RFC 3339 time") }
                recordedAt = t
            }
            let files = feed.files.map(manifest.resolve)
            let summary: IngestSummary
            do {
                summary = try ingester.ingest(adapter, files: files, options: IngestOptions(recordedAt: recordedAt, retractMissing: feed.retractMissing, writer: writer))
            } catch let e as IngestError { throw UsageError(description: e.description) }
            let rows = quarantine.rows + summary.quarantinedRows
            for (i, q) in rows.enumerated() where i < 20 { printError("waymark ingest \(feed.adapter): quarantined \(q.message)") }
            if rows.count > 20 { printError("waymark ingest \(feed.adapter): … and \(rows.count - 20) more") }
            if let extra = try quarantine.write(logDirectory: log) { printError("waymark ingest \(feed.adapter): quarantine file \(extra)") }
            if let file = summary.quarantineFile { printError("waymark ingest \(feed.adapter): quarantine file \(file)") }
            for (i, key) in summary.missing.enumerated() where i < 50 {
                printError("waymark ingest \(feed.adapter): missing from snapshot: \(key)" + (feed.retractMissing ? " (retracted)" : ""))
            }
            if summary.missing.count > 50 { printError("waymark ingest \(feed.adapter): … and \(summary.missing.count - 50) more missing from the snapshot") }
            var result = summary
            result.quarantined += quarantine.rows.count
            anyQuarantined = anyQuarantined || result.quarantined > 0
            printResult(result.json)
        }
        return anyQuarantined ? .inputRejected : .success
    }
}
