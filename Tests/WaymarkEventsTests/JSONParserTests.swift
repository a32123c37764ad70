import XCTest
import WaymarkEvents

final class JSONParserTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d\u00e9\n\"\ud83d\ude00"}} "#)
        XCTAssertEqual(v["a"], .array([.number(JSONNumber(text: "1", value: 1)), .number(JSONNumber(text: "-2.5e3", value: -2500)),
                                       .bool(true), .bool(false), .null]))
        XCTAssertEqual(v["b"]?["c"], .string("dé\n\"😀"))
        XCTAssertEqual(v.objectValue?.keys, ["a", "b"])
    }

    func testRejectsMalformedTextWithPosition() {
        let cases: [(String, String)] = [
            (#"{"a":1,}"#, "member name"),
            (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
            (#"[1,2"#, "end of text"),
            (#"{"a":01}"#, "leading zeros"),
            (#"{"a":"x"#, "unterminated"),
            ("{\"a\":\"\u{01}\"}", "control character"),
            (#"{"a":"\ud800"}"#, "lone surrogate"),
            (#"{"a":"\q"}"#, "unknown escape"),
            (#"{"a":1}{"#, "after the end"),
            (#"{"a":1,"a":2}"#, "duplicate member \"a\""),
            (#"nul"#, "expected 'null'"),
            (#"{"a":1.}"#, "digit after '.'"),
            (#"{"a":1e}"#, "exponent"),
            (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nested deeper"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
        XCTAssertThrowsError(try JSONParser.parse(#"{"a":1,"a":2}"#)) { error in
            XCTAssertEqual((error as? JSONSyntaxError)?.position, 7)
        }
    }

    /// Past a few members, names are kept in a hash set: an object of many members is
    /// checked for a repeated name in one pass (100,000 names used to take 18 s), and a
    /// repeat anywhere in it is still found.
    func testAnObjectOfManyMembersIsCheckedForRepeatsWherever() throws {
        let names = (0..<50_000).map { "k\($0)" }
        func object(_ keys: [String]) -> String { "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}" }
        let parsed = try JSONParser.parse(object(names))
        XCTAssertEqual(parsed.objectValue?.members.count, 50_000)
        for (first, second) in [(0, 49_999), (3, 17), (16, 17), (20_000, 40_000), (1, 2)] {
            var keys = names
            keys[second] = keys[first]
            XCTAssertThrowsError(try JSONParser.parse(object(keys)), "\(first)/\(second)") { error in
                XCTAssertTrue("\(error)".contains("duplicate member \"k\(first)\""), "\(error)")
            }
        }
    }

    func testRejectsInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try JSONParser.parse($0) })
    }

    func testReportsTopLevelMemberRanges() throws {
        let text = #"{"id":"x", "offset":3,"data":{"offset":1}}"#
        let bytes = Array(text.utf8)
        let members = try bytes.withUnsafeBytes { try JSONParser.parseWithMembers($0).members }
        XCTAssertEqual(members.map(\.key), ["id", "offset", "data"])
        XCTAssertEqual(members.map { String(decoding: bytes[$0.range], as: UTF8.self) },
                       [#""id":"x""#, #""offset":3"#, #""data":{"offset":1}"#])
    }

    func testQuotesStringsForOutput() {
        XCTAssertEqual(JSONText.quote("a\"b\\c\n\u{01}é"), #""a\"b\\c\n\u0001é""#)
        XCTAssertEqual(JSONText.object(["n": .int(3), "s": .string(nil), "b": .bool(true)]), #"{"n":3,"s":null,"b":true}"#)
    }

    func testWritesIntegersInDecimal() {
        func text<I: BinaryInteger>(_ n: I) -> String {
            var out = Array("x".utf8)
            JSONText.appendInt(n, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        XCTAssertEqual(text(0), "x0")
        XCTAssertEqual(text(7), "x7")
        XCTAssertEqual(text(1_234_567), "x1234567")
        XCTAssertEqual(text(-40), "x-40")
        XCTAssertEqual(text(Int64.min), "x-9223372036854775808")
        XCTAssertEqual(text(UInt64.max), "x18446744073709551615")
        XCTAssertEqual(text(UInt8(200)), "x200")
    }
}
