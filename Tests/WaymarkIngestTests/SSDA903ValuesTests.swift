import XCTest
import WaymarkIngest
import WaymarkTime

/// SSDA903 values as councils write them, each against a hand-written expectation.
final class SSDA903ValuesTests: XCTestCase {
    func testPostcodesInAnyCaseAndSpacingNormaliseAndKeepNoMoreThanTheSourceGave() {
        let cases: [(String, String?, String?, String?)] = [   // text, normalised, district, sector
            ("N17 6AA", "N17 6AA", "N17", "N17 6"), ("N176AA", "N17 6AA", "N17", "N17 6"), ("n17 6aa", "N17 6AA", "N17", "N17 6"),
            ("  SW1A 1AA ", "SW1A 1AA", "SW1A", "SW1A 1"), ("EC1A1BB", "EC1A 1BB", "EC1A", "EC1A 1"), ("M1 1AE", "M1 1AE", "M1", "M1 1"),
            ("B33 8TH", "B33 8TH", "B33", "B33 8"), ("CR2 6XH", "CR2 6XH", "CR2", "CR2 6"), ("DN55 1PT", "DN55 1PT", "DN55", "DN55 1"),
            ("N17 6", "N17 6", "N17", "N17 6"), ("SK4 3", "SK4 3", "SK4", "SK4 3"), ("N17", "N17", "N17", nil), ("sk4", "SK4", "SK4", nil),
            ("", nil, nil, nil), ("17 6AA", nil, nil, nil), ("N17 6A", nil, nil, nil), ("N17 AAA", nil, nil, nil), ("NN", nil, nil, nil),
            ("N17 6AA X", nil, nil, nil), ("N1$ 6AA", nil, nil, nil), ("ABC1 2DE", nil, nil, nil),
        ]
        for (text, normalised, district, sector) in cases {
            let p = Postcode(text)
            XCTAssertEqual(p?.normalised, normalised, text)
            XCTAssertEqual(p?.district, district, text)
            XCTAssertEqual(p?.sector, sector, text)
        }
    }

    func testURNsInTheirThreeForms() {
        XCTAssertEqual(OfstedURN.normalised("SC041236"), "SC041236")
        XCTAssertEqual(OfstedURN.normalised("sc041236"), "SC041236")
        XCTAssertEqual(OfstedURN.normalised("2524171"), "2524171")
        XCTAssertEqual(OfstedURN.normalised("XXXXXXX"), "XXXXXXX")
        for bad in ["SC04123", "SC0412367", "252417", "25241711", "SCABCDEF", "XXXXXX", "unreg:P1:3", ""] {
            XCTAssertNil(OfstedURN.normalised(bad), bad)
        }
        XCTAssertFalse(OfstedURN.namesAHome("XXXXXXX"))
        XCTAssertTrue(OfstedURN.namesAHome("2524171"))
    }

    func testDatesWithOrWithoutLeadingZeros() {
        XCTAssertEqual(SSDA903Date.parse("5/6/2022"), CivilDate(year: 2022, month: 6, day: 5))
        XCTAssertEqual(SSDA903Date.parse("05/06/2022"), CivilDate(year: 2022, month: 6, day: 5))
        XCTAssertEqual(SSDA903Date.parse("29/2/2024"), CivilDate(year: 2024, month: 2, day: 29))
        for bad in ["29/2/2023", "31/04/2023", "0/1/2023", "1/13/2023", "1/1/23", "001/1/2023", "+1/1/2023", "1-1-2023", "2023-01-01", "1/1/2023/", " 1/1/2023", ""] {
            XCTAssertNil(SSDA903Date.parse(bad), bad)
        }
    }

    func testCollectionYears() {
        XCTAssertEqual(CollectionYear("2023-24")?.startYear, 2023)
        XCTAssertEqual(CollectionYear("2023/24")?.startYear, 2023)
        XCTAssertEqual(CollectionYear("1999-00")?.startYear, 1999)
        for bad in ["2023-25", "2023", "23-24", "2023-2024", "x"] { XCTAssertNil(CollectionYear(bad), bad) }
        XCTAssertEqual(CollectionYear(containing: CivilDate(year: 2024, month: 3, day: 31)).description, "2023-24")
        XCTAssertEqual(CollectionYear(containing: CivilDate(year: 2024, month: 4, day: 1)).description, "2024-25")
        XCTAssertEqual(CollectionYear(startYear: 2023).firstDay, CivilDate(year: 2023, month: 4, day: 1))
        XCTAssertEqual(CollectionYear(startYear: 2023).lastDay, CivilDate(year: 2024, month: 3, day: 31))
    }

    func testCodeListsChangeByYear() {
        let y23 = SSDA903Codes(year: CollectionYear(startYear: 2023)), y24 = SSDA903Codes(year: CollectionYear(startYear: 2024))
        let y25 = SSDA903Codes(year: CollectionYear(startYear: 2025))
        XCTAssertEqual(y23.sex, ["1", "2"])
        XCTAssertEqual(y24.sex, ["M", "F", "U"])
        XCTAssertFalse(y23.placement.contains("K3"))
        XCTAssertTrue(y24.placement.contains("K3"))
        XCTAssertTrue(y24.placement.contains("P2") && y24.placement.contains("Z1"))
        XCTAssertFalse(y25.placement.contains("P2") || y25.placement.contains("H5") || y25.placement.contains("Z1"))
        XCTAssertTrue(y25.placement.isSuperset(of: ["Z11", "Z12", "Z13", "Z14"]))
        XCTAssertEqual(y23.rne, ["S", "L", "P", "T", "B", "U"])
        XCTAssertEqual(SSDA903Codes.sexName("1"), "male")
        XCTAssertEqual(SSDA903Codes.sexName("F"), "female")
        XCTAssertEqual(SSDA903Codes.sexName("U"), "unknown")
    }
}
