import Foundation
import XCTest
import WaymarkTestSupport

/// `waymark project`, `timeline` and `diff` as real processes.
final class ProjectCommandTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory("waymark-project") }
    override func tearDown() { dir.remove() }

    let root = Waymark.packageRoot

    func snapshot(_ out: String) throws -> [String: String] { try readModelFiles(out) }

    /// A log from generated feeds (one year, `children` children).
    func generatedLog(children: Int) throws -> String {
        XCTAssertEqual(try Waymark.run(["generate", "--out", dir.file("feeds"), "--children", String(children), "--seed", "3"]).status, 0)
        let r = try Waymark.run(["ingest", "--manifest", dir.file("feeds/manifest.json"), "--log", dir.file("log")])
        XCTAssertTrue(r.status == 0 || r.status == 2, r.stderr)
        return dir.file("log")
    }

    func testRulesChangeNeedsRebuildAndDiffShowsWhatMoves() throws {
        let log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["ingest", "--manifest", root + "/sample-events/feeds/manifest.json", "--log", log]).status, 2)
        let first = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("a")])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(jsonObject(first.stdout)?["applied"] as? Int, 41)
        let again = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("a")])
        XCTAssertEqual(jsonObject(again.stdout)?["applied"] as? Int, 0, "nothing new: nothing applied")
        let changed = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("a"), "--rules", root + "/rules/ssda903-24h.json"])
        XCTAssertEqual(changed.status, 4)
        XCTAssertTrue(changed.stderr.contains("--rebuild"), changed.stderr)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("b"), "--rules", root + "/rules/ssda903-24h.json"]).status, 0)
        XCTAssertEqual(try Waymark.run(["diff", dir.file("a"), dir.file("a")]).status, 0)
        let diff = try Waymark.run(["diff", dir.file("a"), dir.file("b")])
        XCTAssertEqual(diff.status, 1)
        XCTAssertTrue(diff.stdout.contains("episodes.csv: ~ police:MPS:M-2023-017702: counted true → false"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("episodes.csv: 0 added, 0 removed, 2 changed"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("manifest.json: ~ rules:"), diff.stdout)
        XCTAssertEqual(try Waymark.run(["diff", dir.file("a"), dir.file("nowhere")]).status, 2)
        let rebuilt = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("a"), "--rules", root + "/rules/ssda903-24h.json", "--rebuild"])
        XCTAssertEqual(rebuilt.status, 0)
        XCTAssertEqual(try Waymark.run(["diff", dir.file("a"), dir.file("b")]).status, 0, "a rebuild under the new rules equals a fresh build")
        let timeline = try Waymark.run(["timeline", "--out", dir.file("a"), "--child", "police:GMP:P0001234"])
        XCTAssertEqual(timeline.status, 0)
        XCTAssertEqual(jsonObject(timeline.stdout)?["child"] as? String, "la:309:538333")
        XCTAssertEqual(try Waymark.run(["timeline", "--out", dir.file("a"), "--child", "la:309:0"]).status, 2)
    }

    func testKnownAtReproducesTheModelsBuiltBeforeLaterEvents() throws {
        let log = dir.file("log")
        let feeds = root + "/sample-events/feeds"
        XCTAssertEqual(try Waymark.run(["ingest", "ssda903", "--la", "309", "--postcode-map", feeds + "/postcodes.csv", "--log", log,
                                        "--recorded-at", "2023-03-02T06:00:00Z"] + ["header", "episodes", "missing"].map { feeds + "/snapshot-1/la-309/\($0).csv" }).status, 0)
        XCTAssertEqual(try Waymark.run(["ingest", "police", "--force", "GMP", "--log", log, "--recorded-at", "2023-03-02T06:00:00Z", feeds + "/snapshot-1/police-GMP.csv"]).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("then"), "--as-of", "2023-03-10T00:00:00Z"]).status, 0)
        // Later: corrections and developments arrive.
        XCTAssertEqual(try Waymark.run(["ingest", "police", "--force", "GMP", "--log", log, "--recorded-at", "2023-05-20T06:00:00Z", feeds + "/snapshot-2/police-GMP.csv"]).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("replay"), "--as-of", "2023-03-10T00:00:00Z",
                                        "--known-at", "2023-03-02T06:00:00Z"]).status, 0)
        var then = try snapshot(dir.file("then")), replay = try snapshot(dir.file("replay"))
        XCTAssertTrue(replay["manifest.json"]!.contains(#""knownAt":"2023-03-02T06:00:00.000Z""#))
        then["manifest.json"] = nil; replay["manifest.json"] = nil
        XCTAssertEqual(then.keys.sorted(), replay.keys.sorted())
        for (name, text) in then { XCTAssertTrue(replay[name] == text, "\(name) differs from what was known then") }
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("replay")]).status, 4, "dropping --known-at needs a rebuild")
    }

    func testADamagedOrOlderStateFileNeedsARebuild() throws {
        let log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["append", "--log", log, root + "/sample-events/events.ndjson"]).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models")]).status, 0)
        let state = dir.file("models/.projector-state")
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: state)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: state))
        let damaged = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models")])
        XCTAssertEqual(damaged.status, 4)
        XCTAssertTrue(damaged.stderr.contains(".projector-state: the projector state fails its checksum: run again with --rebuild"), damaged.stderr)
        // A state file of the previous format (one JSON line per event) is refused the same way.
        try #"{"lastOffset":11,"events":12,"unplaced":[]}"#.write(toFile: state, atomically: true, encoding: .utf8)
        let older = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models")])
        XCTAssertEqual(older.status, 4)
        XCTAssertTrue(older.stderr.contains("not in this version's format"), older.stderr)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models"), "--rebuild"]).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models")]).status, 0)
    }

    func testAProjectorKilledAtRandomMomentsResumesToTheSameBytesAsARebuild() throws {
        let log = try generatedLog(children: 600)
        let started = Date()
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("full")]).status, 0)
        // Kills land anywhere in the first half of how long a whole run takes on this machine.
        let window = UInt32(max(20_000, Date().timeIntervalSince(started) * 500_000))
        let expected = try snapshot(dir.file("full"))
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<(crashRounds(default: 32) / 4) {
            let p = try Waymark.start(["project", "all", "--log", log, "--out", dir.file("killed")])
            usleep(UInt32.random(in: 0..<window, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { kills += 1 }
            // Whatever is published is whole: its manifest and files parse.
            if let m = FileManager.default.contents(atPath: dir.file("killed/manifest.json")) {
                XCTAssertNotNil(try? JSONSerialization.jsonObject(with: m))
            }
        }
        XCTAssertGreaterThan(kills, 3)
        let finish = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("killed")])
        XCTAssertEqual(finish.status, 0, finish.stderr)
        let got = try snapshot(dir.file("killed"))
        XCTAssertEqual(got.keys.sorted(), expected.keys.sorted())
        for (name, text) in expected { XCTAssertTrue(got[name] == text, "\(name) differs from a rebuild after \(kills) kills") }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".killed.build-") }
        XCTAssertEqual(leftovers, [], "a killed build's directory is cleaned up")
    }

    func testFollowAppliesEventsFromAConcurrentWriterAndStopsCleanlyOnSIGTERM() throws {
        let log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(50)).status, 0)
        let outFile = dir.file("follow.out")
        FileManager.default.createFile(atPath: outFile, contents: nil)
        let follower = try Waymark.start(["project", "all", "--log", log, "--out", dir.file("live"), "--follow"], stdout: FileHandle(forWritingAtPath: outFile)!)
        func published() -> Int? {
            guard let m = FileManager.default.contents(atPath: dir.file("live/manifest.json")),
                  let o = try? JSONSerialization.jsonObject(with: m) as? [String: Any] else { return nil }
            return o["lastOffset"] as? Int
        }
        func waitFor(_ offset: Int, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline { if published() == offset { return true }; usleep(50_000) }
            return false
        }
        XCTAssertTrue(waitFor(49, seconds: 20), "first publication")
        for batch in 1...3 {
            XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(50, start: batch * 50)).status, 0)
            XCTAssertTrue(waitFor(batch * 50 + 49, seconds: 6), "batch \(batch) published within the 5 s promise (and a second to apply)")
        }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        XCTAssertEqual(follower.terminationStatus, 0)
        XCTAssertEqual(follower.terminationReason, .exit)
        let lines = try String(contentsOfFile: outFile, encoding: .utf8).split(separator: "\n").compactMap { jsonObject(String($0)) }
        XCTAssertEqual(lines.last?["lastOffset"] as? Int, 199)
        // One line per publish as it happened: numbered, what it applied, which tables moved.
        let publishes = lines.dropLast()
        XCTAssertGreaterThanOrEqual(publishes.count, 4)
        XCTAssertEqual(publishes.compactMap { $0["publish"] as? Int }, Array(1...publishes.count))
        XCTAssertEqual(publishes.compactMap { $0["applied"] as? Int }.reduce(0, +), 200)
        XCTAssertEqual(publishes.compactMap { ($0["rowsChanged"] as? [String: Int])?["episodes.csv"] }.reduce(0, +), 200,
                       "every sample event opens an episode: the publishes' episode rows add up to 200")
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("rebuilt")]).status, 0)
        var live = try snapshot(dir.file("live")), rebuilt = try snapshot(dir.file("rebuilt"))
        live["manifest.json"] = nil; rebuilt["manifest.json"] = nil
        for (name, text) in rebuilt { XCTAssertTrue(live[name] == text, "\(name): follow mode differs from a rebuild") }
    }
}
