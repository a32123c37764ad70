import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
import WaymarkTime

/// Snapshot semantics: re-sent snapshots append nothing, corrections supersede, later
/// developments are new events of their own type, absent records are listed or retracted.
final class SnapshotTests: XCTestCase {
    func ingester(_ log: String) throws -> SnapshotIngester { SnapshotIngester(logDirectory: log, catalogue: try Fixture.catalogue()) }
    func at(_ s: String) -> IngestOptions { IngestOptions(recordedAt: RFC3339.parse(s)!) }

    func testTheSameSnapshotTwiceAppendsNothing() throws {
        let log = freshLog()
        let first = try ingester(log).ingest(try Fixture.ssda903(), files: Fixture.la309(1), options: at("2023-03-05T06:00:00Z"))
        let again = try ingester(log).ingest(try Fixture.ssda903(), files: Fixture.la309(1), options: at("2023-03-06T06:00:00Z"))
        XCTAssertEqual(first.appended, 8)
        XCTAssertEqual(again.appended, 0)
        XCTAssertEqual(again.duplicates, 8)
        XCTAssertEqual(try events(log).count, 8)
    }

    func testACorrectedCodeSupersedesAndANewPeriodIsAppended() throws {
        let log = freshLog()
        _ = try ingester(log).ingest(try Fixture.ssda903(), files: Fixture.la309(1), options: at("2023-03-05T06:00:00Z"))
        let later = try ingester(log).ingest(try Fixture.ssda903(), files: Fixture.la309(2), options: at("2023-03-20T06:00:00Z"))
        XCTAssertEqual(later.json, #"{"feed":{"adapter":"ssda903","agency":"309","files":["# + Fixture.la309(2).map { "\"\($0)\"" }.joined(separator: ",")
                       + #"]},"adapter":"ssda903","rows":7,"appended":2,"duplicates":7,"quarantined":0,"findings":0,"byRule":{},"missingFromSnapshot":0}"#)
        let all = try events(log)
        let reports = all.filter { $0["type"] as? String == "MissingReported" }
        XCTAssertEqual(reports.count, 3)
        let original = reports[0], correction = reports[1], newPeriod = reports[2]
        XCTAssertEqual((original["data"] as! [String: Any])["category"] as? String, "awayWithoutAuthorisation")
        XCTAssertEqual(correction["supersedes"] as? String, original["id"] as? String)
        XCTAssertEqual((correction["data"] as! [String: Any])["category"] as? String, "missing")
        XCTAssertEqual(correction["episode"] as? String, "la:309:538333:2023-03-01")
        XCTAssertNil(newPeriod["supersedes"])
        XCTAssertEqual(newPeriod["episode"] as? String, "la:309:612004:2023-03-18")
        XCTAssertEqual(all.filter { $0["type"] as? String == "ChildFound" }.count, 1, "an unchanged find is not repeated")
    }

    func testAMistypedTimeSupersedesWhileARegradingAndAFindAreNewEvents() throws {
        let log = freshLog()
        _ = try ingester(log).ingest(try Fixture.police("GMP"), files: [Fixture.feeds + "/snapshot-1/police-GMP.csv"], options: at("2023-03-02T06:00:00Z"))
        let later = try ingester(log).ingest(try Fixture.police("GMP"), files: [Fixture.feeds + "/snapshot-2/police-GMP.csv"], options: at("2023-03-20T06:00:00Z"))
        XCTAssertEqual(later.appended, 7)
        XCTAssertEqual(later.duplicates, 1, "the person's record is unchanged")
        let all = try events(log)
        let byType = Dictionary(grouping: all, by: { $0["type"] as! String })
        let reports = byType["MissingReported"]!
        XCTAssertEqual(reports.count, 2)
        XCTAssertEqual(reports[0]["occurredAt"] as? String, "2023-03-01T21:51:00Z")
        XCTAssertEqual(reports[1]["occurredAt"] as? String, "2023-03-01T21:15:00Z")
        XCTAssertEqual(reports[1]["supersedes"] as? String, reports[0]["id"] as? String)
        for type in ["RiskAssessed", "ChildFound", "FoundDebriefRecorded", "CaseTransferRequested", "CaseTransferAccepted"] {
            XCTAssertEqual(byType[type]?.count, 1, type)
            XCTAssertNil(byType[type]?.first?["supersedes"], "\(type) is a new fact, not a correction")
        }
    }

    func testAbsentRecordsAreListedAndRetractedOnlyWhenAskedAndMayComeBack() throws {
        let log = freshLog()
        let dir = URL(fileURLWithPath: log).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let header = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
        try (header + "538333,14/06/2007,M,01/03/2023,03/03/2023\n612004,02/09/2008,M,01/03/2023,02/03/2023\n612004,02/09/2008,A,18/03/2023,\n")
            .write(toFile: dir + "/missing-a.csv", atomically: true, encoding: .utf8)
        // The later extract has 612004 but not the 18 March period; 700001's period closed in an
        // earlier collection year (2021-22), which the 2022-23 return need not list.
        try (header + "538333,14/06/2007,A,01/03/2023,03/03/2023\n612004,02/09/2008,M,01/03/2023,02/03/2023\n")
            .write(toFile: dir + "/missing-b.csv", atomically: true, encoding: .utf8)
        try (header + "700001,02/09/2008,M,01/03/2022,02/03/2022\n").write(toFile: dir + "/missing-other.csv", atomically: true, encoding: .utf8)
        let missing2 = [dir + "/missing-a.csv"], missing1 = [dir + "/missing-b.csv"]
        _ = try ingester(log).ingest(try Fixture.ssda903(), files: [dir + "/missing-other.csv"], options: at("2023-03-19T06:00:00Z"))
        _ = try ingester(log).ingest(try Fixture.ssda903(), files: missing2, options: at("2023-03-20T06:00:00Z"))
        let listed = try ingester(log).ingest(try Fixture.ssda903(), files: missing1, options: at("2023-03-21T06:00:00Z"))
        XCTAssertEqual(listed.missing, ["missing/612004/2023-03-18"], "only records open in the return's collection year can be missing")
        XCTAssertEqual(listed.appended, 1, "538333's code changes to A: a correction, nothing retracted")
        var opts = at("2023-03-22T06:00:00Z")
        opts.retractMissing = true
        let retracted = try ingester(log).ingest(try Fixture.ssda903(), files: missing1, options: opts)
        XCTAssertEqual(retracted.missing, ["missing/612004/2023-03-18"])
        XCTAssertEqual(retracted.retracted, 1)
        let all = try events(log)
        let retraction = all.last!
        XCTAssertEqual(retraction["type"] as? String, "EventRetracted")
        let target = (retraction["data"] as! [String: Any])["target"] as? String
        XCTAssertEqual(all.first { $0["id"] as? String == target }?["episode"] as? String, "la:309:612004:2023-03-18")
        // Once retracted it is no longer missing; when it comes back it supersedes the retracted event.
        XCTAssertEqual(try ingester(log).ingest(try Fixture.ssda903(), files: missing1, options: at("2023-03-23T06:00:00Z")).missing, [])
        let back = try ingester(log).ingest(try Fixture.ssda903(), files: missing2, options: at("2023-03-24T06:00:00Z"))
        XCTAssertEqual(back.appended, 2)
        let returned = try events(log).last { ($0["episode"] as? String) == "la:309:612004:2023-03-18" }!
        XCTAssertEqual(returned["supersedes"] as? String, target)
    }

    func testARowThatTurnsBadIsQuarantinedNotMissing() throws {
        let log = freshLog()
        let dir = URL(fileURLWithPath: log).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let header = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
        try (header + "612004,02/09/2008,M,01/03/2023,02/03/2023\n612004,02/09/2008,M,10/03/2023,11/03/2023\n")
            .write(toFile: dir + "/good.csv", atomically: true, encoding: .utf8)
        try (header + "612004,02/09/2008,M,01/03/2023,02/03/2023\n\"612004\",02/09/2008,M,10/03/2023,09/03/2023\n")
            .write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        _ = try ingester(log).ingest(try Fixture.ssda903(), files: [dir + "/good.csv"], options: at("2023-03-20T06:00:00Z"))
        let later = try ingester(log).ingest(try Fixture.ssda903(), files: [dir + "/bad.csv"], options: at("2023-03-21T06:00:00Z"))
        XCTAssertEqual(later.quarantined, 1)
        XCTAssertEqual(later.missing, [], "the period is still there, only its row is bad")
    }
}
