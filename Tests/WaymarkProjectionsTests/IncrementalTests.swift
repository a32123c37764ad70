import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
@testable import WaymarkProjections
import WaymarkStore
import WaymarkTestSupport
import WaymarkTime

/// Projecting the log in random chunks, each run resuming from the published checkpoint, ends
/// byte-identical to one full rebuild.
final class IncrementalTests: XCTestCase {
    func testRandomChunksEqualOneRebuild() throws {
        let dir = scratchDir()
        let log = try P.generatedLog(dir)
        let total = try LogReader(directory: log).tail().nextOffset.rawValue
        XCTAssertGreaterThan(total, 2000)
        let rules = try P.rules()
        let full = Projector(log: log, out: dir.file("full"), kind: .all, rules: rules, knownAt: nil, asOf: nil)
        _ = try full.loadCheckpoint(rebuild: true)
        try full.catchUp()
        try full.publish()
        let expected = try P.files(dir.file("full"))

        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<2 {
            let out = dir.file("chunks-\(attempt)")
            var runs = 0
            while true {
                let p = Projector(log: log, out: out, kind: .all, rules: rules, knownAt: nil, asOf: nil)
                _ = try p.loadCheckpoint(rebuild: false)
                let applied = try p.catchUp(limit: Int.random(in: 1...Int(total / 3), using: &generator))
                try p.publish()
                runs += 1
                if applied == 0 || p.lastOffset?.rawValue == total - 1 { break }
            }
            XCTAssertGreaterThan(runs, 2)
            let got = try P.files(out)
            XCTAssertEqual(got.keys.sorted(), expected.keys.sorted())
            for (name, text) in expected { XCTAssertTrue(got[name] == text, "\(name) differs after \(runs) incremental runs") }
        }
    }
}

/// The fast fact scanner and the full parse (JSON tree, envelope validation, upcasting) give
/// the same state, byte for byte, on a generated log and on the hand-written scenario.
final class FactScannerTests: XCTestCase {
    func state(_ log: String, scanner: Bool) throws -> [UInt8] {
        let s = ProjectionState()
        s.useScanner = scanner
        try LogReader(directory: log).forEach { r in s.apply(offset: r.offset, recordedAt: r.recordedAt, payload: r.payload); return true }
        return s.serialized()
    }

    func testScannerEqualsFullParse() throws {
        let dir = scratchDir()
        let log = try P.generatedLog(dir)
        XCTAssertEqual(try state(log, scanner: true), try state(log, scanner: false))
        try P.append(P.scenario + "/events.ndjson", to: dir.file("scenario"), at: "2023-02-01T06:00:00Z")
        let v0 = #"{"id":"old","type":"MissingReported","schemaVersion":0,"occurredAt":"2019-05-01T10:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2019-05-01T10:00:00Z","missingFrom":"home","risk":"absent","notes":"a \"quoted\" note, é"}}"#
        try v0.write(toFile: dir.file("v0.ndjson"), atomically: true, encoding: .utf8)
        try P.append(dir.file("v0.ndjson"), to: dir.file("scenario"), at: "2023-02-02T06:00:00Z")
        let a = try state(dir.file("scenario"), scanner: true), b = try state(dir.file("scenario"), scanner: false)
        XCTAssertEqual(a, b)
        XCTAssertTrue(String(decoding: a, as: UTF8.self).contains(#""category":"absent""#), "the version-0 report was upcast")
    }
}
