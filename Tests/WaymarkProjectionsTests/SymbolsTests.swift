import XCTest
import WaymarkLog
@testable import WaymarkProjections

/// Interning through the caller's most recent symbol gives exactly what plain interning gives:
/// the same symbol for the same bytes, a new one for any other (a prefix, an extension, one
/// byte changed), and the recent symbol follows what was interned last.
final class SymbolsTests: XCTestCase {
    func testInterningThroughTheRecentSymbolMatchesPlainInterning() {
        var cached = Symbols(), plain = Symbols()
        var recent = Symbol.none
        let texts = ["police:GMP:P1", "police:GMP:P1", "police:GMP:P12", "police:GMP:P1", "police:GMP:P", "police:GMP:P2",
                     "police:GMP:P2", "police:GMP:P3", "", "", "la:202:C1", "la:202:C2", "police:GMP:P1", "la:202:C1"]
        for text in texts {
            let bytes = Array(text.utf8)
            let got = bytes.withUnsafeBytes { cached.intern($0, recent: &recent) }
            let expected = bytes.withUnsafeBytes { plain.intern($0) }
            XCTAssertEqual(got, expected, text)
            XCTAssertEqual(recent, got, text)
            XCTAssertEqual(cached.text(got), text)
        }
        XCTAssertEqual(cached.count, 8)
    }

    /// Values through the vocabulary cache get exactly plain interning's symbols: thousands of
    /// values of every length to 40 (so slots are shared and overwritten), repeated in random
    /// order, and values that share length and first and last eight bytes (so the same slot)
    /// but differ in one byte between.
    func testValuesThroughTheVocabularyCacheMatchPlainInterning() {
        var rng = SystemRandomNumberGenerator()
        var values = (0..<3000).map { _ in String((0..<Int.random(in: 0...40, using: &rng)).map { _ in "abcXYZ:019".randomElement(using: &rng)! }) }
        for k in 0..<30 { values.append("police:GMP:" + String(repeating: "m", count: k) + "X" + String(repeating: "m", count: 8) + ":end") }
        for k in 0..<30 { values.append("police:GMP:" + String(repeating: "m", count: k) + "Y" + String(repeating: "m", count: 8) + ":end") }
        let sameSlot = ["la:000000001:x:00000002", "la:000000001:y:00000002"]
        XCTAssertEqual(Array(sameSlot[0].utf8).withUnsafeBytes(Symbols.vocabularySlot), Array(sameSlot[1].utf8).withUnsafeBytes(Symbols.vocabularySlot))
        values += sameSlot
        var cached = Symbols(), plain = Symbols()
        for _ in 0..<4 {
            for text in values.shuffled(using: &rng) {
                let bytes = Array(text.utf8)
                let got = bytes.withUnsafeBytes { cached.internValue($0) }
                let expected = bytes.withUnsafeBytes { plain.intern($0) }
                XCTAssertEqual(got, expected, text)
                XCTAssertEqual(cached.text(got), text)
            }
        }
        XCTAssertEqual(cached.count, Set(values).count)
    }

    /// Readying the next event hashes only the references the current event does not share
    /// (those the recent symbol will find), with the table's own hash, and interning with
    /// that hash gives plain interning's symbol.
    func testPreparingTheNextEventHashesOnlyNewReferences() {
        // The facts point into their JSON: kept here until the test ends.
        var kept: [UnsafeMutableRawBufferPointer] = []
        defer { kept.forEach { $0.deallocate() } }
        func facts(_ child: String, _ episode: String) -> EventFacts {
            var f = EventFacts()
            let json = Array((#"{"id":"x","type":"ChildFound","occurredAt":"2023-03-01T21:15:00Z","child":""# + child + #"","episode":""# + episode + #"","data":{}}"#).utf8)
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: json.count, alignment: 8)
            bytes.copyBytes(from: json)
            kept.append(bytes)
            XCTAssertTrue(EventFacts.scan(UnsafeRawBufferPointer(bytes), scratch: ScanScratch(), into: &f))
            return f
        }
        func hash(_ s: String) -> UInt64 { Array(s.utf8).withUnsafeBytes { KeyIndex.hash($0) } }
        var state = ProjectionState()
        let current = facts("police:GMP:P1", "police:GMP:I1")
        var next = facts("police:GMP:P1", "police:GMP:I2")
        state.prepare(&next, afterChild: current.child, episode: current.episode)
        XCTAssertEqual(next.childHash, 0, "the same child as the current event's: no hash")
        XCTAssertEqual(next.episodeHash, hash("police:GMP:I2"))
        var other = facts("police:GMP:P2", "police:GMP:I1")
        state.prepare(&other, afterChild: current.child, episode: current.episode)
        XCTAssertEqual(other.childHash, hash("police:GMP:P2"))
        XCTAssertEqual(other.episodeHash, 0)
        var table = Symbols(), plain = Symbols()
        for text in ["police:GMP:P2", "police:GMP:I2", "police:GMP:P2"] {
            let got = Array(text.utf8).withUnsafeBytes { table.intern($0, hash: hash(text)) }
            XCTAssertEqual(got, Array(text.utf8).withUnsafeBytes { plain.intern($0) }, text)
        }
    }
}
