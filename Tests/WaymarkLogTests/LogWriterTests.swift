import XCTest
import WaymarkTime
import WaymarkTestSupport
@testable import WaymarkLog

final class LogWriterTests: XCTestCase {
    func testAppendsInOrderWithDenseOffsetsAndReadsBack() throws {
        let dir = scratch()
        let log = dir.file("log")
        let writer = try LogWriter(directory: log)
        let outcome = try writer.append(makeBatch(10), recordedAt: ts("2023-04-01T00:00:00Z"))
        XCTAssertEqual(outcome.offsets, (0..<10).map { Offset(UInt64($0)) })
        XCTAssertEqual(outcome.appended, 10)
        let records = try LogReader(directory: log).records()
        XCTAssertEqual(records.map(\.offset.rawValue), Array(0..<10))
        XCTAssertEqual(records.map { String(decoding: $0.key, as: UTF8.self) }, (0..<10).map { "k-\($0)" })
        XCTAssertEqual(records.map(\.recordedAt), Array(repeating: ts("2023-04-01T00:00:00Z"), count: 10))
        XCTAssertEqual(writer.nextOffset, Offset(10))
    }

    func testDirectoryIsOwnerOnlyAndFilesAreOwnerOnly() throws {
        let dir = scratch()
        let log = dir.file("nested/log")
        let writer = try LogWriter(directory: log)
        _ = try writer.append(makeBatch(3))
        try writer.close()
        let attrs = try FileManager.default.attributesOfItem(atPath: log)
        XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        for name in try FileManager.default.contentsOfDirectory(atPath: log) {
            let a = try FileManager.default.attributesOfItem(atPath: log + "/" + name)
            XCTAssertEqual((a[.posixPermissions] as? NSNumber)?.intValue, 0o600, name)
        }
    }

    func testDuplicateKeysAreSkippedWithinABatchAndAcrossReopens() throws {
        let dir = scratch()
        let log = dir.file("log")
        do {
            let writer = try LogWriter(directory: log)
            var batch = makeBatch(5)
            batch.add(key: Array("k-2".utf8), payload: Array("{}".utf8))   // same key, other payload
            let outcome = try writer.append(batch)
            XCTAssertEqual(outcome.appended, 5)
            XCTAssertEqual(outcome.offsets.last!, nil)
            try writer.close()
        }
        let writer = try LogWriter(directory: log)
        let again = try writer.append(makeBatch(8))
        XCTAssertEqual(again.offsets, [nil, nil, nil, nil, nil, Offset(5), Offset(6), Offset(7)])
        XCTAssertTrue(try writer.contains(key: Array("k-7".utf8)))
        XCTAssertFalse(try writer.contains(key: Array("k-8".utf8)))
    }

