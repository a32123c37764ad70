import Foundation
import XCTest
import WaymarkTestSupport

/// Two writers and several readers at once, all real processes.
final class ConcurrencyTests: XCTestCase {
    func testTwoWritersGiveTheUnionAndReadersNeverSeeAPartialRecord() throws {
        let dir = TemporaryDirectory("waymark-concurrency")
        defer { dir.remove() }
        let log = dir.file("log")
        // A: ev-0 … ev-5999; B: ev-3000 … ev-8999 (3,000 ids in common).
        let a = dir.file("a.ndjson"), b = dir.file("b.ndjson")
        try sampleEvents(6000).write(toFile: a, atomically: true, encoding: .utf8)
        try sampleEvents(6000, start: 3000).write(toFile: b, atomically: true, encoding: .utf8)
        // Each writer is fed through a pipe, 200 lines at a time with pauses, so it appends
        // many small batches (a streaming writer appends whenever its input stalls) and the
        // readers overlap the writing.
        let writers = [a, b].map { input -> (Process, String) in
            let out = dir.file(URL(fileURLWithPath: input).lastPathComponent + ".out")
            FileManager.default.createFile(atPath: out, contents: nil)
            let pipe = Pipe()
            let p = try! Waymark.start(["append", "--log", log, "--segment-bytes", "32768", "--lock-timeout", "60", "-"],
                                       stdin: pipe.fileHandleForReading, stdout: FileHandle(forWritingAtPath: out)!)
            let lines = try! String(contentsOfFile: input, encoding: .utf8).split(separator: "\n")
            let feeder = Thread {
                for start in stride(from: 0, to: lines.count, by: 200) {
                    let chunk = lines[start..<min(start + 200, lines.count)].joined(separator: "\n") + "\n"
                    pipe.fileHandleForWriting.write(Data(chunk.utf8))
                    usleep(50_000)   // the writers run about 1.5 s, long enough for readers to overlap them many times
                }
                try? pipe.fileHandleForWriting.close()
            }
            feeder.start()
            return (p, out)
        }
        var reads = 0
        var sawPartial = false
        repeat {
            let readers = (0..<3).map { i -> (Process, String) in
                let out = dir.file("read-\(reads)-\(i)")
                FileManager.default.createFile(atPath: out, contents: nil)
                return (try! Waymark.start(["read", "--log", log], stdout: FileHandle(forWritingAtPath: out)!), out)
            }
            for (p, out) in readers {
                p.waitUntilExit()
                let text = try String(contentsOfFile: out, encoding: .utf8)
                if p.terminationStatus != 0 && FileManager.default.fileExists(atPath: log + "/.lock") {
                    continue   // the log did not exist yet
                }
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                for (n, line) in lines.enumerated() {
                    guard let o = jsonObject(String(line)), o["offset"] as? Int == n else { sawPartial = true; break }
                }
                if !text.isEmpty && !text.hasSuffix("\n") { sawPartial = true }
                reads += 1
            }
        } while writers.contains(where: { $0.0.isRunning })
        for (p, _) in writers { p.waitUntilExit(); XCTAssertEqual(p.terminationStatus, 0) }
        print("concurrency: \(reads) reads overlapped the writers")
        XCTAssertFalse(sawPartial, "a reader saw a partial or out-of-order record")
        XCTAssertGreaterThan(reads, 9, "the readers should have overlapped the writers several times")

        let summaries = try writers.map { jsonObject(try String(contentsOfFile: $0.1, encoding: .utf8))! }
        XCTAssertEqual(summaries.map { $0["appended"] as! Int }.reduce(0, +), 9000)
        XCTAssertEqual(summaries.map { $0["duplicates"] as! Int }.reduce(0, +), 3000)
        let ids = try Waymark.run(["read", "--log", log]).lines.map { jsonObject($0)!["id"] as! String }
        XCTAssertEqual(ids.count, 9000)
        XCTAssertEqual(Set(ids), Set((0..<9000).map { "ev-\($0)" }))
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)
    }
}
