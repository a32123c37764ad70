import Foundation
import XCTest
import WaymarkEvents
import WaymarkLog
import WaymarkProjections
import WaymarkTime

/// The hand-written scenario (Scenario/events.ndjson) against read models written by hand
/// (Scenario/*.csv): a child with placements in two LAs and an episode in each; an episode known
/// to police and to the LA (merged); an RHI on time and one late; a host never notified; a
/// cross-force find and a tasking never accepted; a correction; a retraction; an event that
/// cannot be placed.
final class GoldenScenarioTests: XCTestCase {
    func build(rules: String = "default", asOf: String = "2023-02-01T00:00:00Z") throws -> (String, [String: String]) {
        let dir = scratchDir()
        try P.append(P.scenario + "/events.ndjson", to: dir.file("log"), at: "2023-02-01T06:00:00Z")
        let projector = Projector(log: dir.file("log"), out: dir.file("models"), kind: .all, rules: try P.rules(rules), knownAt: nil, asOf: P.t(asOf))
        _ = try projector.loadCheckpoint(rebuild: true)
        try projector.catchUp()
        try projector.publish()
        return (dir.file("models"), try P.files(dir.file("models")))
    }

    func testEveryReadModelMatchesTheHandWrittenOne() throws {
        let (_, files) = try build()
        for name in ["episodes.csv", "handoffs.csv", "care-homes.csv", "care-homes-monthly.csv", "missing-now.csv", "children.csv", "unplaced.csv"] {
            let expected = try String(contentsOfFile: P.scenario + "/" + name, encoding: .utf8)
            XCTAssertEqual(files[name], expected, name)
        }
    }

    func testTheSSDA903RulesCountOnlyEpisodesOverADay() throws {
        let (_, files) = try build(rules: "ssda903-24h")
        let counted = files["episodes.csv"]!.split(separator: "\n").dropFirst().map { line -> String in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return "\(f[0])=\(f[7])"
        }
        // 12 h and 5 h episodes drop out; 38 h and the still-open (288 h so far) stay.
        XCTAssertEqual(counted, ["police:MPS:I1=no", "police:GMP:I2=yes", "police:MPS:I3=no", "la:206:C1:2023-01-20=yes"])
        XCTAssertEqual(files["care-homes.csv"], """
        homeUrn,homeName,hostLA,regulated,philomena,period,incidents,children,outOfAreaIncidents,outOfAreaChildren,medianDurationHours,rhiDue,rhiOnTime
        SC000002,South Home,356,yes,,2022-23,1,1,1,1,38.0,1,0

        """)
    }

    func testAsOfLeavesOutLaterEpisodesAndOpensUnendedOnes() throws {
        let (_, files) = try build(asOf: "2022-10-02T00:00:00Z")
        XCTAssertEqual(files["missing-now.csv"], """
        child,episode,startedAt,hoursMissing,riskLevel,placingLA,hostLA
        la:309:A1,police:GMP:I2,2022-10-01T22:00:00Z,2.0,medium,309,356

        """)
        XCTAssertEqual(files["episodes.csv"]!.split(separator: "\n").count, 3, "header and the two episodes started by then")
        XCTAssertEqual(files["handoffs.csv"], """
        kind,child,subject,from,to,startedAt,completedAt,latencyHours,status
        hostNotification,la:309:A1,la:309:A1:2022-09-01,309,356,2022-09-01T00:00:00Z,,,overdue

        """)
    }

    func testTheTimelineIsFoundByAnyLinkedReference() throws {
        let (models, _) = try build()
        for ref in ["la:309:A1", "police:MPS:PA1", "police:GMP:PA2", "rhi:CATCH22:CA1"] {
            let doc = try XCTUnwrap(try TimelineStore.lookup(directory: models, ref: ref), ref)
            let v = try JSONParser.parse(doc)
            XCTAssertEqual(v["child"], .string("la:309:A1"))
            XCTAssertEqual(v["refs"]?.arrayValue?.count, 4)
            XCTAssertEqual(v["placements"]?.arrayValue?.count, 2)
            XCTAssertEqual(v["episodes"]?.arrayValue?.compactMap { $0["episode"]?.stringValue }, ["police:MPS:I1", "police:GMP:I2"])
            let entries = v["entries"]!.arrayValue!
            XCTAssertEqual(entries.compactMap { $0["event"]?["id"]?.stringValue },
                           ["e03", "e08", "e07", "e10", "e09", "e11", "e04", "e05", "e12", "e13", "e14", "e15", "e16", "e17", "e18", "e19", "e20"])
            XCTAssertEqual(entries.first { $0["event"]?["id"] == .string("e13") }?["status"], .string("superseded"))
            XCTAssertEqual(entries.first { $0["event"]?["id"] == .string("e19") }?["status"], .string("retracted"))
        }
        XCTAssertNil(try TimelineStore.lookup(directory: models, ref: "la:309:NOBODY"))
    }
}
