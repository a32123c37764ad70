import Foundation
import XCTest
import WaymarkTestSupport

/// The SHA-256 hash chain over the records, checked against an independent computation
/// (`Tests/Oracles/log_segments.py`: Python's hashlib, its own CRC-32C) and against the edits
/// a person with write access could make, CRCs recomputed.
final class HashChainTests: XCTestCase {
    let oracle = Waymark.packageRoot + "/Tests/Oracles/log_segments.py"

    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-chain")
        addTeardownBlock { dir.remove() }
        return dir
    }

    func python(_ args: [String]) throws -> ProcessResult {
        let r = try runProcess("/usr/bin/env", ["python3", oracle] + args)
        if r.status == 127 { throw XCTSkip("python3 not found") }
        XCTAssertEqual(r.status, 0, r.stderr)
        return r
    }

    func digest(_ log: String) throws -> String {
        let r = try Waymark.run(["verify", "--log", log, "--digest"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A log of three batches in 4 KiB segments (several sealed).
    func makeLog(_ dir: TemporaryDirectory) throws -> String {
        let log = dir.file("log")
        for b in 0..<3 {
            XCTAssertEqual(try Waymark.run(["append", "--log", log, "--segment-bytes", "4096"], stdin: sampleEvents(25, start: b * 25)).status, 0)
        }
        XCTAssertGreaterThan(try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") }.count, 3)
        return log
    }

    func testTheHeadIsWhatAnIndependentComputationGives() throws {
        let dir = scratch()
        let log = try makeLog(dir)
        let head = try digest(log)
        XCTAssertTrue(head.hasSuffix("@75"), head)
        XCTAssertEqual(try python(["head", log]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), head)
        // The head of a prefix stays provable as the log grows.
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--segment-bytes", "4096"], stdin: sampleEvents(10, start: 75)).status, 0)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log, "--expect", head]).status, 0)
        XCTAssertNotEqual(try digest(log), head)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log, "--expect", "00" + head.dropFirst(2)]).status, 3)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log, "--expect", "nonsense"]).status, 1)
    }

    func testAnEditWithItsCRCRecomputedIsFoundInASealedSegmentAndTheActiveOne() throws {
        let dir = scratch()
        let template = try makeLog(dir)
        let head = try digest(template)
        for offset in [3, 74] {
            let log = dir.file("edited-\(offset)")
            try FileManager.default.copyItem(atPath: template, toPath: log)
            _ = try python(["edit", log, String(offset)])
            // The CRCs hold: only the chain can tell.
            let r = try Waymark.run(["verify", "--log", log])
            XCTAssertEqual(r.status, 3, "offset \(offset)")
            XCTAssertTrue(r.stderr.contains("CHAIN") && r.stderr.contains("was changed"), r.stderr)
            XCTAssertNil(jsonObject(r.lines.last ?? "")?["damage"] as? [String: Any], "the CRC check alone would have passed")
            XCTAssertEqual(try Waymark.run(["verify", "--log", log, "--expect", head]).status, 3)
        }
    }

    func testARemovedRecordIsFoundAndAFullyRebuiltChainFailsThePublishedHead() throws {
        let dir = scratch()
        let log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(12)).status, 0)
        let head = try digest(log)
        _ = try python(["remove", log, "4"])
        let r = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("CHAIN"), r.stderr)
        // Everything an attacker can recompute, recomputed: the log verifies on its own, but
        // not against the head published before the edit.
        for name in try FileManager.default.contentsOfDirectory(atPath: log) where name.hasSuffix(".chain") {
            try FileManager.default.removeItem(atPath: log + "/" + name)
        }
        XCTAssertEqual(try Waymark.run(["recover", "--log", log]).status, 0)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)
        let expect = try Waymark.run(["verify", "--log", log, "--expect", head])
        XCTAssertEqual(expect.status, 3)
        XCTAssertTrue(expect.stderr.contains("cannot show") || expect.stderr.contains("does NOT extend"), expect.stderr)
    }

    func testARemovedSealedSegmentIsFound() throws {
        let dir = scratch()
        let template = try makeLog(dir)
        let segments = try FileManager.default.contentsOfDirectory(atPath: template).filter { $0.hasSuffix(".log") }.sorted()
        for victim in [segments[0], segments[1]] {
            let log = dir.file("without-\(victim)")
            try FileManager.default.copyItem(atPath: template, toPath: log)
            let stem = String(victim.dropLast(4))
            for ext in [".log", ".index", ".timeindex", ".marks", ".chain"] { try? FileManager.default.removeItem(atPath: log + "/" + stem + ext) }
            XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 3, victim)
        }
    }

    func testALogWrittenBeforeChainsSaysWhereTheChainStartsAndRecoverChainsItAll() throws {
        let dir = scratch()
        let log = try makeLog(dir)
        let head = try digest(log)
        for name in try FileManager.default.contentsOfDirectory(atPath: log) where name.hasSuffix(".chain") {
            try FileManager.default.removeItem(atPath: log + "/" + name)
        }
        // A writer opening it starts the chain at its active segment.
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--segment-bytes", "4096"], stdin: sampleEvents(1)).status, 0)
        let before = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(before.status, 0, before.stderr)
        let start = try XCTUnwrap(jsonObject(before.lines.last ?? "")?["chainStart"] as? Int)
        XCTAssertGreaterThan(start, 0)
        XCTAssertTrue(before.stderr.contains("the hash chain starts at offset \(start)"), before.stderr)
        // recover chains it from 0: the same head as the log had when it was chained throughout.
        XCTAssertEqual(try Waymark.run(["recover", "--log", log]).status, 0)
        let after = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(jsonObject(after.lines.last ?? "")?["chainStart"] as? Int, 0)
        XCTAssertEqual(try digest(log), head)
    }
}