    func testKeyIndexIsRebuiltWhenDeletedOrCorruptAndGrowsPastItsFirstSize() throws {
        let dir = scratch()
        let log = dir.file("log")
        do {
            let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 64 << 10))
            _ = try writer.append(makeBatch(6000, payloadBytes: 10))   // the table starts with 4096 slots
            try writer.close()
        }
        try FileManager.default.removeItem(atPath: log + "/ids.index")
        do {
            let writer = try LogWriter(directory: log)
            XCTAssertEqual(writer.recovery.keysReindexed, 6000)
            XCTAssertEqual(writer.recovery.rebuiltIndexes, ["ids.index"])
            XCTAssertEqual(try writer.append(makeBatch(6001, payloadBytes: 10)).appended, 1)
            try writer.close()
        }
        var bytes = fileBytes(log + "/ids.index")
        bytes[9] ^= 0xFF   // the capacity field: the header checksum now fails
        writeBytes(bytes, log + "/ids.index")
        let writer = try LogWriter(directory: log)
        XCTAssertEqual(writer.recovery.keysReindexed, 6001)
        XCTAssertEqual(try writer.append(makeBatch(6002, payloadBytes: 10)).appended, 1)
    }

    func testKeyIndexCatchesUpAfterAWriterDiesBeforeItsCheckpoint() throws {
        let dir = scratch()
        let log = dir.file("log")
        do {
            let writer = try LogWriter(directory: log)
            _ = try writer.append(makeBatch(3))
            try writer.close()
            _ = try writer.append(makeBatch(4, start: 3))   // durable, but no key checkpoint after it
        }
        let writer = try LogWriter(directory: log)
        XCTAssertEqual(writer.recovery.keysReindexed, 4)
        XCTAssertEqual(try writer.append(makeBatch(7)).appended, 0)
    }

    func testRollsSegmentsAtTheSizeLimitAndNeverWritesSealedOnesAgain() throws {
        let dir = scratch()
        let log = dir.file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096))
        _ = try writer.append(makeBatch(100))
        let segments = try LogDirectory(path: log).segments()
        XCTAssertGreaterThan(segments.count, 3)
        XCTAssertEqual(segments.first?.dataFile, "00000000000000000000.log")
        let sealed = segments.dropLast().map { fileBytes(log + "/" + $0.dataFile) }
        for (segment, bytes) in zip(segments.dropLast(), sealed) {
            XCTAssertLessThanOrEqual(bytes.count, 4096, segment.dataFile)
        }
        // Each segment's name is the offset of its first record.
        let reader = LogReader(directory: log)
        for segment in segments {
            XCTAssertEqual(try reader.record(at: segment.baseOffset).map { String(decoding: $0.key, as: UTF8.self) },
                           "k-\(segment.baseOffset.rawValue)")
        }
        _ = try writer.append(makeBatch(100, start: 100))
        for (segment, bytes) in zip(segments.dropLast(), sealed) {
            XCTAssertEqual(fileBytes(log + "/" + segment.dataFile), bytes, "sealed \(segment.dataFile) changed")
        }
        XCTAssertEqual(try reader.records().map(\.offset.rawValue), Array(0..<200))
    }

    func testARecordLargerThanASegmentGetsASegmentOfItsOwn() throws {
        let dir = scratch()
        let log = dir.file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096))
        var batch = AppendBatch()
        batch.add(key: Array("small".utf8), payload: Array("{}".utf8))
        batch.add(key: Array("big".utf8), payload: [UInt8](repeating: 0x61, count: 10_000))
        batch.add(key: Array("after".utf8), payload: Array("{}".utf8))
        XCTAssertEqual(try writer.append(batch).appended, 3)
        XCTAssertEqual(try LogDirectory(path: log).segments().map(\.baseOffset.rawValue), [0, 1, 2])
        XCTAssertEqual(try LogReader(directory: log).records().map { $0.payload.count }, [2, 10_000, 2])
    }

    func testBackDatedRecordedAtIsRefusedAndTheClockNeverGoesBackwards() throws {
        let dir = scratch()
        let writer = try LogWriter(directory: dir.file("log"))
        _ = try writer.append(makeBatch(1), recordedAt: ts("2999-01-01T00:00:00Z"))
        XCTAssertThrowsError(try writer.append(makeBatch(1, start: 1), recordedAt: ts("2998-12-31T23:59:59Z"))) { error in
            guard case LogError.refused = error else { return XCTFail("\(error)") }
        }
        // The clock says 2026, the log says 2999: the log's time wins, so recordedAt never decreases.
        let outcome = try writer.append(makeBatch(1, start: 2))
        XCTAssertEqual(outcome.recordedAt, ts("2999-01-01T00:00:00Z"))
        XCTAssertEqual(try writer.append(makeBatch(1, start: 3), recordedAt: ts("2999-01-01T00:00:00Z")).appended, 1)
    }

    func testASecondWriterTimesOutNamingTheHolder() throws {
        let dir = scratch()
        let log = dir.file("log")
        // POSIX record locks do not conflict within one process, so the holder is another process.
        let input = Pipe()   // kept open: the holder waits for input while holding the lock
        let holder = try Waymark.start(["append", "--log", log, "-"], stdin: input.fileHandleForReading)
        defer { holder.terminate(); holder.waitUntilExit(); try? input.fileHandleForWriting.close() }
        var waited = 0
        while !FileManager.default.fileExists(atPath: log + "/.lock") && waited < 500 { usleep(10_000); waited += 1 }
        usleep(200_000)
        XCTAssertThrowsError(try LogWriter(directory: log, options: LogWriterOptions(lockTimeout: 0.3))) { error in
            guard case let LogError.locked(_, pid, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(pid, holder.processIdentifier)
        }
    }
}
