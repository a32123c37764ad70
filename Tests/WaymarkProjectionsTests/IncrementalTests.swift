import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
import WaymarkProjections
import WaymarkStore
import WaymarkTestSupport
import WaymarkTime

/// Projecting the log in random chunks, each run resuming from the published checkpoint, ends
/// byte-identical to one full rebuild.
final class IncrementalTests: XCTestCase {
    /// A log from the synthetic generator (a few hundred children, one year).
    func generatedLog(_ dir: TemporaryDirectory) throws -> String {
        var generator = FeedGenerator(.init(seed: 5, children: 250, years: 1))
        let manifest = try IngestManifest(path: try generator.write(to: dir.file("feeds")).manifest)
        let schemas = P.root + "/Schemas"
        let ingester = SnapshotIngester(logDirectory: dir.file("log"), catalogue: try SchemaDirectory.catalogue(in: schemas))
        for feed in manifest.feeds {
            var q = Quarantine(adapter: feed.adapter)
            let adapter = try AdapterFactory.make(feed, schemas: schemas, resolve: manifest.resolve, quarantine: &q)
            _ = try ingester.ingest(adapter, files: feed.files.map(manifest.resolve), options: IngestOptions(recordedAt: feed.recordedAt.flatMap(RFC3339.parse)))
        }
        return dir.file("log")
    }

    func testRandomChunksEqualOneRebuild() throws {
        let dir = scratchDir()
        let log = try generatedLog(dir)
        let total = try LogReader(directory: log).tail().nextOffset.rawValue
        XCTAssertGreaterThan(total, 2000)
        let rules = try P.rules()
        let full = Projector(log: log, out: dir.file("full"), kind: .all, rules: rules, knownAt: nil, asOf: nil)
        _ = try full.loadCheckpoint(rebuild: true)
        try full.catchUp()
        try full.publish()
        let expected = try P.files(dir.file("full"))

        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<2 {
            let out = dir.file("chunks-\(attempt)")
            var runs = 0
            while true {
                let p = Projector(log: log, out: out, kind: .all, rules: rules, knownAt: nil, asOf: nil)
                _ = try p.loadCheckpoint(rebuild: false)
                let applied = try p.catchUp(limit: Int.random(in: 1...Int(total / 3), using: &generator))
                try p.publish()
                runs += 1
                if applied == 0 || p.lastOffset?.rawValue == total - 1 { break }
            }
            XCTAssertGreaterThan(runs, 2)
            let got = try P.files(out)
            XCTAssertEqual(got.keys.sorted(), expected.keys.sorted())
            for (name, text) in expected { XCTAssertTrue(got[name] == text, "\(name) differs after \(runs) incremental runs") }
        }
    }
}
