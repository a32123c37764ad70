import Foundation
import XCTest
import WaymarkTestSupport

/// Read models for people other than their owner: `--group-readable` opens them to the
/// owner's group, `--csv-excel` adds copies Excel reads as meant; neither changes the
/// canonical files.
final class SharedModelsTests: XCTestCase {
    func mode(_ path: String) throws -> Int { try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) }

    func testGroupReadableAndExcelCopies() throws {
        let dir = TemporaryDirectory("waymark-shared")
        defer { dir.remove() }
        let log = dir.file("log")
        _ = try Waymark.run(["ingest", "--manifest", Waymark.packageRoot + "/sample-events/feeds/manifest.json", "--log", log])
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("plain")]).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("shared"), "--group-readable", "--csv-excel"]).status, 0)
        XCTAssertEqual(try mode(dir.file("plain")), 0o700)
        XCTAssertEqual(try mode(dir.file("plain/episodes.csv")), 0o600)
        XCTAssertEqual(try mode(dir.file("shared")), 0o750)
        XCTAssertEqual(try mode(dir.file("shared/episodes.csv")), 0o640)
        XCTAssertEqual(try mode(dir.file("shared/excel/episodes.csv")), 0o640)
        XCTAssertEqual(try mode(dir.file("shared/.projector-state")), 0o600, "the projector's state stays the owner's")
        for name in ["episodes.csv", "care-homes.csv", "missing-now.csv", "handoffs.csv", "children.csv"] {
            XCTAssertEqual(FileManager.default.contents(atPath: dir.file("plain/\(name)")), FileManager.default.contents(atPath: dir.file("shared/\(name)")), name)
        }
        let excel = try XCTUnwrap(FileManager.default.contents(atPath: dir.file("shared/excel/missing-now.csv")))
        XCTAssertEqual(Array(excel.prefix(3)), [0xEF, 0xBB, 0xBF])
        let text = String(decoding: excel.dropFirst(3), as: UTF8.self)
        let canonical = try String(contentsOfFile: dir.file("plain/missing-now.csv"), encoding: .utf8)
        // Hand-converted: the first data row of the canonical table, its time in Excel's form.
        let firstRow = canonical.split(separator: "\n")[1]
        XCTAssertEqual(firstRow, "la:206:700003,la:206:700003:2023-03-01,2023-03-01T00:00:00Z,1950.00,,,,,")
        XCTAssertEqual(text.components(separatedBy: "\r\n")[1], "la:206:700003,la:206:700003:2023-03-01,01/03/2023 00:00,1950.00,,,,,")
        XCTAssertTrue(text.hasSuffix("\r\n"))
        let homes = String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: dir.file("shared/excel/care-homes.csv"))).dropFirst(3), as: UTF8.self)
        XCTAssertTrue(homes.contains(",01/09/2021,"), "a date (the Philomena agreement) as DD/MM/YYYY: \(homes)")
    }
}

/// `datapackage.json` describes every CSV read model's columns and types, so pandas (the
/// independent reader here, through `Tests/Oracles/load_models.py`) loads LA codes as text
/// (without it, a column of codes with blanks comes out as floats: 356.0), numbers as
/// numbers, booleans as booleans.
final class DataPackageTests: XCTestCase {
    func testPandasLoadsCodesAsTextThroughTheDataPackage() throws {
        let dir = TemporaryDirectory("waymark-datapackage")
        defer { dir.remove() }
        let log = dir.file("log"), models = dir.file("models")
        _ = try Waymark.run(["ingest", "--manifest", Waymark.packageRoot + "/sample-events/feeds/manifest.json", "--log", log])
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", models]).status, 0)
        let package = try XCTUnwrap(jsonObject(try String(contentsOfFile: models + "/datapackage.json", encoding: .utf8)))
        let resources = try XCTUnwrap(package["resources"] as? [[String: Any]])
        let csvs = try FileManager.default.contentsOfDirectory(atPath: models).filter { $0.hasSuffix(".csv") }.sorted()
        XCTAssertEqual(resources.compactMap { $0["path"] as? String }.sorted(), csvs)
        for r in resources {
            let path = try XCTUnwrap(r["path"] as? String)
            let header = try String(contentsOfFile: models + "/" + path, encoding: .utf8).split(separator: "\n")[0].split(separator: ",").map(String.init)
            let fields = ((r["schema"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
            XCTAssertEqual(fields.compactMap { $0["name"] as? String }, header, path)
        }
        let r = try runProcess("/usr/bin/env", ["python3", Waymark.packageRoot + "/Tests/Oracles/load_models.py", models, "episodes",
                                                "hostLA", "durationHours", "counted", "hostLAName", "startedAt"])
        if r.stdout.hasPrefix("SKIP") { throw XCTSkip(r.stdout) }
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.lines, ["hostLA object '356'", "durationHours float64 41.42", "counted object True",
                                 "hostLAName object 'Stockport'", "startedAt object '2023-03-01T00:00:00Z'"])
    }
}
