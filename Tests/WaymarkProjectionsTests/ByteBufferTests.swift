import XCTest
import WaymarkTime
import WaymarkTestSupport
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

    /// OWASP's CSV-injection rule in every field the read models write: a field a
    /// spreadsheet would run as a formula gets an apostrophe and quotes; numbers stay numbers.
    func testFieldsASpreadsheetWouldRunAsFormulasAreWrittenAsText() {
        let cases: [(String, String)] = [
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("+44 20 7946 0000", "\"'+44 20 7946 0000\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1:A2)", "\"'@SUM(A1:A2)\""),
            ("\tcmd", "\"'\tcmd\""),
            ("\rcmd", "\"'\rcmd\""),
            ("-3", "-3"), ("+1.5", "+1.5"), ("-0.25", "-0.25"), ("-", "\"'-\""), ("-1.", "\"'-1.\""),
            ("a=b", "a=b"), ("Oak House", "Oak House"), ("", ""),
        ]
        for (value, expected) in cases {
            var b = ByteBuffer()
            CSVCell.text(value).write(to: &b)
            XCTAssertEqual(text(b), expected, value)
        }
        var b = ByteBuffer()
        CSVCell.list(["=1", "b"]).write(to: &b)
        XCTAssertEqual(text(b), "\"'=1;b\"")
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

    /// A list of symbols is one field: joined by `;` in the order given, quoted whole when any
    /// item needs it, empty when the list is.
    func testSymbolListFieldQuotedWholeWhenAnyItemNeedsIt() throws {
        let dir = TemporaryDirectory("waymark-csv")
        defer { dir.remove() }
        var names = Symbols()
        let a = names.intern("alcohol"), b = names.intern("county lines"), c = names.intern("say \"no\", then go")
        let file = try ModelFile(directory: dir.path, name: "t.csv")
        var t = CSVTable(file, ["n", "list"])
        for list in [[a, b], [b, c, a], [], [c]] {
            t.cell(.int(list.count))
            t.cell(list, in: names)
            try t.endRow()
        }
        XCTAssertEqual(try t.finish(), 4)
        try file.close()
        XCTAssertEqual(try String(contentsOfFile: dir.file("t.csv"), encoding: .utf8),
                       "n,list\n2,alcohol;county lines\n3,\"county lines;say \"\"no\"\", then go;alcohol\"\n0,\n1,\"say \"\"no\"\", then go\"\n")
    }

    /// A character that needs quoting is found wherever it falls in the sixteen-byte steps of
    /// the search: every length to 40, each of the four at each place, and none at all.
    func testCSVQuotingFindsTheCharacterAtEveryPlace() {
        for length in 0...40 {
            let plain = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            var b = ByteBuffer(capacity: 8)
            CSVCell.append(plain, to: &b)
            XCTAssertEqual(text(b), plain)
            for k in 0..<length {
                for special in [",", "\"", "\n", "\r"] {
                    let field = String(plain.prefix(k)) + special + String(plain.dropFirst(k + 1))
                    var q = ByteBuffer(capacity: 8)
                    CSVCell.append(field, to: &q)
                    let doubled = special == "\"" ? "\"\"" : special
                    // A leading carriage return is one of OWASP's formula triggers: text it stays.
                    let apostrophe = k == 0 && special == "\r" ? "'" : ""
                    XCTAssertEqual(text(q), "\"" + apostrophe + String(plain.prefix(k)) + doubled + String(plain.dropFirst(k + 1)) + "\"", "\(special.debugDescription) at \(k) of \(length)")
                }
            }
        }
    }

    /// Whole-second times over ten thousand years print as RFC 3339 reads them back (the
    /// two-digit table against the parser's own arithmetic).
    func testTimesPrintAsTheyParseOverTenThousandYears() {
        var rng = SystemRandomNumberGenerator()
        // 0000-01-01 to 9999-12-31, in whole seconds.
        let first: Int64 = -62_167_219_200, last: Int64 = 253_402_300_799
        for _ in 0..<20_000 {
            let t = Timestamp(millisecondsSinceEpoch: Int64.random(in: first...last, using: &rng) * 1000)
            var b = ByteBuffer(capacity: 8)
            b.appendTime(t, milliseconds: false)
            XCTAssertEqual(RFC3339.parse(text(b)), t, text(b))
        }
    }
}
