import Foundation
import XCTest
import WaymarkLog
import WaymarkTestSupport

/// Real `waymark append` processes killed with SIGKILL at random moments, as a crash or a
/// power cut would stop them (process death keeps the page cache; the fsync discipline is what
/// the acknowledgement relies on).
final class CrashTests: XCTestCase {
    func ids(_ log: String) throws -> [String] {
        let r = try Waymark.run(["read", "--log", log])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.lines.map { jsonObject($0)?["id"] as? String ?? "<unparseable line>" }
    }

    /// `ingest --manifest` (eleven feeds, the sample's) SIGKILLed at random moments: after
    /// every kill the log verifies and holds only events an unkilled run appends, each once;
    /// running the manifest to the end then gives exactly what the unkilled run gave.
    func testIngestsKilledAtRandomMomentsEndWhereAnUnkilledRunEnds() throws {
        let dir = TemporaryDirectory("waymark-crash-ingest")
        defer { dir.remove() }
        let manifest = Waymark.packageRoot + "/sample-events/feeds/manifest.json"
        let clean = dir.file("clean"), log = dir.file("log")
        let started = Date()
        let reference = try Waymark.run(["ingest", "--manifest", manifest, "--log", clean])
        let window = UInt32(Date().timeIntervalSince(started) * 1_000_000)
        let expected = try ids(clean)
        XCTAssertEqual(Set(expected).count, expected.count)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<max(10, crashRounds(default: 30) / 3) {
            let p = try Waymark.start(["ingest", "--manifest", manifest, "--log", log])
            usleep(UInt32.random(in: 0..<window, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { kills += 1 }
            guard LogDirectory(path: log).exists else { continue }
            let verify = try Waymark.run(["verify", "--log", log])
            XCTAssertEqual(verify.status, 0, "round \(round): \(verify.stderr)")
            let now = try ids(log)
            XCTAssertEqual(Set(now).count, now.count, "round \(round): an event twice")
            XCTAssertTrue(Set(now).isSubset(of: expected), "round \(round): an event the unkilled run does not append")
        }
        XCTAssertGreaterThan(kills, 3)
        let finish = try Waymark.run(["ingest", "--manifest", manifest, "--log", log])
        // Exit 2 only if the feeds with rejected rows were still to come (a feed taken before
        // is skipped, its rejections reported by the run that took it).
        XCTAssertTrue([0, reference.status].contains(finish.status), finish.stderr)
        XCTAssertEqual(try ids(log).sorted(), expected.sorted())
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)
    }

    /// 30 kills on a fresh log each cycle (`make crash-test` runs many cycles).
    func testWritersKilledAtRandomMomentsLoseNothingAcknowledgedAndDuplicateNothing() throws {
        for cycle in 0..<max(1, crashRounds(default: 30) / 30) {
            let dir = TemporaryDirectory("waymark-crash")
            defer { dir.remove() }
            try killCycle(dir, label: "cycle \(cycle)")
        }
    }

    func killCycle(_ dir: TemporaryDirectory, label: String) throws {
        let log = dir.file("log")
        let inputPath = dir.file("input.ndjson")
        let total = 20_000
        // Every 50th event supersedes the one before it: the corrections the log keeps marked.
        let correcting = Set(stride(from: 7, to: total, by: 50))
        let lines = sampleEvents(total).split(separator: "\n").enumerated().map { i, line in
            correcting.contains(i) ? line.replacingOccurrences(of: "\"id\":\"ev-\(i)\",", with: "\"id\":\"ev-\(i)\",\"supersedes\":\"ev-\(i - 1)\",") : String(line)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: inputPath, atomically: true, encoding: .utf8)
        let inputIds = (0..<total).map { "ev-\($0)" }

        var generator = SystemRandomNumberGenerator()
        var present = 0
        var acknowledged = 0
        var kills = 0
        for round in 0..<30 {
            // A batch run acknowledged by its summary line, between the kills.
            if round % 10 == 9 {
                let r = try Waymark.run(["append", "--log", log, "--segment-bytes", "65536", inputPath])
                XCTAssertEqual(r.status, 0, r.stderr)
                acknowledged = total
            }
            let out = dir.file("out-\(round)")
            FileManager.default.createFile(atPath: out, contents: nil)
            let handle = FileHandle(forWritingAtPath: out)!
            let writer = try Waymark.start(["append", "--log", log, "--segment-bytes", "65536", inputPath], stdout: handle)
            usleep(UInt32.random(in: 0..<250_000, using: &generator))
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
            try handle.close()
            if writer.terminationReason == .uncaughtSignal { kills += 1 } else {
                // It finished before the kill: its summary acknowledges every event.
                XCTAssertEqual(writer.terminationStatus, 0)
                XCTAssertTrue((try String(contentsOfFile: out, encoding: .utf8)).hasPrefix("{\"appended\":"))
                acknowledged = total
            }

            // Killed before it had made the log (the first round, early): nothing to check.
            if !LogDirectory(path: log).exists {
                XCTAssertEqual(present, 0, "round \(round): the log vanished")
                continue
            }
            // After every kill the log verifies (a torn tail is allowed, damage is not) ...
            let verify = try Waymark.run(["verify", "--log", log])
            XCTAssertEqual(verify.status, 0, "round \(round): \(verify.stderr)")
            // ... and holds exactly a prefix of the input, in order, each event once.
            let now = try ids(log)
            XCTAssertEqual(now, Array(inputIds.prefix(now.count)), "round \(round): not a prefix of the input")
            XCTAssertGreaterThanOrEqual(now.count, present, "round \(round): events that were present vanished")
            XCTAssertGreaterThanOrEqual(now.count, acknowledged, "round \(round): acknowledged events lost")
            present = now.count
        }
        XCTAssertGreaterThan(kills, 10, "most runs should have been killed mid-way")

        // Re-appending the input completes the log with no duplicates.
        let finish = try Waymark.run(["append", "--log", log, "--segment-bytes", "65536", inputPath])
        XCTAssertEqual(finish.status, 0, finish.stderr)
        let summary = jsonObject(finish.stdout)!
        XCTAssertEqual(summary["duplicates"] as? Int, present)
        XCTAssertEqual(summary["appended"] as? Int, total - present)
        XCTAssertEqual(try ids(log), inputIds)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)

        // Every segment's marks, written at its sealing (the active one's after each batch) or
        // rebuilt after a kill, list exactly its correcting events (event ev-i is at offset i).
        let segments = try LogDirectory(path: log).segments()
        XCTAssertGreaterThan(segments.count, 3)
        var marked: [Int] = []
        let ends = segments.dropFirst().map(\.baseOffset.rawValue) + [UInt64(total)]
        for (s, end) in zip(segments, ends) {
            let marks = try SegmentMarks.load(path: log + "/" + s.marksFile, marker: "corrections.v2",
                                              records: UInt32(end - s.baseOffset.rawValue))
            XCTAssertNotNil(marks, s.marksFile)
            marked += marks?.relativeOffsets.map { Int(s.baseOffset.rawValue) + Int($0) } ?? []
        }
        XCTAssertEqual(marked, correcting.sorted())
    }
}
