import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
import WaymarkTime
import WaymarkTestSupport

/// Feed in, events out, against golden files written by hand.
final class AdapterGoldenTests: XCTestCase {
    let t = RFC3339.parse("2023-03-20T06:00:00Z")!

    func testSSDA903() throws {
        let log = freshLog()
        let s = try SnapshotIngester(logDirectory: log, catalogue: Fixture.catalogue())
            .ingest(try Fixture.ssda903(), files: Fixture.la309(1), options: IngestOptions(recordedAt: t))
        XCTAssertEqual(s.json, #"{"feed":{"adapter":"ssda903","agency":"309","files":["# + Fixture.la309(1).map { "\"\($0)\"" }.joined(separator: ",")
                       + #"]},"adapter":"ssda903","rows":6,"appended":8,"duplicates":0,"quarantined":0,"findings":0,"byRule":{},"missingFromSnapshot":0}"#)
        try assertGolden(try events(log), "ssda903-snapshot-1.ndjson")
    }

    func testPolice() throws {
        let log = freshLog()
        let s = try SnapshotIngester(logDirectory: log, catalogue: Fixture.catalogue())
            .ingest(try Fixture.police("GMP"), files: [Fixture.feeds + "/snapshot-2/police-GMP.csv"], options: IngestOptions(recordedAt: t))
        XCTAssertEqual(s.appended, 8)
        XCTAssertEqual(s.quarantined, 0)
        try assertGolden(try events(log), "police-GMP-snapshot-2.ndjson")
    }

    func testRHI() throws {
        let log = freshLog()
        _ = try SnapshotIngester(logDirectory: log, catalogue: Fixture.catalogue())
            .ingest(try Fixture.rhi("CATCH22"), files: [Fixture.feeds + "/snapshot-2/rhi-CATCH22.csv"], options: IngestOptions(recordedAt: t))
        try assertGolden(try events(log), "rhi-CATCH22-snapshot-2.ndjson")
    }

    func testCareHomes() throws {
        let log = freshLog()
        _ = try SnapshotIngester(logDirectory: log, catalogue: Fixture.catalogue())
            .ingest(try Fixture.careHomes(), files: [Fixture.feeds + "/snapshot-1/care-homes.csv"], options: IngestOptions(recordedAt: t))
        try assertGolden(try events(log), "care-homes-snapshot-1.ndjson")
    }

    func testHostLAComesFromPL_LAThenThePostcodeMapAndIsNeverGuessed() throws {
        let dir = TemporaryDirectory("waymark-host")
        defer { dir.remove() }
        let header = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
        try "\(header)\n1,01/02/2023,S,C2,N1,U1,PR1,,,,N17 6,SK4 3,XXXXXXX\n2,01/02/2023,S,C2,N1,U1,PR1,,,,N17 6,ZZ9 9,XXXXXXX\n"
            .write(toFile: dir.file("episodes.csv"), atomically: true, encoding: .utf8)
        try "\(header),PL_LA\n3,01/02/2023,S,C2,N1,U1,PR1,,,,N17 6,SK4 3,XXXXXXX,886\n"
            .write(toFile: dir.file("episodes-pl-la.csv"), atomically: true, encoding: .utf8)
        func hosts(_ adapter: SSDA903Adapter, _ file: String) throws -> [String: Any] {
            var q = Quarantine(adapter: "ssda903")
            let out = try adapter.read(files: [dir.file(file)], quarantine: &q)
            XCTAssertTrue(q.rows.isEmpty)
            return Dictionary(uniqueKeysWithValues: out.records.map { ($0.child!, $0.data["hostLA"]!.stringValue as Any) })
        }
        let mapped = try hosts(try Fixture.ssda903(map: true), "episodes.csv")
        XCTAssertEqual(mapped["la:309:1"] as? String, "356")
        XCTAssertNil(mapped["la:309:2"] as? String, "a district the map does not know: unknown, not guessed")
        let unmapped = try hosts(try Fixture.ssda903(map: false), "episodes.csv")
        XCTAssertNil(unmapped["la:309:1"] as? String, "no map: unknown")
        XCTAssertEqual(try hosts(try Fixture.ssda903(map: true), "episodes-pl-la.csv")["la:309:3"] as? String, "886", "PL_LA wins over the map")
        // A map of full postcodes and districts (as `make postcode-map` writes): the full
        // postcode first, then its district; any case and spacing.
        try "postcode,la\nN15 4AB,309\nSK4,356\nSK4 3AA,886\n".write(toFile: dir.file("map.csv"), atomically: true, encoding: .utf8)
        try "\(header)\n4,01/02/2023,S,C2,N1,U1,PR1,,,,N17 6AA,n154ab,XXXXXXX\n5,01/02/2023,S,C2,N1,U1,PR1,,,,N17 6AA,SK4 9ZZ,XXXXXXX\n6,01/02/2023,S,C2,N1,U1,PR1,,,,N17 6AA,sk4 3aa,XXXXXXX\n"
            .write(toFile: dir.file("episodes-full.csv"), atomically: true, encoding: .utf8)
        var q = Quarantine(adapter: "ssda903")
        let map = try SSDA903Adapter.postcodeMap(path: dir.file("map.csv"), schema: Fixture.schema("ssda903"), quarantine: &q)
        XCTAssertTrue(q.rows.isEmpty)
        let full = try hosts(try SSDA903Adapter(la: "309", schema: Fixture.schema("ssda903"), postcodeMap: map), "episodes-full.csv")
        XCTAssertEqual(full["la:309:4"] as? String, "309")
        XCTAssertEqual(full["la:309:5"] as? String, "356", "a postcode the map lacks: its district")
        XCTAssertEqual(full["la:309:6"] as? String, "886", "the full postcode wins over its district")
    }
}
