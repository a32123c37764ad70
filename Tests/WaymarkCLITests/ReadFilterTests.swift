import Foundation
import XCTest
import WaymarkTestSupport

/// `waymark read` finds what you ask for: by type, by child, by recording time, and as a
/// tail that follows a writer.
final class ReadFilterTests: XCTestCase {
    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-readfilter")
        addTeardownBlock { dir.remove() }
        return dir
    }

    func ids(_ r: ProcessResult) -> [String] { r.lines.compactMap { jsonObject($0)?["id"] as? String } }

    func testTypeChildAndSinceFilters() throws {
        let dir = scratch()
        let log = dir.file("log")
        let sample = Waymark.packageRoot + "/sample-events/events.ndjson"
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--recorded-at", "2023-06-01T00:00:00Z", sample]).status, 0)
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--recorded-at", "2023-07-01T12:00:00Z"], stdin: sampleEvents(3)).status, 0)
        // Expected sets from the sample file itself, read with Foundation's JSON parser.
        let lines = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n").compactMap { jsonObject(String($0)) }
        let found = lines.filter { ($0["type"] as? String) == "ChildFound" || ($0["type"] as? String) == "RiskAssessed" }.compactMap { $0["id"] as? String }
        XCTAssertFalse(found.isEmpty)
        XCTAssertEqual(ids(try Waymark.run(["read", "--log", log, "--type", "ChildFound,RiskAssessed"])), found)
        let child = try XCTUnwrap(lines.compactMap { $0["child"] as? String }.first)
        let about = lines.filter { ($0["child"] as? String) == child }.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids(try Waymark.run(["read", "--log", log, "--child", child])), about)
        XCTAssertEqual(ids(try Waymark.run(["read", "--log", log, "--since", "2023-07-01"])), ["ev-0", "ev-1", "ev-2"])
        XCTAssertEqual(ids(try Waymark.run(["read", "--log", log, "--since", "2023-07-01T12:00:00.001Z"])), [])
        XCTAssertEqual(ids(try Waymark.run(["read", "--log", log, "--since", "2023-06-01", "--type", "MissingReported", "--limit", "1"])).count, 1)
        XCTAssertEqual(try Waymark.run(["read", "--log", log, "--since", "yesterday"]).status, 1)
    }

    func testFollowPrintsEventsAsTheyAreAppendedAndStopsOnSIGTERM() throws {
        let dir = scratch()
        let log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(2)).status, 0)
        let outPath = dir.file("follow.out")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        let handle = FileHandle(forWritingAtPath: outPath)!
        let follower = try Waymark.start(["read", "--log", log, "--follow", "--type", "MissingReported"], stdout: handle)
        func seen() -> [String] {
            ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { jsonObject(String($0))?["id"] as? String }
        }
        func wait(for count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while seen().count < count && Date() < deadline { usleep(50_000) }
        }
        wait(for: 2)
        XCTAssertEqual(seen(), ["ev-0", "ev-1"])
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(3, start: 2)).status, 0)
        wait(for: 5)
        XCTAssertEqual(seen(), ["ev-0", "ev-1", "ev-2", "ev-3", "ev-4"])
        XCTAssertTrue(follower.isRunning, "a follower keeps running at the end of the log")
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        try handle.close()
        XCTAssertEqual(follower.terminationStatus, 0)
    }
}
