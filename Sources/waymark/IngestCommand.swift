import Foundation
import WaymarkIngest
import WaymarkLog
import WaymarkStore
import WaymarkTime

/// `waymark ingest`: agency feed snapshots into the log.
enum IngestCommand {
    static let help = """
    Usage: waymark ingest <ssda903|police|rhi|care-homes> --log DIR [--recorded-at T] [--retract-missing]
                          [--la CODE] [--postcode-map FILE] [--collection-year YYYY-YY] [--force CODE]
                          [--provider CODE] [--register NAME] [--lock-timeout S] FILES...
           waymark ingest --manifest FILE --log DIR [--allow-outside]

    Reads one snapshot of an agency feed and appends only what is new or changed: a re-sent
    snapshot appends nothing; a corrected record appends a new event that supersedes the
    old one; a later development (a regrading, a find) appends an event of its own type.
    Records the log has from this source that the snapshot should hold and does not (for an
    SSDA903 return: records open in its collection year) are counted, listed in
    DIR/missing/<adapter>-<agency>-<UTC time>.txt, and retracted (EventRetracted) only with
    --retract-missing. Rejected rows never stop the run: they go to
    DIR/quarantine/<adapter>-<UTC time>.ndjson with file, line, field, the DfE rule code where
    one applies, reason and the raw row (mode 0600). Rows that are facts but break a DfE rule
    relating rows or fields are ingested and written to DIR/findings/<adapter>-<agency>-<UTC
    time>.ndjson (same shape, "severity":"finding"). The first 20 of each are listed on
    standard error. A fact dated more than a day after it is recorded is rejected (rule WM6).

    Adapters (column layouts in Schemas/feeds/<adapter>.schema.json):
      ssda903 --la CODE [--postcode-map FILE]  an LA's SSDA903 return: header.csv, episodes.csv,
              [--collection-year YYYY-YY]      missing.csv (any subset, recognised by header row,
                                               any column order) or one XML file (EXPSSDA903),
                                               checked by the DfE's rules for the collection year
                                               (default: the year of the return's latest date;
                                               2017-18 to 2025-26); host LA from PL_LA, else the
                                               postcode map (CSV postcode,la with full postcodes
                                               or districts; `make postcode-map` builds one), else
                                               unknown. Rules 420 and 1015 (placement LA) run
                                               for episodes whose LA PL_LA or the map gives;
                                               rules that need postcode coordinates or the
                                               Ofsted URN register are not run.
      police --force CODE                      a force's missing-person incident export
      rhi --provider CODE                      a return-home-interview provider's return
      care-homes [--register NAME]             the care-home register (default register OFSTED)

    Prints one JSON line per feed, and for a manifest one totals line at the end:
      {"feed":{"adapter":…,"agency":…,"files":[…]},"adapter":…,"rows":…,"appended":…,"duplicates":…,
       "quarantined":…,"findings":…,"byRule":{"574":2,…},"missingFromSnapshot":…}
      {"totals":{"feeds":…,"skipped":…,"rows":…,"appended":…,"duplicates":…,"quarantined":…,"findings":…,
       "byRule":{…},"missingFromSnapshot":…}}
    A manifest run can be run again after an interruption: a feed the log took before (same
    adapter, agency, recordedAt and file contents, noted in DIR/ingested.txt) is skipped; a
    feed whose recordedAt is earlier than the log's latest (another writer appended in
    between) has its new events recorded at the log's latest recordedAt, since history is
    never back-dated.

    Options:
      --log DIR            the log directory (created if needed)
      --recorded-at T      stamp the events with time T (backfills, tests)
      --retract-missing    retract records absent from this snapshot
      --collection-year Y  the SSDA903 collection year, e.g. 2023-24
      --manifest FILE      ingest every feed a manifest lists, in order (see README); its
                           files must lie in the manifest's directory
      --allow-outside      let a manifest name files outside its directory

    Example:
      waymark ingest ssda903 --log ./log --la 309 extract/header.csv extract/episodes.csv extract/missing.csv
      waymark ingest --manifest feeds/manifest.json --log ./log

    """ + exitStatusHelp([0, 1, 2, 3, 74, 75], [2: "some rows were rejected to the quarantine (the valid ones were still taken)"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "recorded-at", "la", "postcode-map", "force", "provider", "register",
                                                    "lock-timeout", "segment-bytes", "manifest", "collection-year"], flags: ["retract-missing", "allow-outside"])
        if a.wantsHelp { printResult(help); return .success }
        let log = try a.required("log")
        let writer = LogWriterOptions(segmentBytes: try a.integer("segment-bytes", default: 64 << 20, in: 4096...(Int(UInt32.max))),
                                      lockTimeout: try a.seconds("lock-timeout", default: 10))
        let manifest: IngestManifest
        if let path = a.value("manifest") {
            try a.noPositional()
            manifest = try IngestManifest(path: path, allowOutside: a.flag("allow-outside"))
        } else {
            guard let adapter = a.positional.first else { throw UsageError(description: "name an adapter (ssda903, police, rhi, care-homes) or --manifest") }
            let files = Array(a.positional.dropFirst())
            guard !files.isEmpty else { throw UsageError(description: "name the feed files to ingest") }
            _ = try a.time("recorded-at")
            manifest = IngestManifest(feeds: [.init(adapter: adapter, files: files, la: a.value("la"), force: a.value("force"),
                                                    provider: a.value("provider"), register: a.value("register"),
                                                    postcodeMap: a.value("postcode-map"), recordedAt: a.value("recorded-at"),
                                                    retractMissing: a.flag("retract-missing"), collectionYear: a.value("collection-year"))],
                                      baseDirectory: ".")
        }
        let schemas = try SchemaDirectory.locate()
        let ingester = SnapshotIngester(logDirectory: log, catalogue: try SchemaDirectory.catalogue(in: schemas))
        defer { for w in SnapshotState.saveDerivations() { printError("waymark: warning: \(w)") } }
        var anyQuarantined = false
        var totals = IngestSummary(adapter: "")
        var skipped = 0
        var ledger = IngestLedger(logDirectory: log)
        let isManifest = a.value("manifest") != nil
        for feed in manifest.feeds {
            let progress = ElapsedProgress("waymark ingest \(feed.adapter) \(feed.la ?? feed.force ?? feed.provider ?? feed.register ?? "")")
            defer { progress.finish() }
            var quarantine = Quarantine(adapter: feed.adapter)
            let adapter: FeedAdapter
            do {
                adapter = try AdapterFactory.make(feed, schemas: schemas, resolve: manifest.resolve, quarantine: &quarantine)
            } catch let e as IngestError { throw UsageError(description: e.description) }
            var recordedAt: Timestamp? = nil
            if let text = feed.recordedAt {
                guard let t = RFC3339.parse(text) ?? CommandArguments.date(text).map({ Timestamp(millisecondsSinceEpoch: $0.daysSinceEpoch * 86_400_000) }) else {
                    throw UsageError(description: "a feed's recordedAt takes a date like 2023-04-01 or a time like 2023-04-01T06:00:00Z")
                }
                recordedAt = t
            }
            let files = try feed.files.map(manifest.resolve)
            // A manifest run again after an interruption skips the feeds the log already took.
            let fingerprint = try IngestLedger.fingerprint(adapter: feed.adapter, agency: adapter.agency, recordedAt: feed.recordedAt, files: files)
            if isManifest, ledger.contains(fingerprint) {
                printError("waymark ingest \(feed.adapter): skipped \(feed.files.joined(separator: " ")): this log took it before")
                skipped += 1
                continue
            }
            let summary: IngestSummary
            do {
                var options = IngestOptions(recordedAt: recordedAt, retractMissing: feed.retractMissing, writer: writer)
                options.laterIfBackdated = isManifest
                summary = try ingester.ingest(adapter, files: files, options: options)
            } catch let e as IngestError { throw UsageError(description: e.description) }
            progress.finish()
            try ledger.record(fingerprint, label: "\(feed.adapter) \(adapter.agency) \(feed.recordedAt ?? "-") \(feed.files.joined(separator: " "))")
            if let moved = summary.recordedAtMovedTo {
                printError("waymark ingest \(feed.adapter): recordedAt \(feed.recordedAt ?? "") is before the log's latest: its new events are recorded at \(moved.rfc3339) instead")
            }
            let rows = quarantine.rows + summary.quarantinedRows
            for (i, q) in rows.enumerated() where i < 20 { printError("waymark ingest \(feed.adapter): quarantined \(q.message)") }
            if rows.count > 20 { printError("waymark ingest \(feed.adapter): … and \(rows.count - 20) more") }
            if let extra = try quarantine.write(logDirectory: log) { printError("waymark ingest \(feed.adapter): quarantine file \(extra)") }
            if let file = summary.quarantineFile { printError("waymark ingest \(feed.adapter): quarantine file \(file)") }
            for w in summary.warnings { printError("waymark: warning: \(w)") }
            for (i, f) in summary.findingRows.enumerated() where i < 20 { printError("waymark ingest \(feed.adapter): finding \(f.message)") }
            if summary.findingRows.count > 20 { printError("waymark ingest \(feed.adapter): … and \(summary.findingRows.count - 20) more findings") }
            if let file = summary.findingsFile { printError("waymark ingest \(feed.adapter): findings file \(file)") }
            if !summary.missing.isEmpty {
                let file = try MissingList.write(summary.missing, logDirectory: log, adapter: feed.adapter, agency: adapter.agency)
                var byTable: [Substring: Int] = [:]
                for key in summary.missing { byTable[key.split(separator: "/").first ?? "", default: 0] += 1 }
                let kinds = byTable.keys.sorted().map { "\($0) \(byTable[$0]!)" }.joined(separator: ", ")
                printError("waymark ingest \(feed.adapter): \(summary.missing.count) record\(summary.missing.count == 1 ? "" : "s") missing from the snapshot (\(kinds))"
                           + (feed.retractMissing ? ", retracted" : "") + ", listed in \(file)")
            }
            var result = summary
            result.count(rejected: quarantine.rows)
            anyQuarantined = anyQuarantined || result.quarantined > 0
            printResult(result.json)
            totals.add(result)
        }
        if isManifest { printResult(totals.totalsJSON(feeds: manifest.feeds.count - skipped, skipped: skipped)) }
        return anyQuarantined ? .inputRejected : .success
    }
}
