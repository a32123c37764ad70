import XCTest
import WaymarkIngest
import WaymarkStore
import WaymarkEvents

final class CSVFileTests: XCTestCase {
    func csv(_ text: String) -> CSVFile { CSVFile(bytes: Array(text.utf8)) }

    func testQuotedFieldsWithCommasQuotesAndLineBreaks() {
        let f = csv("A,B,C\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n")
        XCTAssertEqual(f.header, ["A", "B", "C"])
        XCTAssertEqual(f.rows.map(\.fields), [["1", "x, y", "say \"hi\""], ["2", "two\nlines", "z"]])
        XCTAssertEqual(f.rows.map(\.line), [2, 3])
        XCTAssertTrue(f.problems.isEmpty)
    }

    /// A header row with an unbalanced quote used to swallow the file into one header field
    /// silently (found by `make fuzz`); the problem is now the header's, and a feed reader
    /// rejects the file whole.
    func testAHeaderRowThatIsNotCSVIsAProblemOfTheHeader() throws {
        let f = csv("A,\"B x\r\n1,2\r\n")
        XCTAssertEqual(f.headerProblem, "unbalanced quote: field 2 opens a quote that never closes")
        XCTAssertNil(csv("A,B\n1,2\n").headerProblem)
        XCTAssertNotNil(csv("A,B\"C\n1,2\n").headerProblem)
        let schema = try FeedTableSchema(document: try JSONParser.parse(#"{"type":"object","properties":{"A":{"type":"string"}},"required":["A"]}"#), fileName: "t.schema.json")
        var q = Quarantine(adapter: "police")
        XCTAssertNil(schema.read(path: "t.csv", displayName: "t.csv", csv: f, into: &q))
        XCTAssertEqual(q.rows.count, 1)
        XCTAssertTrue(q.rows[0].message.contains("malformed CSV header row"), q.rows[0].message)
    }

    func testByteOrderMarkCRLFAndBlankLinesAreAccepted() {
        let f = CSVFile(bytes: [0xEF, 0xBB, 0xBF] + Array("A,B\r\n1,2\r\n\r\n3,4".utf8))
        XCTAssertEqual(f.header, ["A", "B"])
        XCTAssertEqual(f.rows.map(\.fields), [["1", "2"], ["3", "4"]])
        XCTAssertEqual(f.rows.map(\.line), [2, 4])
        XCTAssertEqual(f.rows.first?.raw, "1,2")
    }

    func testWrongColumnCountAndStrayQuotesAreProblemsAndTheRestIsRead() {
        let f = csv("A,B,C\n1,2\n3,4,5,6\n7,8\"9,10\n11,\"12\"x,13\n14,15,16\n")
        XCTAssertEqual(f.rows.map(\.fields), [["14", "15", "16"]])
        XCTAssertEqual(f.problems.map(\.line), [2, 3, 4, 5])
        XCTAssertEqual(f.problems[0].reason, "2 fields where the header has 3")
        XCTAssertTrue(f.problems[2].reason.contains("quote inside an unquoted field"))
        XCTAssertTrue(f.problems[3].reason.contains("text after a closing quote"))
    }

    func testAnUnclosedQuoteCostsOneRowNotTheRestOfTheFile() {
        let f = csv("A,B\n1,\"open\n2,3\n4,5\n")
        XCTAssertEqual(f.problems.map(\.line), [2])
        XCTAssertTrue(f.problems[0].reason.hasPrefix("unbalanced quote"))
        XCTAssertEqual(f.problems[0].raw, "1,\"open")
        XCTAssertEqual(f.rows.map(\.fields), [["2", "3"], ["4", "5"]])
        XCTAssertEqual(f.rows.map(\.line), [3, 4])
    }
}
