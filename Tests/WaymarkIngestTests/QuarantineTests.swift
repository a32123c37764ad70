import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
import WaymarkTime
import WaymarkTestSupport

/// One bad row for every quarantine rule (sample-events/feeds/dirty), with the file, line and
/// field each must be blamed on, written by hand.
final class QuarantineTests: XCTestCase {
    func run(_ adapter: FeedAdapter, _ files: [String], log: String) throws -> IngestSummary {
        try SnapshotIngester(logDirectory: log, catalogue: Fixture.catalogue())
            .ingest(adapter, files: files.map { Fixture.feeds + "/dirty/" + $0 }, options: IngestOptions(recordedAt: RFC3339.parse("2023-05-21T06:00:00Z")!))
    }

    func blamed(_ s: IngestSummary) -> [String] {
        s.quarantinedRows.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line):\($0.field ?? "-")" }.sorted()
    }

    func testSSDA903Rules() throws {
        let log = freshLog()
        let s = try run(try Fixture.ssda903("206"), ["la-206/missing.csv", "la-206/episodes.csv", "la-206/header.csv"], log: log)
        XCTAssertEqual(blamed(s), [
            "episodes.csv:2:PLACE",               // unknown PLACE code
            "episodes.csv:3:PLACE_PROVIDER",      // unknown provider code
            "episodes.csv:4:REASON_PLACE_CHANGE", // unknown reason code
            "episodes.csv:5:DEC",                 // ends before it starts
            "header.csv:1:ETHNIC",                // required column absent: file rejected whole
            "missing.csv:10:-",                   // unbalanced quote
            "missing.csv:11:-",                   // wrong column count
            "missing.csv:2:MIS_START",            // 31/02 is not a date
            "missing.csv:3:MIS_END",              // end before start
            "missing.csv:5:MIS_START",            // starts while the previous period is open (574)
            "missing.csv:6:MIS_START",            // overlaps 700004's other period: 574 orders periods
                                                  // by their end and flags the one ending later
            "missing.csv:8:MIS_START",            // before the child's date of birth
            "missing.csv:9:MISSING",              // unknown MISSING code
        ])
        XCTAssertEqual(s.quarantined, 13)
        // The good rows still went in: 700003's and 700004's first periods, 700009, the still-open
        // 700010 (legitimate: the child is still missing) and 700015's placement.
        let episodes = Set(try events(log).compactMap { $0["episode"] as? String })
        XCTAssertEqual(episodes, ["la:206:700003:2023-03-01", "la:206:700004:2023-03-05", "la:206:700009:2023-03-14", "la:206:700010:2023-03-20"])
        XCTAssertEqual(s.byRule, ["146": 1, "178": 1, "1009": 1, "356": 1, "1004": 1, "567": 1, "574": 2, "586": 1, "1006": 1],
                       "each rejected row carries the DfE's rule code")
        XCTAssertEqual(s.appended, 7)
        let reasons = s.quarantinedRows.map(\.reason)
        XCTAssertTrue(reasons.contains { $0.contains("ETHNIC") && $0.contains("rejected whole") })
        XCTAssertTrue(reasons.contains { $0.contains("is still open") })
    }

    func testQuarantineFileKeepsEveryRowOwnerOnly() throws {
        let log = freshLog()
        let s = try run(try Fixture.ssda903("206"), ["la-206/missing.csv"], log: log)
        let path = try XCTUnwrap(s.quarantineFile)
        XCTAssertTrue(URL(fileURLWithPath: path).lastPathComponent.hasPrefix("ssda903-"))
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(lines.count, s.quarantined)
        let beforeBirth = try XCTUnwrap(lines.first { $0["line"] as? Int == 8 })
        XCTAssertEqual(beforeBirth["field"] as? String, "MIS_START")
        XCTAssertEqual(beforeBirth["raw"] as? String, "700005,01/06/2010,M,01/01/2010,02/01/2010")
        XCTAssertEqual(beforeBirth["adapter"] as? String, "ssda903")
        XCTAssertTrue((beforeBirth["file"] as? String)?.hasSuffix("dirty/la-206/missing.csv") ?? false)
    }

    func testPoliceRHIAndCareHomeRules() throws {
        let log = freshLog()
        XCTAssertEqual(blamed(try run(try Fixture.police("BTP"), ["police-BTP.csv"], log: log)), [
            "police-BTP.csv:2:FOUND_AT",      // found before reported
            "police-BTP.csv:3:CATEGORY",      // unknown category
            "police-BTP.csv:4:REPORTED_AT",   // 31 April
            "police-BTP.csv:6:INCIDENT_REF",  // the same incident twice
            "police-BTP.csv:7:RISK_FACTORS",  // unknown risk factor in the list
        ])
        XCTAssertEqual(blamed(try run(try Fixture.rhi("SAFERLDN"), ["rhi-SAFERLDN.csv"], log: log)), [
            "rhi-SAFERLDN.csv:2:POLICE_INCIDENT_REF", // names no episode
            "rhi-SAFERLDN.csv:3:HELD_AT",             // completed but never held
        ])
        XCTAssertEqual(blamed(try run(try Fixture.careHomes("DIRTY"), ["care-homes.csv"], log: log)), [
            "care-homes.csv:2:URN",            // malformed URN
            "care-homes.csv:3:PHILOMENA_DATE", // month 13
            "care-homes.csv:5:URN",            // the same home twice
        ])
    }

    func testAFileThatIsNoSSDA903TableIsRejectedWhole() throws {
        let dir = freshLog()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "NAME,AGE\nx,1\n".write(toFile: dir + "/other.csv", atomically: true, encoding: .utf8)
        var q = Quarantine(adapter: "ssda903")
        let out = try Fixture.ssda903().read(files: [dir + "/other.csv"], quarantine: &q)
        XCTAssertTrue(out.records.isEmpty)
        XCTAssertEqual(q.rows.count, 1)
        XCTAssertTrue(q.rows[0].reason.hasPrefix("not an SSDA903 table"))
    }

    func testAColumnNamedTwiceRejectsTheFileNamingIt() throws {
        let dir = freshLog()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // The care-home register with URN twice: which URN would a row have?
        let header = "URN,NAME,LA,REGULATED,SECTOR,PLACES,REGISTERED_ON,PHILOMENA_DATE,URN"
        try "\(header)\nSC041236,Elm House,356,yes,private,4,2019-03-01,,SC099999\n".write(toFile: dir + "/homes.csv", atomically: true, encoding: .utf8)
        var q = Quarantine(adapter: "care-homes")
        let out = try Fixture.careHomes().read(files: [dir + "/homes.csv"], quarantine: &q)
        XCTAssertTrue(out.records.isEmpty)
        XCTAssertEqual(q.rows.map(\.message), [dir + "/homes.csv:1: field URN: column URN appears twice in the header row: the file is rejected whole"])
    }
}

