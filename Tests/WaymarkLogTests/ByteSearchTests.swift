import CWaymarkSystem
import XCTest

/// `wm_contains` (the correction marker's byte search) against a plain loop, written here,
/// at every place a needle can sit relative to the sixteen-byte blocks and the scalar tail.
final class ByteSearchTests: XCTestCase {
    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBytes { h in needle.withUnsafeBytes { n in
            wm_contains(h.baseAddress, h.count, n.baseAddress, n.count) != 0
        } }
    }

    private func naive(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return true
        }
        return false
    }

    func testNeedleAtEveryPlaceAndLengthIsFound() {
        for needle in ["supersedes", "EventRetracted", "\\u", "ab", "x"].map({ Array($0.utf8) }) {
            for length in needle.count...80 {
                for start in 0...(length - needle.count) {
                    var haystack = [UInt8](repeating: UInt8(ascii: "."), count: length)
                    haystack.replaceSubrange(start..<start + needle.count, with: needle)
                    XCTAssertTrue(contains(haystack, needle), "\(String(decoding: needle, as: UTF8.self)) at \(start) of \(length)")
                }
            }
        }
    }

    func testNearMissesAreNotFound() {
        // First and last bytes in place, one byte between them wrong: every SIMD candidate, no match.
        let needle = Array("supersedes".utf8)
        for length in 0...80 {
            for start in 0...max(length - needle.count, 0) where length >= needle.count {
                for wrong in 1..<(needle.count - 1) {
                    var haystack = [UInt8](repeating: UInt8(ascii: "s"), count: length)
                    var near = needle
                    near[wrong] = UInt8(ascii: "#")
                    haystack.replaceSubrange(start..<start + needle.count, with: near)
                    XCTAssertFalse(contains(haystack, needle), "near miss \(wrong) at \(start) of \(length)")
                }
            }
            // Cut off by the end of the haystack.
            if length >= 1 {
                var haystack = [UInt8](repeating: UInt8(ascii: "."), count: length)
                let keep = min(needle.count - 1, length)
                haystack.replaceSubrange((length - keep)..<length, with: needle.prefix(keep))
                XCTAssertFalse(contains(haystack, needle), "prefix cut at the end of \(length)")
            }
        }
        XCTAssertTrue(contains(Array("abc".utf8), []))
        XCTAssertFalse(contains([], Array("a".utf8)))
        XCTAssertFalse(contains(Array("sup".utf8), needle))
    }

    func testRandomBytesOfASmallAlphabetAgreeWithAPlainLoop() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abs".utf8)
        var found = 0
        for _ in 0..<20_000 {
            let haystack = (0..<Int.random(in: 0...70, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let needle = (0..<Int.random(in: 1...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let expected = naive(haystack, needle)
            if expected { found += 1 }
            XCTAssertEqual(contains(haystack, needle), expected, "\(String(decoding: needle, as: UTF8.self)) in \(String(decoding: haystack, as: UTF8.self))")
        }
        XCTAssertGreaterThan(found, 1000, "the draw should hold many matches as well as misses")
    }
}
