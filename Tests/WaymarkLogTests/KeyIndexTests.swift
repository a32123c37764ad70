import XCTest
import WaymarkTestSupport
@testable import WaymarkLog

/// The id index a writer keeps in memory and writes at checkpoints: what the file holds
/// between checkpoints, and that each checkpoint (in place, or anew after growth) leaves a
/// file whose every covered entry is found.
final class KeyIndexTests: XCTestCase {
    private func offsets(_ table: KeyIndex, _ hash: UInt64) throws -> [UInt64] {
        var found: [UInt64] = []
        _ = try table.anyCandidate(hash: hash) { (o) throws(LogError) -> Bool in found.append(o.rawValue); return false }
        return found
    }

    func testTheFileChangesOnlyAtCheckpointsInPlaceOrAnewAfterGrowth() throws {
        let path = scratch().file("ids.index")
        let table = try KeyIndex(path: path)
        XCTAssertTrue(table.rebuilt)
        XCTAssertEqual(table.capacity, 4096)
        // Hashes 1...1000 (never 0, which marks an empty slot) at offsets 10x.
        for h in 1...1000 { try table.insert(hash: UInt64(h), offset: Offset(UInt64(h) * 10)) }
        // Not checkpointed: the file still says it covers nothing and holds no entry.
        var reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.coveredUpTo, .zero)
        XCTAssertEqual(try offsets(reader, 500), [])
        // In place (same capacity): every entry, and the new coverage.
        try table.checkpoint(coveredUpTo: Offset(1001))
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.coveredUpTo, Offset(1001))
        XCTAssertEqual(reader.count, 1000)
        for h in [1, 2, 500, 999, 1000] { XCTAssertEqual(try offsets(reader, UInt64(h)), [UInt64(h) * 10], "hash \(h)") }
        // A few more in place: only their chunks change, and all are found after.
        for h in [5000, 70_000, 4_000_000_000] { try table.insert(hash: UInt64(h), offset: Offset(7)) }
        try table.checkpoint(coveredUpTo: Offset(1004))
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.count, 1003)
        for h in [5000, 70_000, 4_000_000_000] { XCTAssertEqual(try offsets(reader, UInt64(h)), [7], "hash \(h)") }
        XCTAssertEqual(try offsets(reader, 1000), [10_000])
        // Growth past half full happens in memory; the file keeps the last checkpoint's table
        // (its capacity, coverage and entries) until the next checkpoint writes a new file.
        for h in 2001...4000 { try table.insert(hash: UInt64(h), offset: Offset(UInt64(h))) }
        XCTAssertEqual(table.capacity, 8192)
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.capacity, 4096)
        XCTAssertEqual(reader.coveredUpTo, Offset(1004))
        XCTAssertEqual(try offsets(reader, 3000), [])
        try table.checkpoint(coveredUpTo: Offset(3004))
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.capacity, 8192)
        XCTAssertEqual(reader.count, 3003)
        for h in [1, 1000, 2001, 3000, 4000, 70_000] { XCTAssertEqual(try offsets(reader, UInt64(h)).count, 1, "hash \(h)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".grow"))
        // Reopened for writing, it holds the same entries; a reset is written whole.
        let again = try KeyIndex(path: path)
        XCTAssertFalse(again.rebuilt)
        XCTAssertEqual(again.count, 3003)
        XCTAssertEqual(try offsets(again, 2500), [2500])
        try again.reset()
        try again.insert(hash: 42, offset: Offset(1))
        try again.checkpoint(coveredUpTo: Offset(2))
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.count, 1)
        // (70,000 lies in the second 64 KiB chunk of slots, which the reset alone changed.)
        XCTAssertEqual(try offsets(reader, 2500), [])
        XCTAssertEqual(try offsets(reader, 70_000), [])
        XCTAssertEqual(try offsets(reader, 42), [1])
    }
}
