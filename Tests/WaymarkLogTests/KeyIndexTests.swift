import XCTest
import WaymarkTestSupport
@testable import WaymarkLog

/// The id index a writer changes in the mapped file until it grows, then keeps in memory and
/// writes at checkpoints: what the file holds between checkpoints, and that each checkpoint
/// (synced in place, anew after growth, or the changed pages) leaves a file whose every
/// covered entry is found.
final class KeyIndexTests: XCTestCase {
    private func offsets(_ table: KeyIndex, _ hash: UInt64) throws -> [UInt64] {
        var found: [UInt64] = []
        _ = try table.anyCandidate(hash: hash) { (o) throws(LogError) -> Bool in found.append(o.rawValue); return false }
        return found
    }

    func testCheckpointsInPlaceAnewAfterGrowthAndOfChangedPages() throws {
        let path = scratch().file("ids.index")
        let table = try KeyIndex(path: path)
        XCTAssertTrue(table.rebuilt)
        XCTAssertEqual(table.capacity, 4096)
        // Hashes 1...1000 (never 0, which marks an empty slot) at offsets 10x.
        for h in 1...1000 { try table.insert(hash: UInt64(h), offset: Offset(UInt64(h) * 10)) }
        // Not checkpointed: the file does not say it covers them yet.
        var reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.coveredUpTo, .zero)
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
        // Growth past half full (at the 2,048th entry: hash 3046) happens in memory; the file
        // keeps its capacity and coverage, without the entries since, until the next
        // checkpoint writes a new file.
        for h in 2001...4000 { try table.insert(hash: UInt64(h), offset: Offset(UInt64(h))) }
        XCTAssertEqual(table.capacity, 8192)
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.capacity, 4096)
        XCTAssertEqual(reader.coveredUpTo, Offset(1004))
        XCTAssertEqual(try offsets(reader, 3500), [])
        XCTAssertEqual(try offsets(reader, 4000), [])
        try table.checkpoint(coveredUpTo: Offset(3004))
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.capacity, 8192)
        XCTAssertEqual(reader.count, 3003)
        for h in [1, 1000, 2001, 3000, 4000, 70_000] { XCTAssertEqual(try offsets(reader, UInt64(h)).count, 1, "hash \(h)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".grow"))
        // Grown, the table stays in memory: the next checkpoint writes the pages that changed
        // (hashes whose slots lie in three different pages), then the header.
        for h in [5, 4100, 8190] { try table.insert(hash: UInt64(h) + 16_384, offset: Offset(9)) }
        XCTAssertEqual(try offsets(try XCTUnwrap(try KeyIndex(readOnlyPath: path)), 4100 + 16_384), [], "not before the checkpoint")
        try table.checkpoint(coveredUpTo: Offset(3007))
        reader = try XCTUnwrap(try KeyIndex(readOnlyPath: path))
        XCTAssertEqual(reader.coveredUpTo, Offset(3007))
        XCTAssertEqual(reader.count, 3006)
        for h in [5, 4100, 8190] { XCTAssertEqual(try offsets(reader, UInt64(h) + 16_384), [9], "hash \(h) + 16384") }
        // Reopened for writing, it holds the same entries; a reset is written whole.
        let again = try KeyIndex(path: path)
        XCTAssertFalse(again.rebuilt)
        XCTAssertEqual(again.count, 3006)
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

    /// The hash is part of the on-disk format (`ids.index`, `timeline.idx`): every length of
    /// tail, 0-7 bytes after the whole words, against values worked out apart from this code
    /// (a Python rendering of the definition: words and tail little-endian, then the mixes).
    func testHashValuesAreTheFormatsForEveryTailLength() {
        let key = Array("police:MPS:2023-000123:episode/x".utf8)
        let expected: [(Int, UInt64)] = [
            (0, 0x9651_6786_c894_801d), (1, 0x2387_b6cf_80d1_d332), (7, 0x5ccb_f6d5_29c4_75b0), (8, 0x409d_8a02_9708_ec9d),
            (9, 0xe20a_3716_dba3_5e19), (15, 0xd4ae_125c_fa9b_57ca), (16, 0x0759_15ac_f985_0a0f), (17, 0x7fcd_7b7e_b341_327f),
            (22, 0xdb57_b1b2_e5fb_ec66), (31, 0x8115_2868_8d92_fea1), (32, 0x40cd_e9e0_8755_a6fe),
        ]
        for (n, value) in expected {
            XCTAssertEqual(key.withUnsafeBytes { KeyIndex.hash(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }, value, "length \(n)")
        }
        // A key that ends where its buffer does not: the tail is the key's, not what follows.
        let longer = Array("police:MPS:2023-0001ZZZZZZZZ".utf8)
        XCTAssertEqual(longer.withUnsafeBytes { KeyIndex.hash(UnsafeRawBufferPointer(rebasing: $0[0..<17])) },
                       key.withUnsafeBytes { KeyIndex.hash(UnsafeRawBufferPointer(rebasing: $0[0..<17])) })
    }
}
