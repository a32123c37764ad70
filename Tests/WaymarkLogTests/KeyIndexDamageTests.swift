import XCTest
import WaymarkTestSupport
@testable import WaymarkLog

/// Damage to the id index (it is derivable) must never change what is appended: a slot that
/// fails its check is found on the way of a lookup, and the writer rebuilds the table.
final class KeyIndexDamageTests: XCTestCase {
    func testEverySingleBitFlipOfASlotFailsItsCheck() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let hash = UInt64.random(in: 1...UInt64.max, using: &rng)
            let offset = UInt64.random(in: 0...KeyIndex.offsetMask, using: &rng)
            let word = KeyIndex.slotWord(hash: hash, offset: offset)
            XCTAssertTrue(KeyIndex.slotHolds(hash: hash, word: word))
            for bit in 0..<64 {
                XCTAssertFalse(KeyIndex.slotHolds(hash: hash ^ (1 << UInt64(bit)), word: word) && hash ^ (1 << UInt64(bit)) != 0,
                               "hash bit \(bit) of \(hash)")
                XCTAssertFalse(KeyIndex.slotHolds(hash: hash, word: word ^ (1 << UInt64(bit))), "word bit \(bit)")
            }
        }
        // An empty slot is all zeros: one bit set anywhere in its second word is damage.
        for bit in 0..<64 { XCTAssertFalse(KeyIndex.slotHolds(hash: 0, word: 1 << UInt64(bit))) }
    }

    func testAFlippedBitInTheIdIndexNeverLetsADuplicateIn() throws {
        let dir = scratch()
        let template = dir.file("template")
        do {
            let w = try LogWriter(directory: template)
            _ = try w.append(makeBatch(1500))
            try w.close()
        }
        let table = fileBytes(template + "/ids.index")
        // Filled slots, each flipped in one bit of its hash or offset word, one per copy.
        var filled: [Int] = []
        for slot in 0..<((table.count - KeyIndex.headerSize) / KeyIndex.slotSize) {
            let at = KeyIndex.headerSize + slot * KeyIndex.slotSize
            if table[at..<(at + 8)].contains(where: { $0 != 0 }) { filled.append(at) }
        }
        XCTAssertEqual(filled.count, 1500)
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<24 {
            let log = dir.file("log\(trial)")
            try FileManager.default.copyItem(atPath: template, toPath: log)
            var damaged = table
            let at = filled.randomElement(using: &rng)! + Int.random(in: 0..<16, using: &rng)
            damaged[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            writeBytes(damaged, log + "/ids.index")
            let w = try LogWriter(directory: log)
            let outcome = try w.append(makeBatch(1500))
            XCTAssertEqual(outcome.offsets.compactMap { $0 }.count, 0, "trial \(trial): byte \(at) flipped, and records were appended twice")
            XCTAssertEqual(w.nextOffset, Offset(1500))
            try w.close()
            let report = try LogVerifier(directory: log).verify()
            XCTAssertNil(report.damage, "trial \(trial)")
        }
    }

    func testVerifyReportsADamagedSlotAndRecoverRebuildsIt() throws {
        let dir = scratch()
        let log = dir.file("log")
        do { let w = try LogWriter(directory: log); _ = try w.append(makeBatch(300)); try w.close() }
        var table = fileBytes(log + "/ids.index")
        let at = (KeyIndex.headerSize..<table.count).first(where: { table[$0] != 0 })!
        table[at] ^= 0x10
        writeBytes(table, log + "/ids.index")
        let report = try LogVerifier(directory: log).verify()
        XCTAssertTrue(report.indexProblems.contains { $0.file == "ids.index" && $0.reason.contains("fail their checks") }, "\(report.indexProblems)")
        let w = try LogWriter(directory: log, options: LogWriterOptions(rebuildIndexes: true))
        try w.close()
        XCTAssertTrue(try LogVerifier(directory: log).verify().isIntact)
    }
}
