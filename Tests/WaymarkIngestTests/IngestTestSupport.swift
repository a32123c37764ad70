import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
import WaymarkStore
import WaymarkTestSupport

/// Paths and helpers shared by the ingest tests.
enum Fixture {
    static let root = Waymark.packageRoot
    static let feeds = root + "/sample-events/feeds"
    static let schemas = root + "/Schemas"
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden"

    static func schema(_ name: String) throws -> JSONValue {
        try SchemaDirectory.load(schemas + "/feeds/\(name).schema.json")
    }
    static func catalogue() throws -> EventCatalogue { try SchemaDirectory.catalogue(in: schemas) }

    static func ssda903(_ la: String = "309", map: Bool = true) throws -> SSDA903Adapter {
        var q = Quarantine(adapter: "ssda903")
        let postcodes = map ? try SSDA903Adapter.postcodeMap(path: feeds + "/postcodes.csv", schema: schema("ssda903"), quarantine: &q) : [:]
        return try SSDA903Adapter(la: la, schema: schema("ssda903"), postcodeMap: postcodes)
    }
    static func police(_ force: String) throws -> PoliceAdapter { try PoliceAdapter(force: force, schema: schema("police")) }
    static func rhi(_ provider: String) throws -> RHIAdapter { try RHIAdapter(provider: provider, schema: schema("rhi")) }
    static func careHomes(_ register: String = "OFSTED") throws -> CareHomesAdapter { try CareHomesAdapter(register: register, schema: schema("care-homes")) }

    static func la309(_ snapshot: Int) -> [String] {
        ["header", "episodes", "missing"].map { feeds + "/snapshot-\(snapshot)/la-309/\($0).csv" }
    }
}

extension XCTestCase {
    func freshLog() -> String {
        let dir = TemporaryDirectory("waymark-ingest")
        addTeardownBlock { dir.remove() }
        return dir.file("log")
    }

    /// Every event in the log, parsed with Foundation (independently of Waymark's parser).
    func events(_ log: String) throws -> [[String: Any]] {
        try LogReader(directory: log).records().map {
            try JSONSerialization.jsonObject(with: Data($0.payload)) as! [String: Any]
        }
    }

    /// Compares events with a hand-written golden file, ignoring only the hash-derived `id`.
    func assertGolden(_ actual: [[String: Any]], _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try String(contentsOfFile: Fixture.golden + "/" + name, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(actual.count, expected.count, "event count", file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            var withoutId = a
            withoutId["id"] = nil
            XCTAssertEqual(withoutId as NSDictionary, e as NSDictionary, "event \(i + 1) of \(name)", file: file, line: line)
        }
    }
}
