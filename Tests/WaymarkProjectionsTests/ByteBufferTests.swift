import XCTest
import WaymarkTime
@testable import WaymarkProjections

/// The render buffer every read-model file is written through: bytes kept across growth,
/// numbers and times as the tables print them, fields quoted exactly when CSV needs it.
final class ByteBufferTests: XCTestCase {
    func text(_ b: borrowing ByteBuffer) -> String { String(decoding: b.bytes, as: UTF8.self) }

    func testBytesSurviveGrowthPastTheFirstRoom() {
        var b = ByteBuffer(capacity: 8)
        var expected = ""
        for k in 0..<500 {
            b.append("ab")
            b.append(UInt8(ascii: "c"))
            b.appendInt(k)
            expected += "abc\(k)"
        }
        XCTAssertEqual(b.count, expected.utf8.count)
        XCTAssertEqual(text(b), expected)
        b.removeAll()
        b.append("x")
        XCTAssertEqual(text(b), "x")
    }

    func testIntegersAtTheirEdges() {
        var b = ByteBuffer()
        for n in [0, 9, 10, -1, -10, 99, 100, 1_000_000, Int.max, Int.min] { b.appendInt(n); b.append(" ") }
        b.appendInt(UInt64.max)
        XCTAssertEqual(text(b), "0 9 10 -1 -10 99 100 1000000 9223372036854775807 -9223372036854775808 18446744073709551615")
    }

    func testLittleEndianWords() {
        var b = ByteBuffer()
        b.appendLE(UInt32(0x0403_0201))
        b.appendLE(UInt16(0x0605))
        XCTAssertEqual(Array(b.bytes), [1, 2, 3, 4, 5, 6])
    }

    func testTimesWholeSecondsAndMilliseconds() {
        var b = ByteBuffer()
        b.appendTime(Timestamp(millisecondsSinceEpoch: 1_677_705_300_123), milliseconds: false)
        b.append(" ")
        b.appendTime(Timestamp(millisecondsSinceEpoch: 1_677_705_300_123), milliseconds: true)
        b.append(" ")
        b.appendTime(Timestamp(millisecondsSinceEpoch: -1), milliseconds: true)
        b.append(" ")
        // 10000-01-01T00:00:00Z: a year of five digits.
        b.appendTime(Timestamp(millisecondsSinceEpoch: 253_402_300_800_000), milliseconds: false)
        XCTAssertEqual(text(b), "2023-03-01T21:15:00Z 2023-03-01T21:15:00.123Z 1969-12-31T23:59:59.999Z 10000-01-01T00:00:00Z")
    }

    func testCSVFieldsQuotedOnlyForSeparatorsQuotesAndLineBreaks() {
        func field(_ s: String) -> String {
            var b = ByteBuffer()
            CSVCell.append(s, to: &b)
            return String(decoding: b.bytes, as: UTF8.self)
        }
        XCTAssertEqual(field("plain text! #1 (ok) 'x'"), "plain text! #1 (ok) 'x'")
        XCTAssertEqual(field("a,b"), "\"a,b\"")
        XCTAssertEqual(field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(field("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(field("cr\rhere"), "\"cr\rhere\"")
        XCTAssertEqual(field("tab\there"), "tab\there")
        XCTAssertEqual(field(""), "")
    }
}
