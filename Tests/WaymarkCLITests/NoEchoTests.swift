import Foundation
import XCTest
import WaymarkTestSupport

/// Bad input gets a message naming file, line and field and the reason, and never the value
/// itself: a cell of a feed may hold a child's name. Each column of a valid row of each feed
/// is set in turn to a name, and whatever the ingest says on standard error or standard
/// output must not contain it.
final class NoEchoTests: XCTestCase {
    let feeds = Waymark.packageRoot + "/sample-events/feeds/snapshot-2"
    let secret = "Jane Sentinel-Doe"

    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-noecho")
        addTeardownBlock { dir.remove() }
        return dir
    }

    /// The header and first data row of a CSV (split on commas: these rows quote nothing).
    func firstRow(_ path: String) throws -> (header: String, cells: [String]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline)
        return (String(lines[0]), lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    func check(adapter: String, options: [String], file: String, extraFiles: [String] = []) throws {
        let dir = scratch()
        let (header, cells) = try firstRow(feeds + "/" + file)
        var rejectedSomewhere = 0
        for column in cells.indices {
            var changed = cells
            changed[column] = secret
            let path = dir.file(URL(fileURLWithPath: file).lastPathComponent)
            try (header + "\n" + changed.joined(separator: ",") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            let log = dir.file("log-\(column)")
            let r = try Waymark.run(["ingest", adapter, "--log", log, "--recorded-at", "2023-05-20T06:00:00Z"] + options + [path] + extraFiles.map { feeds + "/" + $0 })
            XCTAssertFalse(r.stderr.contains(secret) || r.stdout.contains(secret), "\(adapter) column \(column + 1): \(r.stderr)")
            if r.status == 2 { rejectedSomewhere += 1 }
        }
        XCTAssertGreaterThan(rejectedSomewhere, cells.count / 3, "\(adapter): the name was accepted in too many columns to have tested anything")
    }

    func testPoliceFeed() throws { try check(adapter: "police", options: ["--force", "MPS"], file: "police-MPS.csv") }
    func testReturnInterviewFeed() throws { try check(adapter: "rhi", options: ["--provider", "CATCH22"], file: "rhi-CATCH22.csv") }
    func testCareHomeRegister() throws { try check(adapter: "care-homes", options: [], file: "care-homes.csv") }
    func testSSDA903Episodes() throws {
        try check(adapter: "ssda903", options: ["--la", "309"], file: "la-309/episodes.csv", extraFiles: ["la-309/header.csv", "la-309/missing.csv"])
    }
}
