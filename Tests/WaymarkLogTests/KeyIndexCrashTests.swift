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
}
