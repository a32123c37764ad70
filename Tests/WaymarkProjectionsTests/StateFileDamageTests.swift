import XCTest
import WaymarkLog
import WaymarkTestSupport
@testable import WaymarkProjections

/// A state file whose checksum is right but whose numbers are not (written by something else,
/// or damaged before it was summed) is refused as damage, never trusted into a crash.
final class StateFileDamageTests: XCTestCase {
    /// The entry in the file: child symbol 0 (varint 1), time delta 0, then the offset delta
    /// 2^46 - 1 as a zigzag LEB128 varint (2^47 - 2), written out by hand.
    private let entry: [UInt8] = [0x01, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F]

    /// The bytes of a state holding one timeline entry at the largest offset an entry holds.
    private func stateBytes() throws -> [UInt8] {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var s = ProjectionState()
        _ = s.symbols.intern("la:1:C1")
        s.entries = [TimelineEntry(child: Symbol(raw: 0), occurredAt: 0, offset: TimelineEntry.offsetLimit - 1)]
        let file = try ModelFile(directory: dir.path, name: "state")
        try StateFile.encode(s, into: file)
        try file.close()
        return Array(try XCTUnwrap(FileManager.default.contents(atPath: dir.path + "/state")))
    }

    /// The file with `old` (found exactly once) replaced by `new` and its checksum made right
    /// again.
    private func patched(_ bytes: [UInt8], _ old: [UInt8], _ new: [UInt8]) throws -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let hits = (0...(body.count - old.count)).filter { Array(body[$0..<($0 + old.count)]) == old }
        XCTAssertEqual(hits.count, 1, "the entry's bytes are found once")
        let at = try XCTUnwrap(hits.first)
        body.replaceSubrange(at..<(at + old.count), with: new)
        let crc = CRC32C.checksum(body)
        return body + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
    }

    func testAnEntryOffsetPastWhatAnEntryHoldsIsDamage() throws {
        let bytes = try stateBytes()
        let decoded = try StateFile.decode(try patched(bytes, entry, entry))
        XCTAssertEqual(decoded.entries.first?.offset, TimelineEntry.offsetLimit - 1, "unchanged, the largest offset is kept")
        // 2^46 (zigzag 2^47): one past the largest.
        let beyond: [UInt8] = [0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]
        XCTAssertThrowsError(try StateFile.decode(try patched(bytes, entry, beyond))) { error in
            XCTAssertTrue("\(error)".contains("damaged"), "\(error)")
        }
    }

    func testAnEntryTimePastWhatAnEntryHoldsIsDamage() throws {
        let bytes = try stateBytes()
        // Time delta 2^49 (zigzag 2^50: eight varint bytes) where 0 was (one byte): the file
        // grows by seven bytes, and the offset after it stays as it was.
        let late: [UInt8] = [0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F]
        let damaged = try patched(bytes, entry, late)
        XCTAssertThrowsError(try StateFile.decode(damaged)) { error in
            XCTAssertTrue("\(error)".contains("damaged"), "\(error)")
        }
    }
}
