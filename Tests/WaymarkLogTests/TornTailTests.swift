import XCTest
import WaymarkTime
import WaymarkTestSupport
@testable import WaymarkLog

/// Telling the tail a power cut leaves from damage to acknowledged records: every record the
/// writer acknowledged (covered by the active segment's commit marker, `SegmentChain`) is
/// kept or reported, never cut; everything a torn write can leave after it is cut.
final class TornTailTests: XCTestCase {
    func activeSegmentPath(_ log: String) throws -> String {
        log + "/" + (try LogDirectory(path: log).segments().last!.dataFile)
    }

    /// Frames for offsets `from..<from+count`, as a batch being written when the power went.
    func inFlight(from: Int, count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for i in from..<(from + count) {
            Array("k-\(i)".utf8).withUnsafeBytes { k in Array("{\"n\":\(i),\"pad\":\"\(String(repeating: "q", count: i % 50))\"}".utf8).withUnsafeBytes { p in
                RecordFrame.encode(offset: Offset(UInt64(i)), recordedAt: ts("2030-01-01T00:00:00Z"), key: k, payload: p, into: &bytes)
            } }
        }
        return bytes
    }

    func testAFlippedBitInTheLastAcknowledgedRecordIsDamageNeverATornTail() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { let w = try LogWriter(directory: log); _ = try w.append(makeBatch(5)); try w.close() }
        let path = try activeSegmentPath(log)
        var bytes = fileBytes(path)
        let size = bytes.count
        bytes[size - 10] ^= 0x04
        writeBytes(bytes, path)
        // A reader does not silently stop before it, the verifier calls it damage, and a
        // writer refuses to open rather than cut it and reuse its offset.
        XCTAssertThrowsError(try LogReader(directory: log).records()) { error in
            guard case let LogError.damaged(file, _, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "00000000000000000000.log")
            XCTAssertTrue(reason.contains("acknowledged"), reason)
        }
        let report = try LogVerifier(directory: log).verify()
        XCTAssertNil(report.tornTail)
        XCTAssertNotNil(report.damage)
        XCTAssertThrowsError(try LogWriter(directory: log))
        XCTAssertEqual(fileBytes(path).count, size, "nothing was cut")
    }

    func testAnAcknowledgedRecordCutOffTheFileIsDamage() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { let w = try LogWriter(directory: log); _ = try w.append(makeBatch(5)); try w.close() }
        let path = try activeSegmentPath(log)
        let bytes = fileBytes(path)
        writeBytes(Array(bytes[0..<(bytes.count - 30)]), path)
        XCTAssertThrowsError(try LogReader(directory: log).records())
        XCTAssertNotNil(try LogVerifier(directory: log).verify().damage)
        XCTAssertThrowsError(try LogWriter(directory: log)) { error in
            XCTAssertTrue("\(error)".contains("acknowledged"), "\(error)")
        }
    }

    /// Every shape of tail from item 1 of the integrity issue, at many offsets: cut anywhere,
    /// zero-filled from any point to the end of its page, junk after the last record; with
    /// the commit marker as the writer left it, and with the marker lost too.
    func testEveryTailAPowerCutCanLeaveIsCutAndEveryAcknowledgedRecordKept() throws {
        let dir = scratch()
        let template = dir.file("template")
        do {
            let w = try LogWriter(directory: template)
            for b in 0..<10 { _ = try w.append(makeBatch(100, start: b * 100)) }
            try w.close()
        }
        let segment = "00000000000000000000"
        let intact = fileBytes(template + "/\(segment).log")
        let marker = fileBytes(template + "/\(segment).chain")
        let flight = inFlight(from: 1000, count: 12)
        var shapes: [(String, [UInt8])] = []
        for k in stride(from: 1, to: flight.count, by: 13) {
            shapes.append(("cut at \(k)", intact + flight[0..<k]))
            var zeroed = intact + flight[0..<k]
            let pageEnd = (zeroed.count + 4095) / 4096 * 4096
            zeroed += [UInt8](repeating: 0, count: pageEnd - zeroed.count)
            shapes.append(("zero-filled from \(k) to the page end", zeroed))
            var holed = intact + flight
            let holeEnd = min((intact.count + k + 4095) / 4096 * 4096, holed.count)
            for i in (intact.count + k)..<holeEnd { holed[i] = 0 }
            shapes.append(("in-flight batch zeroed from \(k) to its page end", holed))
        }
        var rng = SystemRandomNumberGenerator()
        for n in [1, 3, 7, 8, 27, 28, 29, 64, 500] {
            shapes.append(("\(n) junk bytes", intact + (0..<n).map { _ in UInt8.random(in: 1...255, using: &rng) }))
        }
        shapes.append(("junk shaped like a frame header", intact + [0xde, 0xad, 0xbe, 0xef, 40, 0, 0, 0] + [UInt8](repeating: 7, count: 20)))
        for (name, bytes) in shapes {
            for keepMarker in [true, false] {
                let log = dir.file("log")
                try? FileManager.default.removeItem(atPath: log)
                try FileManager.default.copyItem(atPath: template, toPath: log)
                writeBytes(bytes, log + "/\(segment).log")
                if keepMarker { writeBytes(marker, log + "/\(segment).chain") } else { try FileManager.default.removeItem(atPath: log + "/\(segment).chain") }
                let label = "\(name), marker \(keepMarker ? "kept" : "lost")"
                if keepMarker {
                    XCTAssertEqual(try LogReader(directory: log).records().count, 1000, label)
                }
                XCTAssertNil(try LogVerifier(directory: log).verify().damage, label)
                let writer = try LogWriter(directory: log)
                // Whole in-flight frames before the tear may stay (they were written whole); no
                // acknowledged record goes, and what stays is all valid.
                XCTAssertGreaterThanOrEqual(writer.nextOffset, Offset(1000), label)
                XCTAssertEqual(Array(fileBytes(log + "/\(segment).log")[0..<intact.count]), intact, label)
                try writer.close()
                let after = try LogVerifier(directory: log).verify()
                XCTAssertTrue(after.isIntact && after.tornTail == nil, "\(label): \(String(describing: after.damage)) \(after.chainProblems)")
                let records = try LogReader(directory: log).records()
                XCTAssertEqual(records.count, Int(writer.nextOffset.rawValue), label)
                XCTAssertEqual(records[999].key, Array("k-999".utf8), label)
            }
        }
    }

    func testABadRecordFollowedByAValidOneIsDamageNotATail() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { let w = try LogWriter(directory: log); _ = try w.append(makeBatch(3)); try w.close() }
        // Past the commit marker (the chain file lost): garbage, then a valid record.
        try FileManager.default.removeItem(atPath: log + "/00000000000000000000.chain")
        let path = try activeSegmentPath(log)
        writeBytes(fileBytes(path) + [1, 2, 3, 4, 5, 6, 7, 8, 9] + inFlight(from: 3, count: 1), path)
        let report = try LogVerifier(directory: log).verify()
        XCTAssertNotNil(report.damage)
        XCTAssertTrue(report.damage?.reason.contains("followed by a valid record") == true, "\(String(describing: report.damage))")
        XCTAssertThrowsError(try LogWriter(directory: log))
    }

    func testReadersStopAtTheCommitMarker() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { let w = try LogWriter(directory: log); _ = try w.append(makeBatch(4)); try w.close() }
        // Whole records the writer wrote but had not yet made durable (no marker covers them)
        // are not shown: they may yet be cut back.
        let path = try activeSegmentPath(log)
        writeBytes(fileBytes(path) + inFlight(from: 4, count: 3), path)
        XCTAssertEqual(try LogReader(directory: log).records().count, 4)
        XCTAssertEqual(try LogReader(directory: log).tail().nextOffset, Offset(4))
        // The next writer finds them whole, makes them durable, and moves the marker past them.
        let w = try LogWriter(directory: log)
        XCTAssertEqual(w.nextOffset, Offset(7))
        try w.close()
        XCTAssertEqual(try LogReader(directory: log).records().count, 7)
    }
}
