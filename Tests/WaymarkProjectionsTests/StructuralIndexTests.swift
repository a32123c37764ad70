import CWaymarkSystem
import Foundation
import XCTest
@testable import WaymarkProjections

/// The JSON structural index (`wm_json_structure`, both its AVX2 and its SSE2 paths) against
/// offsets written out by hand and against a byte loop written here; and the fact reader
/// through the index against the byte-by-byte reader, on real envelopes, pretty-printed ones
/// and every one-byte mutation of them.
final class StructuralIndexTests: XCTestCase {
    /// Both paths' offsets, or nil when they refuse the bytes (a backslash); fails if the two
    /// paths disagree.
    private func structure(_ text: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> [Int]? {
        var results: [[Int]?] = []
        for fast in [true, false] {
            var out = [UInt32](repeating: 0xDEAD_BEEF, count: (text.count + 63) / 64 * 64 + 64)
            let n = text.withUnsafeBytes { b in
                out.withUnsafeMutableBufferPointer { o in
                    fast ? wm_json_structure(b.baseAddress?.assumingMemoryBound(to: UInt8.self), b.count, o.baseAddress)
                        : wm_json_structure_baseline(b.baseAddress?.assumingMemoryBound(to: UInt8.self), b.count, o.baseAddress)
                }
            }
            results.append(n < 0 ? nil : out[0..<n].map(Int.init))
        }
        XCTAssertEqual(results[0], results[1], "AVX2 and SSE2 disagree", file: file, line: line)
        return results[0]
    }

    private func structure(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [Int]? {
        structure(Array(text.utf8), file: file, line: line)
    }

    func testOffsetsWrittenByHand() {
        // 0 {  1 "  3 "  5 "  10 "  12 "  14 "  16 [  19 {  20 "  22 "  28 }  29 ]  30 }:
        // the braces and comma inside "x{,}" and all colons and commas are left out.
        XCTAssertEqual(structure(#"{"a":"x{,}","b":[1,{"c":null}]}"#), [0, 1, 3, 5, 10, 12, 14, 16, 19, 20, 22, 28, 29, 30])
        XCTAssertEqual(structure(""), [])
        XCTAssertEqual(structure("1234, true : null"), [])
        // A string that runs across the 64-byte block: 100 brackets inside it count for nothing.
        XCTAssertEqual(structure(#"{"k":""# + String(repeating: "[", count: 100) + #""}"#), [0, 1, 3, 5, 106, 107])
        // A string opened at byte 63, closed at 64, then a bracket at 65 outside it.
        XCTAssertEqual(structure("[" + String(repeating: " ", count: 62) + #""""# + "]"), [0, 63, 64, 65])
        // A string still open at the end: its brackets are not structure either.
        XCTAssertEqual(structure(#"[ "{}[]"#), [0, 2])
        // Exactly 64 bytes, then 128: no tail block, and one.
        XCTAssertEqual(structure("{" + String(repeating: " ", count: 62) + "}"), [0, 63])
        XCTAssertEqual(structure("{" + String(repeating: " ", count: 126) + "}"), [0, 127])
    }

    func testBackslashesAreRefusedWherever() {
        for length in 1...200 {
            for at in Set([0, length / 2, length - 1]) {
                var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                text[at] = UInt8(ascii: "\\")
                XCTAssertNil(structure(text), "backslash at \(at) of \(length)")
            }
        }
    }

    /// Random bytes from JSON's structural alphabet, every length to 300: the index equals a
    /// plain loop that toggles "inside a string" at each quote.
    func testRandomTextAgreesWithAPlainLoop() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":, ax1"#.utf8)
        for length in 0...300 {
            for _ in 0..<4 {
                let text = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
                var expected: [Int] = [], inside = false
                for (k, c) in text.enumerated() {
                    if c == UInt8(ascii: "\"") { inside.toggle(); expected.append(k) }
                    else if !inside, [UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]")].contains(c) { expected.append(k) }
                }
                XCTAssertEqual(structure(text), expected, String(decoding: text, as: UTF8.self))
            }
        }
    }

    /// What a scan read, as values that compare.
    private struct Read: Equatable {
        var id: [UInt8], type: [UInt8], kind: UInt8, child: [UInt8]?, episode: [UInt8]?, supersedes: [UInt8]?
        var occurredAt: Int64, schemaVersion: Int, data: [String]
        init(_ f: EventFacts) {
            id = Array(f.id); type = Array(f.type); kind = f.kind.rawValue
            child = f.child.map(Array.init); episode = f.episode.map(Array.init); supersedes = f.supersedes.map(Array.init)
            occurredAt = f.occurredAt; schemaVersion = f.schemaVersion
            data = DataField.allCases.map { "\(f[$0].kind):" + String(decoding: f[$0].bytes, as: UTF8.self) }
        }
    }

    /// Scans `payload` both ways; when the indexed reading says it read the facts, the byte
    /// reader must agree and have read the same. Returns whether the indexed reading did.
    @discardableResult
    private func agree(_ payload: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let scratch = ScanScratch()
        var indexed = EventFacts(), bytes = EventFacts()
        return payload.withUnsafeBytes { p in
            let byIndex = EventFacts.scanIndexed(p, scratch: scratch, into: &indexed)
            let byBytes = EventFacts.scanBytes(p, scratch: scratch, into: &bytes)
            if byIndex {
                XCTAssertTrue(byBytes, "indexed read what the byte reader refuses: \(String(decoding: payload, as: UTF8.self))", file: file, line: line)
                XCTAssertEqual(Read(indexed), Read(bytes), String(decoding: payload, as: UTF8.self), file: file, line: line)
            }
            return byIndex
        }
    }

    private func scenarioEvents() throws -> [[UInt8]] {
        try String(contentsOfFile: P.scenario + "/events.ndjson", encoding: .utf8).split(separator: "\n").map { Array($0.utf8) }
    }

    func testEnvelopesReadTheSameThroughTheIndex() throws {
        let events = try scenarioEvents()
        XCTAssertGreaterThan(events.count, 20)
        for event in events {
            XCTAssertTrue(agree(event), "a plain envelope reads through the index")
            // Pretty-printed: whitespace between every token.
            let value = try JSONSerialization.jsonObject(with: Data(event))
            let pretty = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .withoutEscapingSlashes])
            XCTAssertTrue(agree(Array(pretty)), "a pretty-printed envelope reads through the index")
        }
        // A literal that runs over a quote (the byte reader takes `1"foundBy":"wrong"` as the
        // value of places): the index leaves it to the byte reader, which finds no foundBy.
        let swallowed = Array(#"{"id":"a","type":"ChildFound","occurredAt":"2023-03-01T21:15:00Z","data":{"places":1"foundBy":"wrong","la":"309"}}"#.utf8)
        XCTAssertFalse(agree(swallowed))
        let scratch = ScanScratch()
        var facts = EventFacts()
        XCTAssertTrue(swallowed.withUnsafeBytes { EventFacts.scan($0, scratch: scratch, into: &facts) })
        XCTAssertEqual(facts[.foundBy].kind, .absent)
        XCTAssertEqual(facts[.la].string.map { String(decoding: $0, as: UTF8.self) }, "309")
        // Escapes go to the byte reader.
        XCTAssertFalse(agree(Array(#"{"id":"a\"b","type":"ChildFound","occurredAt":"2023-03-01T21:15:00Z","data":{}}"#.utf8)))
    }

    /// Every one-byte change of real envelopes (to a structural byte, whitespace, a letter or a
    /// digit) and every truncation: wherever the index reads facts, they are the byte reader's.
    func testMutatedEnvelopesNeverReadDifferently() throws {
        let replacements = Array(#"{}[]":, x1"#.utf8) + [0x0A]
        var readByIndex = 0, tried = 0
        for event in try scenarioEvents().prefix(8) {
            for k in 0..<event.count {
                for r in replacements where r != event[k] {
                    var changed = event
                    changed[k] = r
                    if agree(changed) { readByIndex += 1 }
                    tried += 1
                }
                if agree(Array(event[0..<k])) { readByIndex += 1 }
                tried += 1
            }
        }
        // Changes inside string values leave valid envelopes, which the index reads.
        XCTAssertGreaterThan(readByIndex, tried / 10)
        XCTAssertLessThan(readByIndex, tried)
    }
}
