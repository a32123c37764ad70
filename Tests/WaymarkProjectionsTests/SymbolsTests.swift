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
}
