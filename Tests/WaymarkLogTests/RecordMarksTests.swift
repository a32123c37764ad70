import XCTest
import WaymarkTime
import WaymarkTestSupport
@testable import WaymarkLog

/// The marks a writer keeps beside each sealed segment (`SegmentMarks`), and the reader's
/// walk over the marked records (`LogReader.forEachMarked`), which must give exactly the
/// records a full scan would pick, whatever state the marks files are in.
final class RecordMarksTests: XCTestCase {
    /// Picks the records of `makeBatch` whose number ends in 3 (`{"n":13,...`).
    static let endsIn3 = RecordMarker(name: "ends-in-3") { payload in
        guard let comma = payload.firstIndex(of: UInt8(ascii: ",")), comma > 0 else { return false }
        return payload[comma - 1] == UInt8(ascii: "3")
    }
    /// Offsets 3, 13, 23, ... 493: what `endsIn3` picks of records 0..<500.
    let picked: [UInt64] = Array(stride(from: 3, to: 500, by: 10))

    /// 10 batches of 50 records, batch b recorded at 2023-04-(b+1) 00:00Z, in 4 KiB segments.
    func makeLog(marker: RecordMarker? = RecordMarksTests.endsIn3, segmentBytes: Int = 4096) throws -> String {
        let log = scratch().file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: segmentBytes, marker: marker))
        for b in 0..<10 {
            _ = try writer.append(makeBatch(50, start: b * 50), recordedAt: ts(String(format: "2023-04-%02dT00:00:00Z", b + 1)))
        }
        try writer.close()
        return log
    }

    func marked(_ log: String, from: UInt64 = 0, to bound: UInt64? = nil, recordedUpTo: Timestamp? = nil) throws -> (offsets: [UInt64], next: UInt64, passed: Int) {
        var offsets: [UInt64] = []
        let walked = try LogReader(directory: log).forEachMarked(by: RecordMarksTests.endsIn3, from: Offset(from), to: bound.map { Offset($0) },
                                                                 recordedUpTo: recordedUpTo) { record in
            XCTAssertTrue(String(decoding: record.payload, as: UTF8.self).hasPrefix("{\"n\":\(record.offset.rawValue),"), "record \(record.offset)")
            offsets.append(record.offset.rawValue)
            return true
        }
        return (offsets, walked.next.rawValue, walked.passed)
    }

    func sealedSegments(_ log: String) throws -> [SegmentName] { Array(try LogDirectory(path: log).segments().dropLast()) }

    func testEverySealedSegmentKeepsItsMarksAndTheWalkGivesExactlyThePickedRecords() throws {
        let log = try makeLog()
        let sealed = try sealedSegments(log)
        XCTAssertGreaterThan(sealed.count, 5)
        for s in sealed { XCTAssertTrue(FileManager.default.fileExists(atPath: log + "/" + s.marksFile), s.marksFile) }
        // The active segment's covers every record in it.
        let active = try LogDirectory(path: log).segments().last!
        let activeMarks = try XCTUnwrap(SegmentMarks.load(path: log + "/" + active.marksFile, marker: RecordMarksTests.endsIn3.name, records: nil))
        XCTAssertEqual(UInt64(activeMarks.records), 500 - active.baseOffset.rawValue)
        XCTAssertEqual(activeMarks.relativeOffsets.map { active.baseOffset.rawValue + UInt64($0) }, picked.filter { $0 >= active.baseOffset.rawValue })
        let all = try marked(log)
        XCTAssertEqual(all.offsets, picked)
        XCTAssertEqual(all.next, 500)
        XCTAssertEqual(all.passed, 500)
        // A valid file is trusted, the segment not read: one that also lists record 0 (which
        // the marker would not pick) gets record 0 delivered.
        let first = try XCTUnwrap(SegmentMarks.load(path: log + "/" + sealed[0].marksFile, marker: RecordMarksTests.endsIn3.name,
                                                    records: UInt32(sealed[1].baseOffset.rawValue)))
        writeBytes(SegmentMarks(marker: first.marker, records: first.records, relativeOffsets: [0] + first.relativeOffsets).bytes,
                   log + "/" + sealed[0].marksFile)
        XCTAssertEqual(try marked(log).offsets, [0] + picked)
        // Which is why verify compares every marks file with the data.
        let report = try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify()
        XCTAssertEqual(report.indexProblems.map(\.file), [sealed[0].marksFile])
        XCTAssertTrue((24..<33).contains(sealed[1].baseOffset.rawValue), "the first segment holds records 0 to 23-32 (3, 13, 23 picked)")
        XCTAssertEqual(report.indexProblems.first?.reason, "lists 4 records where the data gives 3")
    }

    /// The active segment's marks cover its first records: those are trusted, the rest
    /// scanned. A file covering fewer records than the segment holds (its writer died before
    /// rewriting it) is right about those; one covering more is not trusted at all.
    func testTheActiveSegmentsMarksCoverItsFirstRecordsAndTheRestIsScanned() throws {
        // 64 KiB segments: the second and active one holds about 120 of the 500 records.
        let log = try makeLog(segmentBytes: 65536)
        let active = try LogDirectory(path: log).segments().last!
        let base = active.baseOffset.rawValue, held = UInt32(500 - base)
        XCTAssertGreaterThan(held, 8)
        let path = log + "/" + active.marksFile
        let name = RecordMarksTests.endsIn3.name
        let picks = picked.filter { $0 >= base }.map { UInt32($0 - base) }
        // Trusted for what it covers: a file covering the first half that also lists a record
        // the marker would not pick gets that record delivered, and the second half is scanned.
        let half = held / 2
        let extra = (0..<half).first { (base + UInt64($0)) % 10 != 3 }!
        writeBytes(SegmentMarks(marker: name, records: half, relativeOffsets: ([extra] + picks.filter { $0 < half }).sorted()).bytes, path)
        XCTAssertEqual(try marked(log).offsets, (picked + [base + UInt64(extra)]).sorted())
        XCTAssertEqual(try marked(log, from: base + UInt64(half)).offsets, picked.filter { $0 >= base + UInt64(half) }, "from past what it covers")
        // A bound inside what it covers stops there; one past it scans on to the bound.
        let inside = try marked(log, to: base + UInt64(half / 2))
        XCTAssertEqual(inside.offsets, (picked + [base + UInt64(extra)]).sorted().filter { $0 < base + UInt64(half / 2) })
        XCTAssertEqual(inside.next, base + UInt64(half / 2))
        XCTAssertEqual(inside.passed, Int(base) + Int(half / 2))
        let past = try marked(log, from: base, to: 495)
        XCTAssertEqual(past.offsets, (picked + [base + UInt64(extra)]).sorted().filter { $0 >= base && $0 < 495 })
        XCTAssertEqual(past.next, 495)
        XCTAssertEqual(past.passed, 495 - Int(base))
        XCTAssertEqual(try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify().indexProblems.map(\.file), [active.marksFile])
        // Right but short (as a writer killed between a batch and the rewrite leaves it): fine.
        writeBytes(SegmentMarks(marker: name, records: half, relativeOffsets: picks.filter { $0 < half }).bytes, path)
        XCTAssertEqual(try marked(log).offsets, picked)
        XCTAssertTrue(try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify().isIntact)
        // Covering records the segment does not hold: not trusted (the whole segment scanned),
        // and named by verify.
        writeBytes(SegmentMarks(marker: name, records: held + 5, relativeOffsets: [held + 1]).bytes, path)
        XCTAssertEqual(try marked(log).offsets, picked)
        let report = try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify()
        XCTAssertEqual(report.indexProblems.map(\.file), [active.marksFile])
        XCTAssertEqual(report.indexProblems.first?.reason, "covers \(held + 5) records; the segment holds \(held)")
        // The next writer rewrites it to cover every record, and keeps it so after each batch.
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 65536, marker: RecordMarksTests.endsIn3))
        XCTAssertEqual(try SegmentMarks.load(path: path, marker: name, records: nil)?.records, held)
        _ = try writer.append(makeBatch(5, start: 500))
        let now = try LogDirectory(path: log).segments().last!
        XCTAssertEqual(try SegmentMarks.load(path: log + "/" + now.marksFile, marker: name, records: nil)?.records,
                       UInt32(505 - now.baseOffset.rawValue))
        try writer.close()
        XCTAssertEqual(try marked(log).offsets, picked + [503])
        XCTAssertTrue(try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify().isIntact)
    }

    /// A writer that opened a new log and appended nothing leaves marks covering no record:
    /// readers scan, and verify finds nothing wrong (it once computed the offset before the
    /// first record and crashed; the kill test found it).
    func testActiveMarksCoveringNoRecordAreFine() throws {
        let log = scratch().file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(marker: RecordMarksTests.endsIn3))
        try writer.close()
        let active = try LogDirectory(path: log).segments().last!
        XCTAssertEqual(try SegmentMarks.load(path: log + "/" + active.marksFile, marker: RecordMarksTests.endsIn3.name, records: nil)?.records, 0)
        XCTAssertEqual(try marked(log).offsets, [])
        XCTAssertTrue(try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify().isIntact)
    }

    func testFromBoundAndRecordedUpToLimitTheWalk() throws {
        let log = try makeLog()
        let part = try marked(log, from: 20, to: 50)
        XCTAssertEqual(part.offsets, [23, 33, 43])
        XCTAssertEqual(part.next, 50)
        XCTAssertEqual(part.passed, 30)
        // Batches 0-2 (offsets 0..<150) were recorded by April 3rd.
        let known = try marked(log, recordedUpTo: ts("2023-04-03T12:00:00Z"))
        XCTAssertEqual(known.offsets, Array(stride(from: 3, to: 150, by: 10)))
        XCTAssertEqual(known.next, 150)
        XCTAssertEqual(known.passed, 150)
        XCTAssertEqual(try marked(log, from: 493).offsets, [493])
        XCTAssertEqual(try marked(log, from: 500).passed, 0)
    }

    /// A missing file, a damaged one, one of another marker and one left from before the
    /// segment grew: each is passed over (the segment scanned), and the next writer to open
    /// the log writes it again.
    func testBadMarksAreScannedInsteadAndRebuiltByTheNextWriter() throws {
        let log = try makeLog()
        let sealed = try sealedSegments(log)
        let missing = log + "/" + sealed[0].marksFile, damaged = log + "/" + sealed[1].marksFile
        let foreign = log + "/" + sealed[2].marksFile, stale = log + "/" + sealed[3].marksFile
        try FileManager.default.removeItem(atPath: missing)
        var bytes = fileBytes(damaged)
        bytes[bytes.count - 6] ^= 0x01
        writeBytes(bytes, damaged)
        writeBytes(SegmentMarks(marker: "other", records: 1, relativeOffsets: []).bytes, foreign)
        // Marks of the segment's first record alone, as if written when it held one record.
        writeBytes(SegmentMarks(marker: RecordMarksTests.endsIn3.name, records: 1, relativeOffsets: []).bytes, stale)
        XCTAssertEqual(try marked(log).offsets, picked)
        // Verify names each bad file; a missing one is no problem (the segment is scanned).
        XCTAssertEqual(try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify().indexProblems.map(\.file),
                       [sealed[1].marksFile, sealed[2].marksFile, sealed[3].marksFile])

        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096, marker: RecordMarksTests.endsIn3))
        try writer.close()
        XCTAssertEqual(Set(writer.recovery.rebuiltIndexes), Set(sealed[0...3].map(\.marksFile)))
        for s in sealed {
            let records = UInt32(try LogDirectory(path: log).segments().first { $0 > s }!.baseOffset.rawValue - s.baseOffset.rawValue)
            XCTAssertNotNil(try SegmentMarks.load(path: log + "/" + s.marksFile, marker: RecordMarksTests.endsIn3.name, records: records), s.marksFile)
        }
        XCTAssertEqual(try marked(log).offsets, picked)
        XCTAssertTrue(try LogVerifier(directory: log, marker: RecordMarksTests.endsIn3).verify().isIntact)
    }

    /// A writer without a marker writes no marks; readers scan, and the walk is the same.
    func testALogWrittenWithoutAMarkerIsScanned() throws {
        let log = try makeLog(marker: nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: log)
        XCTAssertFalse(names.contains { $0.hasSuffix(".marks") }, "\(names)")
        XCTAssertEqual(try marked(log).offsets, picked)
    }

    /// Every byte of a marks file is checked, and its marker's name and segment length must be
    /// the asker's: a file that passes is trusted without a look at the segment.
    func testTheFileFormatIsCheckedWhole() throws {
        let marks = SegmentMarks(marker: "corrections", records: 100, relativeOffsets: [3, 40, 99])
        let bytes = marks.bytes
        XCTAssertEqual(bytes.count, 8 + 16 + 4 + 4 + 3 * 4 + 4)
        XCTAssertEqual(Array(bytes[0..<8]), Array("WMMARKS1".utf8))
        XCTAssertEqual(SegmentMarks.decode(bytes, marker: "corrections", records: 100), marks)
        XCTAssertNil(SegmentMarks.decode(bytes, marker: "correction", records: 100), "another marker's")
        XCTAssertNil(SegmentMarks.decode(bytes, marker: "corrections", records: 101), "another segment length's")
        XCTAssertNil(SegmentMarks.decode(Array(bytes.dropLast()), marker: "corrections", records: 100), "cut short")
        for i in 0..<bytes.count {
            var flipped = bytes
            flipped[i] ^= 0x10
            XCTAssertNil(SegmentMarks.decode(flipped, marker: "corrections", records: 100), "byte \(i) flipped")
        }
        XCTAssertNil(SegmentMarks.decode(SegmentMarks(marker: "corrections", records: 100, relativeOffsets: [40, 3]).bytes, marker: "corrections", records: 100),
                     "out of order")
        XCTAssertNil(SegmentMarks.decode(SegmentMarks(marker: "corrections", records: 100, relativeOffsets: [100]).bytes, marker: "corrections", records: 100),
                     "past the segment's end")
    }

    /// The batch may say which records are marked (asked on other cores): the writer keeps
    /// what it says, not what it would have asked its marker. Flags on records 7, 17, 27 ...
    /// where the marker would pick 3, 13, 23 ...: the sealed segments' marks and the walk over
    /// them give the flagged ones.
    func testTheBatchesFlagsAreWhatTheWriterKeeps() throws {
        let log = scratch().file("log")
        let writer = try LogWriter(directory: log, options: LogWriterOptions(segmentBytes: 4096, marker: RecordMarksTests.endsIn3))
        var batch = AppendBatch()
        for i in 0..<100 {
            let payload = "{\"n\":\(i),\"pad\":\"" + String(repeating: "p", count: 100) + "\"}"
            batch.add(key: Array("k-\(i)".utf8), payload: Array(payload.utf8), marked: i % 10 == 7)
        }
        _ = try writer.append(batch)
        try writer.close()
        let segments = try LogDirectory(path: log).segments()
        XCTAssertGreaterThan(segments.count, 3)
        let active = segments.last!.baseOffset.rawValue
        var listed: [UInt64] = []
        for (s, next) in zip(segments, segments.dropFirst()) {
            let marks = try XCTUnwrap(SegmentMarks.load(path: log + "/" + s.marksFile, marker: RecordMarksTests.endsIn3.name,
                                                        records: UInt32(next.baseOffset.rawValue - s.baseOffset.rawValue)))
            listed += marks.relativeOffsets.map { s.baseOffset.rawValue + UInt64($0) }
        }
        XCTAssertEqual(listed, Array(stride(from: 7, to: active, by: 10)))
        XCTAssertEqual(try marked(log, to: active).offsets, Array(stride(from: 7, to: active, by: 10)))
    }
}
