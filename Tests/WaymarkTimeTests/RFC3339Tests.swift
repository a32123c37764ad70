import XCTest
@testable import WaymarkTime

final class RFC3339Tests: XCTestCase {
    func testParsesUTCAndOffsetsToTheSameInstant() {
        // 2023-03-01T21:15:00Z is 1677705300 seconds after the epoch (computed by hand with `date -d`).
        XCTAssertEqual(RFC3339.parse("2023-03-01T21:15:00Z")?.millisecondsSinceEpoch, 1_677_705_300_000)
        XCTAssertEqual(RFC3339.parse("2023-03-01T22:15:00+01:00")?.millisecondsSinceEpoch, 1_677_705_300_000)
        XCTAssertEqual(RFC3339.parse("2023-03-01T16:45:00-04:30")?.millisecondsSinceEpoch, 1_677_705_300_000)
        XCTAssertEqual(RFC3339.parse("2023-03-01t21:15:00z")?.millisecondsSinceEpoch, 1_677_705_300_000)
    }

    func testFractionsAreKeptToTheMillisecondAndTruncated() {
        XCTAssertEqual(RFC3339.parse("1970-01-01T00:00:00.5Z")?.millisecondsSinceEpoch, 500)
        XCTAssertEqual(RFC3339.parse("1970-01-01T00:00:00.123456Z")?.millisecondsSinceEpoch, 123)
        XCTAssertEqual(RFC3339.parse("1970-01-01T00:00:01.999999Z")?.millisecondsSinceEpoch, 1999)
    }

    func testLeapYearsAndLeapSeconds() {
        XCTAssertNotNil(RFC3339.parse("2024-02-29T00:00:00Z"))
        XCTAssertNil(RFC3339.parse("2023-02-29T00:00:00Z"))
        XCTAssertNil(RFC3339.parse("1900-02-29T00:00:00Z"))
        XCTAssertNotNil(RFC3339.parse("2000-02-29T00:00:00Z"))
        XCTAssertEqual(RFC3339.parse("2016-12-31T23:59:60Z")?.millisecondsSinceEpoch, 1_483_228_799_999)
    }

    func testRejectsWhatIsNotADateTime() {
        for bad in ["", "2023-03-01", "2023-03-01T21:15:00", "2023-03-01 21:15:00Z", "2023-13-01T00:00:00Z",
                    "2023-04-31T00:00:00Z", "2023-03-01T24:00:00Z", "2023-03-01T21:60:00Z", "2023-03-01T21:15:61Z",
                    "2023-03-01T21:15:00.Z", "2023-03-01T21:15:00+0100", "2023-03-01T21:15:00+01:00x", "23-03-01T21:15:00Z",
                    "2023-03-01T21:15:00+24:00", "２０２３-03-01T21:15:00Z"] {
            XCTAssertNil(RFC3339.parse(bad), bad)
        }
    }

    /// Each digit is checked: the bytes either side of the digits ('/' and ':'), a letter and a
    /// space, put in place of any one digit of the date, the time or the offset, are refused.
    func testRejectsANonDigitInAnyDigitPlace() {
        let good = Array("2023-03-01T21:15:07.250+01:30".utf8)
        XCTAssertNotNil(good.withUnsafeBytes { RFC3339.parse($0) })
        for place in good.indices where good[place] >= 48 && good[place] <= 57 {
            for wrong in Array("/:a ".utf8) {
                var bad = good
                bad[place] = wrong
                let text = String(decoding: bad, as: UTF8.self)
                XCTAssertNil(RFC3339.parse(text), text)
            }
        }
    }

    func testPrintsUTCWithMilliseconds() {
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 1_677_705_300_042).rfc3339, "2023-03-01T21:15:00.042Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 0).rfc3339, "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: -1).rfc3339, "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 951_782_400_000).rfc3339, "2000-02-29T00:00:00.000Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 253_402_300_799_999).rfc3339, "9999-12-31T23:59:59.999Z")
        // Years past four digits are written whole (no RFC 3339 parser reads them back).
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: 253_402_300_800_000).rfc3339, "10000-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp(millisecondsSinceEpoch: -62_198_755_200_000).rfc3339, "-1-01-01T00:00:00.000Z")
        var appended = Array("at ".utf8)
        Timestamp(millisecondsSinceEpoch: 1_677_705_300_042).appendRFC3339(to: &appended)
        XCTAssertEqual(String(decoding: appended, as: UTF8.self), "at 2023-03-01T21:15:00.042Z")
        var seconds: [UInt8] = []
        Timestamp(millisecondsSinceEpoch: 1_677_705_300_999).appendRFC3339(to: &seconds, milliseconds: false)
        Timestamp(millisecondsSinceEpoch: 253_402_300_800_000).appendRFC3339(to: &seconds, milliseconds: false)
        XCTAssertEqual(String(decoding: seconds, as: UTF8.self), "2023-03-01T21:15:00Z10000-01-01T00:00:00Z")
    }

    func testCivilDateRoundTripsOverFourHundredYears() {
        var previous: CivilDate? = nil
        for day in Int64(-73_000)...Int64(73_000) {
            let d = CivilDate(daysSinceEpoch: day)
            XCTAssertTrue(d.isValid)
            XCTAssertEqual(d.daysSinceEpoch, day)
            if let p = previous { XCTAssertLessThan(p, d) }
            previous = d
        }
    }

    /// The whole-second UTC form read eight bytes at a time gives what the byte-by-byte reading
    /// gives, for the form itself at its edges and for every one-byte change of it (any byte
    /// value at any place: a separator, a digit, a case, a leap second).
    func testTheWholeSecondFormReadsAsEveryFormDoes() {
        // 9999-12-31T23:59:59Z is 253402300799 seconds after the epoch (date -d, by hand).
        XCTAssertEqual(Array("9999-12-31T23:59:59Z".utf8).withUnsafeBytes(RFC3339.parseWholeSecondUTC)?.millisecondsSinceEpoch, 253_402_300_799_000)
        XCTAssertEqual(Array("2023-03-01T21:15:00Z".utf8).withUnsafeBytes(RFC3339.parseWholeSecondUTC)?.millisecondsSinceEpoch, 1_677_705_300_000)
        let texts = ["2023-03-01T21:15:00Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                     "2024-02-29T12:00:00Z", "2023-02-28T23:59:59Z", "2016-12-31T23:59:60Z", "1999-09-09T09:09:09Z"]
        var fast = 0
        for text in texts {
            let bytes = Array(text.utf8)
            for k in -1..<bytes.count {
                for value in (k < 0 ? [UInt8(0)] : Array(0...255)) {
                    var changed = bytes
                    if k >= 0 { changed[k] = UInt8(value) }
                    changed.withUnsafeBytes { b in
                        let quick = RFC3339.parseWholeSecondUTC(b)
                        if quick != nil { fast += 1 }
                        XCTAssertEqual(RFC3339.parse(b), RFC3339.parseAnyForm(b), String(decoding: changed, as: UTF8.self))
                        if let quick { XCTAssertEqual(quick, RFC3339.parseAnyForm(b), String(decoding: changed, as: UTF8.self)) }
                    }
                }
            }
        }
        XCTAssertGreaterThan(fast, 500, "the quick form reads the changed digits that still name a time")
        XCTAssertNil(Array("2016-12-31T23:59:60Z".utf8).withUnsafeBytes(RFC3339.parseWholeSecondUTC), "a leap second is left to the general reading")
        XCTAssertNil(Array("2023-02-29T12:00:00Z".utf8).withUnsafeBytes(RFC3339.parse))
    }
}
