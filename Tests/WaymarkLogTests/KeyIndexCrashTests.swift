import XCTest
import WaymarkTestSupport
@testable import WaymarkLog

/// A writer killed after filing ids in the mapped table but before writing its header leaves
/// entries past what the header covers. Indexed again on the next open, they must not stay
/// beside their new copies: uncounted, they filled the table until no free slot was left and
/// the writer's open looped for ever (seen once in a CI run's SIGKILL test).
final class KeyIndexCrashTests: XCTestCase {
    private func hash(_ n: Int) -> UInt64 { UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1 }

    private func found(_ k: KeyIndex, _ n: Int) throws -> [UInt64] {
        var offsets: [UInt64] = []
        _ = try k.anyCandidate(hash: hash(n)) { offset in offsets.append(offset.rawValue); return false }
        return offsets
    }

    func testEntriesPastTheHeaderAreDroppedBeforeIndexingAgain() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("ids.index")
        do {
            let k = try KeyIndex(path: path)
            for n in 0..<100 { try k.insert(hash: hash(n), offset: Offset(UInt64(n))) }
            try k.checkpoint(coveredUpTo: Offset(100))
            // Filed in the mapped file, never checkpointed: the state a SIGKILL leaves.
            for n in 100..<1100 { try k.insert(hash: hash(n), offset: Offset(UInt64(n))) }
        }
        let k = try KeyIndex(path: path)
        XCTAssertEqual(k.count, 100)
        XCTAssertEqual(k.coveredUpTo, Offset(100))
        XCTAssertEqual(try found(k, 500), [500], "the uncounted entry is still in the slots before the drop")
        k.dropEntries(from: k.coveredUpTo)
        XCTAssertEqual(k.count, 100)
        XCTAssertEqual(try found(k, 500), [], "entries past the header are gone")
        XCTAssertEqual(try found(k, 99), [99], "entries the header covers are kept")
        for n in 100..<1100 { try k.insert(hash: hash(n), offset: Offset(UInt64(n))) }
        XCTAssertEqual(try found(k, 500), [500], "indexed again once, not twice")
        try k.checkpoint(coveredUpTo: Offset(1100))
        let reopened = try KeyIndex(path: path)
        XCTAssertEqual(reopened.count, 1100)
        XCTAssertEqual(try found(reopened, 1099), [1099])
    }

    /// The same state through the writer: a log of 100 records whose id index's header is
    /// rewritten as a checkpoint at offset 50 would have left it, over slots holding all 100.
    /// Reopening indexes records 50-99 again, and each id must then be filed once.
    func testAWriterReopenedOverEntriesPastTheHeaderFilesEachIdOnce() throws {
        let dir = scratch()
        let log = dir.file("log")
        do {
            let writer = try LogWriter(directory: log)
            _ = try writer.append(makeBatch(100))
            try writer.close()
        }
        let path = try LogDirectory(path: log).keyIndexFile
        var bytes = fileBytes(path)
        func putLE(_ v: UInt64, at: Int) { for k in 0..<8 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) } }
        putLE(50, at: 16)   // count
        putLE(50, at: 24)   // coveredUpTo
        let crc = CRC32C.checksum(Array(bytes[0..<32]))
        for k in 0..<4 { bytes[32 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        writeBytes(bytes, path)
        do {
            let writer = try LogWriter(directory: log)
            try writer.close()
        }
        let k = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(k.count, 100)
        var offsets: [UInt64] = []
        _ = try k.anyCandidate(hash: Array("k-75".utf8).withUnsafeBytes { KeyIndex.hash($0) }) { offset in
            offsets.append(offset.rawValue)
            return false
        }
        XCTAssertEqual(offsets, [75], "filed once, not beside the entry the header did not cover")
    }
}