/// The feed schemas, on hand-written rows, by Waymark and by Python's jsonschema.
final class FeedSchemaOracleTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden/feed-row-examples.ndjson"

    func examples() throws -> [JSONValue] {
        try String(contentsOfFile: Self.fixture, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    func table(_ e: JSONValue) throws -> FeedTableSchema {
        let feed = e["feed"]!.stringValue!
        return try FeedTableSchema(document: Fixture.schema(feed), definition: e["table"]?.stringValue, fileName: feed + ".schema.json")
    }

    func testWaymarkGivesTheHandWrittenVerdicts() throws {
        let all = try examples()
        XCTAssertGreaterThan(all.count, 20)
        for e in all {
            let violation = try table(e).rowSchema.validate(e["row"]!)
            XCTAssertEqual(violation == nil, e["valid"]!.boolValue!, e["why"]!.stringValue!)
            if let field = e["field"]?.stringValue { XCTAssertEqual(violation?.path, field, e["why"]!.stringValue!) }
        }
    }

    func testPythonJSONSchemaAgrees() throws {
        let script = PythonOracle.preamble + """
        for line in open(sys.argv[2]):
            ex = json.loads(line)
            schema = json.load(open(os.path.join(sys.argv[1], ex["feed"] + ".schema.json")))
            if ex.get("table"):
                schema = dict(schema, **{"$ref": "#/$defs/" + ex["table"]})
            v = jsonschema.Draft202012Validator(schema, format_checker=checker)
            print(json.dumps({"valid": v.is_valid(ex["row"])}))
        """
        let lines = try PythonOracle.run(script, [Fixture.schemas + "/feeds", Self.fixture])
        let verdicts = lines.map { try! JSONParser.parse($0) }
        let all = try examples()
        XCTAssertEqual(verdicts.count, all.count)
        for (e, v) in zip(all, verdicts) { XCTAssertEqual(v["valid"]?.boolValue, e["valid"]?.boolValue, "jsonschema disagrees: \(e["why"]!.stringValue!)") }
    }
}
