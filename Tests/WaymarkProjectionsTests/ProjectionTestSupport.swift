import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
import WaymarkProjections
import WaymarkStore
import WaymarkTestSupport
import WaymarkTime

enum P {
    static let root = Waymark.packageRoot
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Scenario"
    static func rules(_ name: String = "default") throws -> CountingRules {
        try CountingRules(path: root + "/rules/\(name).json", schema: SchemaDirectory.rulesSchema(in: root + "/Schemas"))
    }
    static func t(_ s: String) -> Timestamp { RFC3339.parse(s)! }

    /// A log from the synthetic generator (a few hundred children, one year).
    static func generatedLog(_ dir: TemporaryDirectory) throws -> String {
        var generator = FeedGenerator(.init(seed: 5, children: 250, years: 1))
        let manifest = try IngestManifest(path: try generator.write(to: dir.file("feeds")).manifest)
        let schemas = root + "/Schemas"
        let ingester = SnapshotIngester(logDirectory: dir.file("log"), catalogue: try SchemaDirectory.catalogue(in: schemas))
        for feed in manifest.feeds {
            var q = Quarantine(adapter: feed.adapter)
            let adapter = try AdapterFactory.make(feed, schemas: schemas, resolve: manifest.resolve, quarantine: &q)
            _ = try ingester.ingest(adapter, files: feed.files.map(manifest.resolve), options: IngestOptions(recordedAt: feed.recordedAt.flatMap(RFC3339.parse)))
        }
        return dir.file("log")
    }

    /// Appends the lines of `path` (events) to `log`, stamped `recordedAt`.
    static func append(_ path: String, to log: String, at recordedAt: String, segmentBytes: Int = 64 << 20) throws {
        let appender = try EventAppender(directory: log, options: LogWriterOptions(segmentBytes: segmentBytes),
                                         catalogue: try SchemaDirectory.catalogue(in: root + "/Schemas"))
        let summary = try appender.append(try LineReader(path: path), recordedAt: t(recordedAt)) { XCTFail("rejected: \($0)") }
        try appender.writer.close()
        XCTAssertEqual(summary.rejected, 0)
    }

    static func files(_ dir: String) throws -> [String: String] { try readModelFiles(dir) }

    /// Builds every read model of `log` from scratch into `out`; returns the files.
    static func rebuild(_ log: String, into out: String, rules: CountingRules, knownAt: Timestamp? = nil) throws -> [String: String] {
        let full = Projector(log: log, out: out, kind: .all, rules: rules, knownAt: knownAt, asOf: nil)
        _ = try full.loadCheckpoint(rebuild: true)
        try full.catchUp()
        try full.publish()
        return try files(out)
    }
}

extension XCTestCase {
    func scratchDir() -> TemporaryDirectory {
        let d = TemporaryDirectory("waymark-proj")
        addTeardownBlock { d.remove() }
        return d
    }
}
