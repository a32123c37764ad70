import XCTest
import WaymarkTime
import WaymarkTestSupport
@testable import WaymarkLog

/// The reading API the projectors use: from an offset, by offset, by time, and following.
final class LogReaderTests: XCTestCase {
    /// 10 batches of 50 records, batch b recorded at 2023-04-(b+1) 00:00Z, in 4 KiB segments.
    func makeLog() throws -> String {
        let log = scratch().file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096))
        for b in 0..<10 {
            _ = try writer.append(makeBatch(50, start: b * 50), recordedAt: ts(String(format: "2023-04-%02dT00:00:00Z", b + 1)))
        }
        try writer.close()
        return log
    }

    func testReadsFromAnyOffsetAcrossSegments() throws {
        let log = try makeLog()
        let reader = LogReader(directory: log)
        XCTAssertGreaterThan(try LogDirectory(path: log).segments().count, 5)
        for from in [0, 1, 49, 50, 123, 250, 498, 499] {
            let records = try reader.records(from: Offset(UInt64(from)))
            XCTAssertEqual(records.first?.offset.rawValue, UInt64(from))
            XCTAssertEqual(records.count, 500 - from)
            XCTAssertEqual(records.map { String(decoding: $0.key, as: UTF8.self) }, (from..<500).map { "k-\($0)" })
        }
        XCTAssertEqual(try reader.records(from: Offset(500)), [])
        XCTAssertEqual(try reader.records(from: Offset(10), limit: 3).map(\.offset.rawValue), [10, 11, 12])
        XCTAssertEqual(try reader.record(at: Offset(321))?.key, Array("k-321".utf8))
        XCTAssertNil(try reader.record(at: Offset(500)))
    }

    /// A sealed segment is read through a mapping whose pages are let go every 8 MiB behind the
    /// scan: every record of a 20 MiB segment must still arrive whole, in order.
    func testALongScanOfASealedSegmentDeliversEveryRecordWhole() throws {
        let log = scratch().file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 20 << 20))
        for b in 0..<6 { _ = try writer.append(makeBatch(2_000, start: b * 2_000, payloadBytes: 2_000)) }
        try writer.close()
        XCTAssertEqual(try LogDirectory(path: log).segments().count, 2, "one sealed segment of 20 MiB, one active")
        var next = 0
        try LogReader(directory: log).forEach { record in
            let payload = String(decoding: record.payload, as: UTF8.self)
            XCTAssertEqual(record.offset.rawValue, UInt64(next))
            XCTAssertEqual(String(decoding: record.key, as: UTF8.self), "k-\(next)")
            XCTAssertTrue(payload.hasPrefix("{\"n\":\(next),\"pad\":\"ppp"), "record \(next)")
            XCTAssertEqual(payload.utf8.count, "{\"n\":\(next),\"pad\":\"\"}".utf8.count + 2_000 + next % 37, "record \(next)")
            next += 1
            return true
        }
        XCTAssertEqual(next, 12_000)
    }

    func testFindsTheFirstOffsetRecordedAfterATime() throws {
        let log = try makeLog()
        let reader = LogReader(directory: log)
        XCTAssertEqual(try reader.firstOffset(recordedAfter: ts("2023-03-31T00:00:00Z")), Offset(0))
        XCTAssertEqual(try reader.firstOffset(recordedAfter: ts("2023-04-01T00:00:00Z")), Offset(50))
        XCTAssertEqual(try reader.firstOffset(recordedAfter: ts("2023-04-01T23:59:59Z")), Offset(50))
        XCTAssertEqual(try reader.firstOffset(recordedAfter: ts("2023-04-05T12:00:00Z")), Offset(250))
        XCTAssertEqual(try reader.firstOffset(recordedAfter: ts("2023-04-09T00:00:00Z")), Offset(450))
        XCTAssertNil(try reader.firstOffset(recordedAfter: ts("2023-04-10T00:00:00Z")))
    }

    func testTailReportsTheEnd() throws {
        let log = try makeLog()
        let tail = try LogReader(directory: log).tail()
        XCTAssertEqual(tail.nextOffset, Offset(500))
        XCTAssertEqual(tail.lastRecordedAt, ts("2023-04-10T00:00:00Z"))
        XCTAssertEqual(tail.segments, try LogDirectory(path: log).segments().count)
        let empty = try LogReader(directory: scratch().file("nothing")).tail()
        XCTAssertEqual(empty.nextOffset, .zero)
        XCTAssertNil(empty.lastRecordedAt)
    }

    func testFollowDeliversRecordsAppendedWhileItRuns() throws {
        let log = scratch().file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096))
        _ = try writer.append(makeBatch(10))
        let appendedAll = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let confined = writer   // used by the appending thread only from here on
        let thread = Thread {
            for b in 1..<20 {
                _ = try! confined.append(makeBatch(10, start: b * 10))
                usleep(5_000)
            }
            appendedAll.signal()
        }
        thread.start()
        var seen: [UInt64] = []
        let deadline = Date().addingTimeInterval(30)
        try LogReader(directory: log).follow(from: .zero, pollInterval: 0.01, stop: { seen.count >= 200 || Date() > deadline }) {
            seen.append($0.offset.rawValue)
        }
        appendedAll.wait()
        XCTAssertEqual(seen, Array(0..<200))
    }
}
