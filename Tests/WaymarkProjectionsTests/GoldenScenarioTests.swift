import Foundation
import XCTest
import WaymarkEvents
import WaymarkLog
@testable import WaymarkProjections
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
        projector.referenceNames = try ReferenceNames(directory: P.root + "/Schemas/reference")
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
        XCTAssertEqual(counted, ["police:MPS:I1=false", "police:GMP:I2=true", "police:MPS:I3=false", "la:206:C1:2023-01-20=true"])
        XCTAssertEqual(files["care-homes.csv"], """
        homeUrn,homeName,hostLA,hostLAName,regulated,philomena,period,incidents,children,outOfAreaIncidents,outOfAreaChildren,medianDurationHours,rhiDue,rhiOnTime
        SC000002,South Home,356,Stockport,true,,2022-23,1,1,1,1,38.00,1,0

        """)
    }

    func testAsOfLeavesOutLaterEpisodesAndOpensUnendedOnes() throws {
        let (_, files) = try build(asOf: "2022-10-02T00:00:00Z")
        XCTAssertEqual(files["missing-now.csv"], """
        child,episode,startedAt,hoursMissing,riskLevel,placingLA,placingLAName,hostLA,hostLAName
        la:309:A1,police:GMP:I2,2022-10-01T22:00:00Z,2.00,medium,309,Haringey,356,Stockport

        """)
        XCTAssertEqual(files["episodes.csv"]!.split(separator: "\n").count, 3, "header and the two episodes started by then")
        XCTAssertEqual(files["handoffs.csv"], """
        kind,child,subject,from,fromName,to,toName,startedAt,completedAt,latencyHours,status
        hostNotification,la:309:A1,la:309:A1:2022-09-01,309,Haringey,356,Stockport,2022-09-01T00:00:00Z,,,overdue

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

    /// The timeline's episodes are rendered from episodes.csv rows: every field, nulls for
    /// empty cells, the merged episode's two references split at its key.
    func testTheTimelineEpisodesAreTheHandWrittenObjects() throws {
        let (models, _) = try build()
        let doc = try XCTUnwrap(try TimelineStore.lookup(directory: models, ref: "police:GMP:PA2"))
        let episodes = try XCTUnwrap(doc.range(of: "\"episodes\":[").map { doc[$0.upperBound...] }?.components(separatedBy: "],\"entries\"").first)
        XCTAssertEqual(episodes, """
        {"episode":"police:MPS:I1","refs":["la:309:A1:2022-06-10","police:MPS:I1"],"category":"missing","startedAt":"2022-06-10T20:00:00Z",\
        "endedAt":"2022-06-11T08:00:00Z","durationHours":12.00,"counted":true,"riskLevel":"low","foundBy":"police","reportingForce":"MPS",\
        "foundForce":"MPS","placement":"la:309:A1:2022-05-01","debriefAt":null,"rhiOutcome":"completed","rhiHeldAt":"2022-06-12T10:00:00Z",\
        "rhiOnTime":true},\
        {"episode":"police:GMP:I2","refs":["police:GMP:I2"],"category":"missing","startedAt":"2022-10-01T22:00:00Z",\
        "endedAt":"2022-10-03T12:00:00Z","durationHours":38.00,"counted":true,"riskLevel":"medium","foundBy":"police","reportingForce":"GMP",\
        "foundForce":"KENT","placement":"la:309:A1:2022-09-01","debriefAt":"2022-10-05T12:00:00Z","rhiOutcome":"completed",\
        "rhiHeldAt":"2022-10-08T12:00:00Z","rhiOnTime":false}
        """)
    }

    func testAMergedEpisodesReferencesAreSplitAtItsKeyNotAtEverySemicolon() {
        XCTAssertEqual(EpisodeRows.refs("la:309:A;1:2022-06-10;police:MPS:I1", key: "police:MPS:I1"), ["la:309:A;1:2022-06-10", "police:MPS:I1"])
        XCTAssertEqual(EpisodeRows.refs("la:309:A1:2022-06-10;police:MPS:I;1", key: "police:MPS:I;1"), ["la:309:A1:2022-06-10", "police:MPS:I;1"])
        XCTAssertEqual(EpisodeRows.refs("police:MPS:I1", key: "police:MPS:I1"), ["police:MPS:I1"])
    }

    /// A damaged, missing or older store is an error naming the file and what to do, never a
    /// wrong document.
    func testADamagedOrOlderTimelineStoreIsAClearError() throws {
        func fails(_ damage: (String) throws -> Void, _ expected: String, line: UInt = #line) throws {
            let (models, _) = try build()
            try damage(models)
            XCTAssertThrowsError(try TimelineStore.lookup(directory: models, ref: "police:GMP:PA2"), line: line) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)", line: line)
            }
        }
        try fails({ try FileManager.default.removeItem(atPath: $0 + "/episodes.csv") }, "episodes.csv is missing")
        try fails({ models in
            let csv = models + "/episodes.csv"
            var text = try String(contentsOfFile: csv, encoding: .utf8)
            text = text.replacingOccurrences(of: ",false\n", with: ",falsey\n")
            try text.write(toFile: csv, atomically: false, encoding: .utf8)
        }, "row 1 (byte 274) is not one episode row")
        try fails({ models in
            let csv = models + "/episodes.csv"
            let text = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: ",true,false\n", with: ",mayb,false\n")
            try text.write(toFile: csv, atomically: false, encoding: .utf8)
        }, "row 1, field rhiOnTime: \"mayb\" is not true, false or empty")
        try fails({ models in
            let csv = models + "/episodes.csv"
            let text = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: ",12.00,true,", with: ",1x.00,true,")
            try text.write(toFile: csv, atomically: false, encoding: .utf8)
        }, "field durationHours: \"1x.00\" is not a number")
        try fails({ models in
            // A status letter the store never writes, in place (records keep their lengths).
            let dat = models + "/timeline.dat"
            let text = try String(contentsOfFile: dat, encoding: .utf8)
                .replacingOccurrences(of: " c,", with: " x,").replacingOccurrences(of: " c\n", with: " x\n")
            try text.write(toFile: dat, atomically: false, encoding: .utf8)
        }, "is not an offset and a status (c, s or r)")
        try fails({ models in
            let idx = models + "/timeline.idx"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: idx))
            bytes.replaceSubrange(0..<8, with: Array("WMTLIDX1".utf8))
            try bytes.write(to: URL(fileURLWithPath: idx))
        }, "from an older Waymark: run waymark project --rebuild")
        try fails({ models in
            let idx = models + "/timeline.idx"
            // The positions of the 4 rows and the end are the last 40 bytes: row 0 starts past the end.
            var bytes = try Data(contentsOf: URL(fileURLWithPath: idx))
            bytes.replaceSubrange((bytes.count - 40)..<(bytes.count - 32), with: [UInt8](repeating: 0xFF, count: 8))
            try bytes.write(to: URL(fileURLWithPath: idx))
        }, "damaged position of episode row")
        try fails({ models in
            // Cut inside the row positions: what is left of them is shorter than one position pair.
            let idx = models + "/timeline.idx"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: idx))
            try bytes.prefix(bytes.count - 36).write(to: URL(fileURLWithPath: idx))
        }, "damaged position of episode row")
        func overwrite(_ models: String, at position: (Int) -> Int) throws {
            let idx = models + "/timeline.idx"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: idx))
            let at = position(bytes.count)
            bytes.replaceSubrange(at..<(at + 8), with: [UInt8](repeating: 0xFF, count: 8))
            try bytes.write(to: URL(fileURLWithPath: idx))
        }
        // The reference count (after the magic), then the row count (before the 5 row positions).
        try fails({ try overwrite($0) { _ in 8 } }, "timeline.idx is damaged")
        try fails({ try overwrite($0) { $0 - 48 } }, "damaged count of episode rows")
    }
}
