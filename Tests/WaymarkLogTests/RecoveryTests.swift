import XCTest
import WaymarkTime
import WaymarkTestSupport
@testable import WaymarkLog

/// What a crash or a bad disk leaves, and what the log makes of it.
final class RecoveryTests: XCTestCase {
    func activeSegmentPath(_ log: String) throws -> String {
        log + "/" + (try LogDirectory(path: log).segments().last!.dataFile)
    }

    func testATornTailIsInvisibleToReadersAndCutByTheNextWriter() throws {
        let dir = scratch()
        let log = dir.file("log")
        do {
            let writer = try LogWriter(directory: log)
            _ = try writer.append(makeBatch(5))
            try writer.close()
        }
        let path = try activeSegmentPath(log)
        let intact = fileBytes(path)
        // Half of a sixth record, as a crash mid-write leaves it.
        var sixth: [UInt8] = []
        Array("k-5".utf8).withUnsafeBytes { k in Array("{\"n\":5}".utf8).withUnsafeBytes { p in
            RecordFrame.encode(offset: Offset(5), recordedAt: Timestamp.now(), key: k, payload: p, into: &sixth)
        } }
        for cut in [1, 7, 8, 20, sixth.count - 1] {
            writeBytes(intact + sixth[0..<cut], path)
            XCTAssertEqual(try LogReader(directory: log).records().count, 5, "cut \(cut)")
            let report = try LogVerifier(directory: log).verify()
            XCTAssertNil(report.damage, "cut \(cut)")
            XCTAssertEqual(report.tornTail?.position, intact.count, "cut \(cut)")
            XCTAssertEqual(report.tornTail?.bytes, cut)
        }
        let writer = try LogWriter(directory: log)
        XCTAssertEqual(writer.recovery.truncatedTail?.position, intact.count)
        XCTAssertEqual(fileBytes(path), intact)
        XCTAssertEqual(writer.nextOffset, Offset(5))
        XCTAssertEqual(try writer.append(makeBatch(6)).offsets.last!, Offset(5))
    }

    func testAZeroFilledTailIsATornTail() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { _ = try LogWriter(directory: log).append(makeBatch(3)) }
        let path = try activeSegmentPath(log)
        let intact = fileBytes(path)
        writeBytes(intact + [UInt8](repeating: 0, count: 5000), path)
        XCTAssertEqual(try LogVerifier(directory: log).verify().tornTail?.reason, "zero-filled tail")
        let writer = try LogWriter(directory: log)
        XCTAssertEqual(writer.recovery.truncatedTail?.bytes, 5000)
        XCTAssertEqual(fileBytes(path).count, intact.count)
    }

    func testDamageBeforeTheLastRecordStopsTheWriterAndIsLocated() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { _ = try LogWriter(directory: log).append(makeBatch(5)) }
        let path = try activeSegmentPath(log)
        var bytes = fileBytes(path)
        let third = try LogReader(directory: log).records()[2]
        // Position of the third record: header + the first two frames.
        let records = try LogReader(directory: log).records()
        let position = 16 + records[0..<2].reduce(0) { $0 + 28 + $1.key.count + $1.payload.count }
        bytes[position + 40] ^= 0x01   // inside the third record's payload
        writeBytes(bytes, path)
        XCTAssertEqual(third.offset, Offset(2))
        XCTAssertThrowsError(try LogWriter(directory: log)) { error in
            guard case let LogError.damaged(file, at, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "00000000000000000000.log")
            XCTAssertEqual(at, position)
        }
        let report = try LogVerifier(directory: log).verify()
        XCTAssertEqual(report.damage?.file, "00000000000000000000.log")
        XCTAssertEqual(report.damage?.position, position)
        XCTAssertThrowsError(try LogReader(directory: log).records())
        XCTAssertEqual(fileBytes(path), bytes, "a damaged log is never truncated by the writer")
    }

    func testAFlippedByteAnywhereInASealedSegmentIsDamage() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { _ = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096)).append(makeBatch(60)) }
        let first = log + "/00000000000000000000.log"
        let intact = fileBytes(first)
        for position in stride(from: 0, to: intact.count, by: 97) {
            var bytes = intact
            bytes[position] ^= 0x40
            writeBytes(bytes, first)
            let report = try LogVerifier(directory: log).verify()
            XCTAssertEqual(report.damage?.file, "00000000000000000000.log", "flip at \(position)")
            XCTAssertFalse(report.isIntact)
        }
        writeBytes(intact, first)
        XCTAssertTrue(try LogVerifier(directory: log).verify().isIntact)
    }

    func testIndexesAreRebuiltFromTheDataWhenMissingOrDamaged() throws {
        let dir = scratch()
        let log = dir.file("log")
        do {
            let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 16 << 10))
            for i in 0..<10 { _ = try writer.append(makeBatch(40, start: i * 40), recordedAt: ts("2023-04-0\(i)T00:00:00Z".replacingOccurrences(of: "0T", with: "1T"))) }
        }
        let segments = try LogDirectory(path: log).segments()
        XCTAssertGreaterThan(segments.count, 3)
        let originals = segments.map { (fileBytes(log + "/" + $0.offsetIndexFile), fileBytes(log + "/" + $0.timeIndexFile)) }
        XCTAssertTrue(try LogVerifier(directory: log).verify().isIntact)
        // Delete one sealed segment's indexes, corrupt another's, and plant a wrong entry in
        // the active one's (an active index may lag the data, but may not disagree with it).
        try FileManager.default.removeItem(atPath: log + "/" + segments[0].offsetIndexFile)
        var t = fileBytes(log + "/" + segments[1].timeIndexFile)
        t[0] ^= 0xFF
        writeBytes(t, log + "/" + segments[1].timeIndexFile)
        writeBytes([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], log + "/" + segments.last!.timeIndexFile)
        let report = try LogVerifier(directory: log).verify()
        XCTAssertNil(report.damage)
        XCTAssertEqual(report.indexProblems.count, 3, "\(report.indexProblems)")
        // Readers still work, falling back to the data.
        XCTAssertEqual(try LogReader(directory: log).records(from: Offset(150)).first?.offset, Offset(150))
        let writer = try LogWriter(directory: log)
        XCTAssertEqual(Set(writer.recovery.rebuiltIndexes), [segments[0].offsetIndexFile, segments[1].offsetIndexFile])
        for (segment, original) in zip(segments, originals) {
            XCTAssertEqual(fileBytes(log + "/" + segment.offsetIndexFile), original.0, segment.offsetIndexFile)
            XCTAssertEqual(fileBytes(log + "/" + segment.timeIndexFile), original.1, segment.timeIndexFile)
        }
        XCTAssertTrue(try LogVerifier(directory: log).verify().isIntact)
    }

    func testAMissingSegmentInTheMiddleIsDamage() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { _ = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096)).append(makeBatch(100)) }
        let segments = try LogDirectory(path: log).segments()
        try FileManager.default.removeItem(atPath: log + "/" + segments[1].dataFile)
        let report = try LogVerifier(directory: log).verify()
        XCTAssertEqual(report.damage?.file, segments[2].dataFile)
        XCTAssertThrowsError(try LogReader(directory: log).records())
    }
}
