import Foundation
import XCTest
import WaymarkTestSupport

/// SQLite-style fault injection: `WAYMARK_FAULT=any:N:ERRNO` fails the Nth system call of
/// Waymark's own I/O layer (open for writing, write, fsync, rename, truncate, mkdir) with EIO
/// or ENOSPC. Each test walks N over every call an `append`, an `ingest` and a `project`
/// makes, and after each failure checks: the command exits 74; nothing acknowledged before
/// it is lost; `recover` then `verify` pass; a retry without the fault ends exactly where a
/// run that never failed ends (no event lost, none duplicated); read models are the old set
/// or the new one, never a mixture.
final class FaultInjectionTests: XCTestCase {
    let root = Waymark.packageRoot
    var feeds: String { root + "/sample-events/feeds" }

    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-fault")
        addTeardownBlock { dir.remove() }
        return dir
    }

    func copy(_ from: String, _ to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    /// The ids in the log, in offset order.
    func ids(_ log: String) throws -> [String] {
        try Waymark.run(["read", "--log", log]).lines.compactMap { jsonObject($0)?["id"] as? String }
    }

    func assertRecoveredAndIntact(_ log: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let recover = try Waymark.run(["recover", "--log", log])
        XCTAssertEqual(recover.status, 0, "\(label): recover: \(recover.stderr)", file: file, line: line)
        let verify = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(verify.status, 0, "\(label): verify: \(verify.stderr)", file: file, line: line)
    }

    /// Runs `body(N, errno)` for N = 1, 2, … until a run reports no injected fault; returns
    /// how many calls failed in turn.
    func walk(limit: Int = 400, _ body: (Int, String) throws -> ProcessResult) throws -> Int {
        for n in 1...limit {
            let result = try body(n, n % 2 == 0 ? "ENOSPC" : "EIO")
            if !result.stderr.contains("fault injected") { return n - 1 }
        }
        XCTFail("more than \(limit) calls")
        return limit
    }

    func testEveryFailingCallOfAnAppendLosesNothingAcknowledged() throws {
        let dir = scratch()
        let base = dir.file("base"), log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["append", "--log", base], stdin: sampleEvents(40)).status, 0)
        let before = try ids(base)
        // 60 events, 10 of them already in the log; small segments so the batch rolls twice.
        let input = sampleEvents(60, start: 30)
        let expected = before + (40..<90).map { "ev-\($0)" }
        let calls = try walk { n, code in
            try copy(base, log)
            let r = try Waymark.run(["append", "--log", log, "--segment-bytes", "8000"], stdin: input,
                                    environment: ["WAYMARK_FAULT": "any:\(n):\(code)"])
            let label = "call \(n) (\(code))"
            guard r.stderr.contains("fault injected") else {
                XCTAssertEqual(r.status, 0, label)
                XCTAssertEqual(try ids(log), expected, label)
                return r
            }
            XCTAssertEqual(r.status, 74, "\(label): \(r.stderr)")
            XCTAssertEqual(Array(try ids(log).prefix(before.count)), before, "\(label): acknowledged events lost")
            try assertRecoveredAndIntact(log, label)
            let retry = try Waymark.run(["append", "--log", log, "--segment-bytes", "8000"], stdin: input)
            XCTAssertEqual(retry.status, 0, "\(label): retry: \(retry.stderr)")
            XCTAssertEqual(try ids(log), expected, "\(label): after the retry")
            return r
        }
        print("fault walk: append: \(calls) calls, each failed in turn")
        XCTAssertGreaterThan(calls, 20)
    }

    /// PostgreSQL's "fsyncgate": after a failed fsync the kernel may have dropped the dirty
    /// pages while still showing them. The batch must not stay in the segment to be counted
    /// as duplicates (and acknowledged unsynced) by the retry: it is cut back, and the retry
    /// writes and syncs it again.
    func testAfterAFailedFsyncTheBatchIsCutBackAndTheRetryWritesItAgain() throws {
        let dir = scratch()
        let log = dir.file("log")
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(20)).status, 0)
        let segment = log + "/00000000000000000000.log"
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        let failed = try Waymark.run(["append", "--log", log], stdin: sampleEvents(30, start: 20), environment: ["WAYMARK_FAULT": "fsync:1:EIO"])
        XCTAssertTrue(failed.stderr.contains("fsync #1 on \(segment)"), failed.stderr)
        XCTAssertEqual(failed.status, 74)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int, size, "the unsynced batch stayed in the segment")
        let retry = try Waymark.run(["append", "--log", log], stdin: sampleEvents(30, start: 20))
        XCTAssertEqual(retry.status, 0)
        let summary = try XCTUnwrap(jsonObject(retry.lines.last ?? ""))
        XCTAssertEqual(summary["appended"] as? Int, 30)
        XCTAssertEqual(summary["duplicates"] as? Int, 0)
    }

    func testEveryFailingCallOfAnIngestLosesNothingAcknowledged() throws {
        let dir = scratch()
        let base = dir.file("base"), log = dir.file("log"), clean = dir.file("clean")
        let first = ["ingest", "police", "--force", "GMP", "--recorded-at", "2023-03-02T06:00:00Z", "--log", base, feeds + "/snapshot-1/police-GMP.csv"]
        XCTAssertEqual(try Waymark.run(first).status, 0)
        let before = try ids(base)
        func second(_ log: String) -> [String] {
            ["ingest", "police", "--force", "GMP", "--recorded-at", "2023-05-20T06:00:00Z", "--log", log,
             feeds + "/snapshot-2/police-GMP.csv", feeds + "/dirty/police-BTP.csv"]
        }
        // The run that never fails: what every retry must end with.
        try copy(base, clean)
        let reference = try Waymark.run(second(clean))
        let expected = try ids(clean)
        XCTAssertGreaterThan(expected.count, before.count)
        let calls = try walk { n, code in
            try copy(base, log)
            let r = try Waymark.run(second(log), environment: ["WAYMARK_FAULT": "any:\(n):\(code)"])
            let label = "call \(n) (\(code))"
            guard r.stderr.contains("fault injected") else {
                XCTAssertEqual(r.status, reference.status, label)
                return r
            }
            if r.stderr.contains("waymark: warning:") {
                // A derived file (the snapshot cache, the id index's checkpoint) not written
                // loses nothing: the run completes, and the next one derives it again.
                XCTAssertEqual(r.status, reference.status, "\(label): \(r.stderr)")
                XCTAssertEqual(try ids(log), expected, label)
            } else {
                XCTAssertEqual(r.status, 74, "\(label): \(r.stderr)")
            }
            XCTAssertEqual(Array(try ids(log).prefix(before.count)), before, "\(label): acknowledged events lost")
            try assertRecoveredAndIntact(log, label)
            let retry = try Waymark.run(second(log))
            XCTAssertEqual(retry.status, reference.status, "\(label): retry: \(retry.stderr)")
            XCTAssertEqual(try ids(log), expected, "\(label): after the retry")
            return r
        }
        print("fault walk: ingest: \(calls) calls, each failed in turn")
        XCTAssertGreaterThan(calls, 10)
    }

    func testEveryFailingCallOfAProjectLeavesTheOldReadModelsOrTheNew() throws {
        let dir = scratch()
        let log = dir.file("log"), base = dir.file("models-base"), out = dir.file("models"), fresh = dir.file("models-new")
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(30)).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", base]).status, 0)
        let old = try readModelFiles(base)
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(30, start: 30)).status, 0)
        try copy(base, fresh)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", fresh]).status, 0)
        let new = try readModelFiles(fresh)
        XCTAssertNotEqual(old, new)
        let calls = try walk { n, code in
            try copy(base, out)
            let r = try Waymark.run(["project", "all", "--log", log, "--out", out], environment: ["WAYMARK_FAULT": "any:\(n):\(code)"])
            let label = "call \(n) (\(code))"
            guard r.stderr.contains("fault injected") else {
                XCTAssertEqual(r.status, 0, label)
                return r
            }
            XCTAssertEqual(r.status, 74, "\(label): \(r.stderr)")
            let now = try readModelFiles(out)
            XCTAssertTrue(now == old || now == new, "\(label): the read models are neither the old set nor the new")
            let retry = try Waymark.run(["project", "all", "--log", log, "--out", out])
            XCTAssertEqual(retry.status, 0, "\(label): retry: \(retry.stderr)")
            XCTAssertEqual(try readModelFiles(out), new, "\(label): after the retry")
            return r
        }
        print("fault walk: project: \(calls) calls, each failed in turn")
        XCTAssertGreaterThan(calls, 10)
    }
}
