import Foundation
import XCTest
import WaymarkTestSupport
@testable import WaymarkProjections

/// The catalogue is the one list of read models: what `project` publishes for each kind, the
/// headers it writes, the keys `diff` uses, `project --help` and the README's table agree with it.
final class ReadModelCatalogueTests: XCTestCase {
    func testPublishedFilesHeadersHelpAndReadmeAgreeWithTheCatalogue() throws {
        let dir = TemporaryDirectory("waymark-catalogue")
        defer { dir.remove() }
        let log = dir.file("log")
        _ = try Waymark.run(["ingest", "--manifest", Waymark.packageRoot + "/sample-events/feeds/manifest.json", "--log", log])
        for kind in ReadModelKind.allCases {
            let out = dir.file("models-\(kind.rawValue)")
            XCTAssertEqual(try Waymark.run(["project", kind.rawValue, "--log", log, "--out", out]).status, 0)
            let published = Set(try FileManager.default.contentsOfDirectory(atPath: out)).subtracting(["manifest.json", "datapackage.json", ".projector-state"])
            XCTAssertEqual(published, Set(ReadModelCatalogue.files(of: kind)), kind.rawValue)
        }
        let all = dir.file("models-all")
        for e in ReadModelCatalogue.entries where e.file.hasSuffix(".csv") {
            let header = try String(contentsOfFile: all + "/" + e.file, encoding: .utf8).split(separator: "\n")[0].split(separator: ",").map(String.init)
            XCTAssertEqual(header, e.columns, e.file)
            XCTAssertFalse(e.key.isEmpty, "\(e.file): diff needs its key")
            XCTAssertTrue(Set(e.key).isSubset(of: Set(e.columns)), "\(e.file): its key is among its columns")
            XCTAssertEqual(ReadModelDiff.keys[e.file], e.key)
        }
        let help = try Waymark.run(["help", "project"]).stdout
        let readme = try String(contentsOfFile: Waymark.packageRoot + "/README.md", encoding: .utf8)
        for e in ReadModelCatalogue.entries {
            XCTAssertTrue(help.contains(e.file), "project --help lists \(e.file)")
            XCTAssertTrue(readme.contains("`\(e.file)`") || readme.contains("`.\(e.file.split(separator: ".").last!)`"), "the README's table lists \(e.file)")
        }
    }
}
