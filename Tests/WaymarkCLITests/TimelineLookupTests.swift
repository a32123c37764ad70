import Foundation
import XCTest
import WaymarkTestSupport

/// `waymark timeline` finds a child by a bare local id when only one child has it, lists the
/// candidates when several do, and reads as text for a person.
final class TimelineLookupTests: XCTestCase {
    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-timeline")
        addTeardownBlock { dir.remove() }
        return dir
    }

    func testABareIdFindsTheOneChildAndTheTextShowsEveryPart() throws {
        let dir = scratch()
        let log = dir.file("log"), models = dir.file("models")
        _ = try Waymark.run(["ingest", "--manifest", Waymark.packageRoot + "/sample-events/feeds/manifest.json", "--log", log])
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", models]).status, 0)
        let full = try Waymark.run(["timeline", "--out", models, "--child", "police:GMP:P0001234"])
        XCTAssertEqual(full.status, 0)
        for bare in ["538333", "P0001234", "C-0042"] {
            XCTAssertEqual(try Waymark.run(["timeline", "--out", models, "--child", bare]).stdout, full.stdout, bare)
        }
        let doc = try XCTUnwrap(jsonObject(full.stdout))
        let entries = try XCTUnwrap(doc["entries"] as? [[String: Any]])
        let text = try Waymark.run(["timeline", "--out", models, "--child", "538333", "--format", "text"])
        XCTAssertEqual(text.status, 0)
        let lines = text.lines
        XCTAssertEqual(lines.first, "child      la:309:538333 (also police:GMP:P0001234, rhi:CATCH22:C-0042)")
        XCTAssertEqual(lines.filter { $0.hasPrefix("placement ") }.count, (doc["placements"] as? [Any])?.count)
        XCTAssertEqual(lines.filter { $0.hasPrefix("episode ") }.count, (doc["episodes"] as? [Any])?.count)
        XCTAssertEqual(lines.filter { $0.hasPrefix("event ") }.count, entries.count)
        XCTAssertEqual(lines.filter { $0.contains("[superseded]") }.count, entries.filter { $0["status"] as? String == "superseded" }.count)
        // The placement in another LA's area whose host was never told says so.
        XCTAssertTrue(lines.contains { $0.hasPrefix("placement  2022-11-20 to …  K2 (Children's home) home SC041236") && $0.hasSuffix("in LA 356, host not told") }, text.stdout)
        XCTAssertEqual(try Waymark.run(["timeline", "--out", models, "--child", "nobody"]).status, 2)
        XCTAssertEqual(try Waymark.run(["timeline", "--out", models, "--child", "538333", "--format", "xml"]).status, 1)
    }

    func testABareIdTwoChildrenShareListsThem() throws {
        let dir = scratch()
        let log = dir.file("log"), models = dir.file("models")
        var lines = ""
        for (n, force) in ["MPS", "GMP"].enumerated() {
            lines += "{\"id\":\"x-\(n)\",\"type\":\"MissingReported\",\"occurredAt\":\"2023-03-01T21:15:00Z\",\"child\":\"police:\(force):P77\",\"episode\":\"police:\(force):M-\(n)\",\"data\":{\"reportedAt\":\"2023-03-01T21:15:00Z\",\"missingFrom\":\"home\",\"category\":\"missing\"}}\n"
        }
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: lines).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", models]).status, 0)
        let r = try Waymark.run(["timeline", "--out", models, "--child", "P77"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("2 children have the id P77") && r.stderr.contains("police:MPS:P77") && r.stderr.contains("police:GMP:P77"), r.stderr)
        XCTAssertEqual(try Waymark.run(["timeline", "--out", models, "--child", "police:MPS:P77"]).status, 0)
    }
}
