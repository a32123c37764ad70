import Foundation
import XCTest
import WaymarkTestSupport

/// A fact dated after it is recorded is not a fact, in `append` and in every adapter; and a
/// projection's world is as of when the log last learned something.
final class FutureFactTests: XCTestCase {
    func event(_ id: String, at time: String) -> String {
        "{\"id\":\"\(id)\",\"type\":\"MissingReported\",\"occurredAt\":\"\(time)\",\"child\":\"police:MPS:P1\",\"episode\":\"police:MPS:\(id)\","
            + "\"data\":{\"reportedAt\":\"\(time)\",\"missingFrom\":\"home\",\"category\":\"missing\"}}\n"
    }

    func testAppendRejectsAnEventDatedMoreThanADayAfterItIsRecorded() throws {
        let dir = TemporaryDirectory("waymark-future-append")
        defer { dir.remove() }
        // Recorded at 1 March 12:00: 2 March 11:00 is within the day's grace, 2 March 13:00 is not.
        let input = event("a", at: "2023-03-01T09:00:00Z") + event("b", at: "2023-03-02T11:00:00Z") + event("c", at: "2023-03-02T13:00:00Z")
        let r = try Waymark.run(["append", "--log", dir.file("log"), "--recorded-at", "2023-03-01T12:00:00Z"], stdin: input)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(":3: field occurredAt: dated in the future"), r.stderr)
        XCTAssertFalse(r.stderr.contains(":2:"), r.stderr)
        let read = try Waymark.run(["read", "--log", dir.file("log")])
        XCTAssertEqual(read.lines.count, 2, "the two facts are appended, the future one is not")
        // The slow path (a line the byte check leaves to the full validator: an escape) says the same.
        let escaped = event("d", at: "2023-03-09T00:00:00Z").replacingOccurrences(of: "\"home\"", with: "\"ho\\u006de\"")
        let slow = try Waymark.run(["append", "--log", dir.file("log"), "--recorded-at", "2023-03-01T12:00:00Z"], stdin: escaped)
        XCTAssertEqual(slow.status, 2)
        XCTAssertTrue(slow.stderr.contains("field occurredAt: dated in the future"), slow.stderr)
    }

    func testIngestRejectsAFutureMissingPeriodWithRuleWM6() throws {
        let dir = TemporaryDirectory("waymark-future-ingest")
        defer { dir.remove() }
        try "CHILD,DOB,MISSING,MIS_START,MIS_END\n1,1/1/2010,M,1/3/2023,2/3/2023\n2,1/1/2010,M,10/5/2023,\n"
            .write(toFile: dir.file("missing.csv"), atomically: true, encoding: .utf8)
        let r = try Waymark.run(["ingest", "ssda903", "--la", "309", "--collection-year", "2022-23", "--log", dir.file("log"),
                                 "--recorded-at", "2023-04-01T06:00:00Z", dir.file("missing.csv")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.csv:3: rule WM6: dated in the future"), r.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(r.lines.last!.utf8)) as! [String: Any]
        XCTAssertEqual(summary["appended"] as? Int, 2, "child 1's report and find")
        XCTAssertEqual((summary["byRule"] as? [String: Int])?["WM6"], 1)
    }

    func testAProjectionIsAsOfTheLogsLatestRecordedAtByDefault() throws {
        let dir = TemporaryDirectory("waymark-future-asof")
        defer { dir.remove() }
        XCTAssertEqual(try Waymark.run(["append", "--log", dir.file("log"), "--recorded-at", "2023-03-10T00:00:00Z"],
                                       stdin: event("a", at: "2023-03-01T09:00:00Z")).status, 0)
        func asOf(_ extra: [String]) throws -> String? {
            let out = dir.file("models-\(extra.count)")
            XCTAssertEqual(try Waymark.run(["project", "all", "--log", dir.file("log"), "--out", out] + extra).status, 0)
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
            return manifest["asOf"] as? String
        }
        XCTAssertEqual(try asOf([]), "2023-03-10T00:00:00.000Z", "still missing on the day the log last learned something, not only at the report")
        XCTAssertEqual(try asOf(["--known-at", "2023-03-12T00:00:00Z"]), "2023-03-12T00:00:00.000Z")
        XCTAssertEqual(try asOf(["--known-at", "2023-03-12T00:00:00Z", "--as-of", "2023-03-02T00:00:00Z"]), "2023-03-02T00:00:00.000Z")
    }
}
