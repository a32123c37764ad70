import XCTest
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
}
