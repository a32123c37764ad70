import Foundation
import XCTest
import WaymarkTestSupport

/// SSDA903 input the DfE's validator itself stumbles on, and rows of one record given twice:
/// clear errors naming file and line, no crash, and nothing accepted is lost.
final class SSDA903BadInputTests: XCTestCase {
    func ingest(_ dir: TemporaryDirectory, _ files: [String], extra: [String] = []) throws -> ProcessResult {
        try Waymark.run(["ingest", "ssda903", "--la", "309", "--collection-year", "2022-23", "--log", dir.file("log"),
                         "--recorded-at", "2023-05-01T00:00:00Z"] + extra + files.map(dir.file))
    }

    func testFilesTheValidatorCannotReadAreRejectedWholeOrByRowWithoutACrash() throws {
        let dir = TemporaryDirectory("waymark-903-bad")
        defer { dir.remove() }
        let missing = "CHILD,DOB,MISSING,MIS_START,MIS_END"
        try "".write(toFile: dir.file("empty.csv"), atomically: true, encoding: .utf8)
        try "\(missing),2024\n1,1/1/2010,M,1/3/2023,2/3/2023,7\n".write(toFile: dir.file("numeric-column.csv"), atomically: true, encoding: .utf8)
        try "\(missing)\n1,1/1/2010,M,\"5/3/2023,\n2,1/1/2010,M,6/3/2023,7/3/2023\n".write(toFile: dir.file("quote.csv"), atomically: true, encoding: .utf8)
        try "\(missing),MISSING\n1,1/1/2010,M,1/3/2023,,A\n".write(toFile: dir.file("twice.csv"), atomically: true, encoding: .utf8)
        try "<EXPSSDA903><CHILD><CHILDID>1</CHILDID></EXPSSDA903>\n".write(toFile: dir.file("broken.xml"), atomically: true, encoding: .utf8)
        try "<?xml version=\"1.0\"?>\n<OTHER/>\n".write(toFile: dir.file("other.xml"), atomically: true, encoding: .utf8)
        let r = try ingest(dir, ["empty.csv", "numeric-column.csv", "quote.csv", "twice.csv", "broken.xml", "other.xml"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Error Domain"), r.stderr)
        XCTAssertTrue(r.stderr.contains("empty.csv:1: not an SSDA903 table"), r.stderr)
        XCTAssertTrue(r.stderr.contains("quote.csv:2: malformed CSV: unbalanced quote"), r.stderr)
        XCTAssertTrue(r.stderr.contains("twice.csv:1: field MISSING: column MISSING appears twice"), r.stderr)
        XCTAssertTrue(r.stderr.contains("broken.xml:1: not well-formed XML"), r.stderr)
        XCTAssertTrue(r.stderr.contains("other.xml:2: the root element is not EXPSSDA903"), r.stderr)
        XCTAssertFalse(r.stderr.contains("5/3/2023"), "a rejected row's cells are never echoed")
        let summary = try JSONSerialization.jsonObject(with: Data(r.lines.last!.utf8)) as! [String: Any]
        // The numeric extra column is ignored: child 1's period (report and find) is ingested;
        // so is child 2's period after the bad quote.
        XCTAssertEqual(summary["appended"] as? Int, 4)
    }

    func testARepeatedRowIsADuplicateAndADifferingOneIsRejectedNeverDropped() throws {
        let dir = TemporaryDirectory("waymark-903-twice")
        defer { dir.remove() }
        try """
        CHILD,DOB,MISSING,MIS_START,MIS_END
        1,1/1/2010,M,1/3/2023,1/3/2023
        1,1/1/2010,M,1/3/2023,1/3/2023
        1,01/01/2010,A,01/03/2023,01/03/2023
        2,1/1/2010,M,5/3/2023,6/3/2023

        """.write(toFile: dir.file("missing.csv"), atomically: true, encoding: .utf8)
        let r = try ingest(dir, ["missing.csv"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.csv:4: field MIS_START: rule WM2: a second, different row for the same record"), r.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(r.lines.last!.utf8)) as! [String: Any]
        XCTAssertEqual(summary["duplicates"] as? Int, 1, "line 3 repeats line 2 exactly")
        XCTAssertEqual(summary["quarantined"] as? Int, 1)
        XCTAssertEqual(summary["appended"] as? Int, 4, "child 1's and child 2's periods, each reported and found")
    }

    func testAManifestGoesOnWhenAnotherWriterAppendedBetweenItsFeeds() throws {
        let dir = TemporaryDirectory("waymark-903-writer")
        defer { dir.remove() }
        try "CHILD,DOB,MISSING,MIS_START,MIS_END\n1,1/1/2010,M,1/3/2023,2/3/2023\n".write(toFile: dir.file("missing.csv"), atomically: true, encoding: .utf8)
        try #"{"feeds":[{"adapter":"ssda903","la":"309","collectionYear":"2022-23","recordedAt":"2023-05-01T00:00:00Z","files":["missing.csv"]}]}"#
            .write(toFile: dir.file("manifest.json"), atomically: true, encoding: .utf8)
        // Another writer appended a later event first.
        let event = #"{"id":"other-1","type":"MissingReported","occurredAt":"2023-06-01T09:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M1","data":{"reportedAt":"2023-06-01T09:00:00Z","missingFrom":"home","category":"missing"}}"#
        XCTAssertEqual(try Waymark.run(["append", "--log", dir.file("log"), "--recorded-at", "2023-06-02T00:00:00Z"], stdin: event + "\n").status, 0)
        let r = try Waymark.run(["ingest", "--manifest", dir.file("manifest.json"), "--log", dir.file("log")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("its new events are recorded at 2023-06-02T00:00:00.000Z instead"), r.stderr)
        let read = try Waymark.run(["read", "--log", dir.file("log")])
        XCTAssertEqual(read.lines.count, 3)
        XCTAssertTrue(read.lines.dropFirst().allSatisfy { $0.contains(#""recordedAt":"2023-06-02T00:00:00.000Z""#) }, read.stdout)
        // Run again: the feed was taken, so it is skipped.
        let again = try Waymark.run(["ingest", "--manifest", dir.file("manifest.json"), "--log", dir.file("log")])
        XCTAssertTrue(again.stderr.contains("skipped missing.csv: this log took it before"), again.stderr)
        XCTAssertEqual(try Waymark.run(["read", "--log", dir.file("log")]).lines.count, 3)
    }
}
