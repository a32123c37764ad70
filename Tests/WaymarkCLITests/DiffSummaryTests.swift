import Foundation
import XCTest
import WaymarkTestSupport

/// `waymark diff` ends with one line per file (rows added, removed, changed, and the columns
/// that changed in most rows) and `--summary` prints only those lines. Hand-written tables.
final class DiffSummaryTests: XCTestCase {
    func testTheSummaryCountsRowsAndTheColumnsThatMovedMost() throws {
        let dir = TemporaryDirectory("waymark-diffsummary")
        defer { dir.remove() }
        let header = "episode,child,refs,category,startedAt,endedAt,durationHours,counted,riskLevel\n"
        let a = header + """
        police:MPS:M-1,c1,,missing,2023-04-01T10:00:00Z,2023-04-01T20:00:00Z,10.0,yes,low
        police:MPS:M-2,c1,,missing,2023-04-02T10:00:00Z,2023-04-03T20:00:00Z,34.0,yes,medium
        police:MPS:M-3,c2,,missing,2023-04-05T10:00:00Z,2023-04-05T11:00:00Z,1.0,yes,high
        police:MPS:M-4,c3,,absent,2023-04-06T10:00:00Z,,,yes,low

        """
        let b = header + """
        police:MPS:M-1,c1,,missing,2023-04-01T10:00:00Z,2023-04-01T20:00:00Z,10.0,no,low
        police:MPS:M-2,c1,,missing,2023-04-02T10:00:00Z,2023-04-03T20:00:00Z,34.0,yes,medium
        police:MPS:M-3,c2,,missing,2023-04-05T10:00:00Z,2023-04-05T11:00:00Z,1.0,no,medium
        police:MPS:M-5,c4,,missing,2023-04-07T10:00:00Z,,,yes,low

        """
        for (name, text) in [("a", a), ("b", b)] {
            try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true)
            try text.write(toFile: dir.file("\(name)/episodes.csv"), atomically: false, encoding: .utf8)
        }
        let full = try Waymark.run(["diff", dir.file("a"), dir.file("b")])
        XCTAssertEqual(full.status, 1)
        let summary = "episodes.csv: 1 added, 1 removed, 2 changed (most changed: counted in 2, riskLevel in 1)"
        XCTAssertEqual(full.lines.last, summary)
        XCTAssertTrue(full.lines.contains("episodes.csv: - police:MPS:M-4"), full.stdout)
        let short = try Waymark.run(["diff", "--summary", dir.file("a"), dir.file("b")])
        XCTAssertEqual(short.lines, [summary])
        XCTAssertEqual(try Waymark.run(["diff", "--summary", dir.file("a"), dir.file("a")]).status, 0)
    }
}
