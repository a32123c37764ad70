import Foundation
import XCTest
import WaymarkIngest

/// Episodes to placements (`PlacementSpan`), through the adapter, against hand-written expectations.
final class SSDA903PlacementTests: XCTestCase {
    static let header = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"

    /// The (type, placement, date) of each placement event the rows give.
    func placements(_ rows: String, year: String = "2023-24") throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-placements-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try (Self.header + rows).write(toFile: dir + "/episodes.csv", atomically: true, encoding: .utf8)
        var q = Quarantine(adapter: "ssda903")
        let adapter = try SSDA903Adapter(la: "309", schema: Fixture.schema("ssda903"), collectionYear: CollectionYear(year))
        let out = try adapter.read(files: [dir + "/episodes.csv"], quarantine: &q)
        XCTAssertEqual(q.rows.map(\.message), [])
        return out.records.map { r in
            let placement = r.data["placement"]!.stringValue!.split(separator: ":").last!
            let date = (r.data["startDate"] ?? r.data["endDate"])!.stringValue!
            let carer = r.data["sameCarer"].map { $0.boolValue == true ? " same carer" : " new carer" } ?? ""
            return "\(r.type == "PlacementStarted" ? "start" : "end") \(placement) \(date)\(carer)"
        }
    }

    func testALegalStatusChangeContinuesThePlacementAndAMoveStartsAnother() throws {
        let rows = """
        1,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N17 6AA,N15 4AB,2524171
        1,01/07/2023,L,C1,N1,U1,PR1,01/09/2023,X1,CARPL,N17 6AA,N15 4AB,2524171
        1,01/09/2023,P,C1,N1,K2,PR4,,,,N17 6AA,SK4 3AA,SC041236

        """
        XCTAssertEqual(try placements(rows), [
            "start 2023-05-01 2023-05-01", "end 2023-05-01 2023-09-01",
            "start 2023-09-01 2023-09-01 new carer",
        ], "S, L, P: two placements; the L episode is not a move")
    }

    func testTAndUKeepTheCarerAndBChangesIt() throws {
        let rows = """
        2,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,X1,CARPL,N17 6AA,N15 4AB,2524171
        2,01/06/2023,T,C2,N1,U4,PR1,01/07/2023,X1,CARPL,N17 6AA,N15 4AC,2524171
        2,01/07/2023,U,C1,N1,U1,PR1,01/08/2023,X1,CARPL,N17 6AA,N15 4AD,2524171
        2,01/08/2023,B,C2,N1,K2,PR4,,,,N17 6AA,SK4 3AA,SC041236

        """
        XCTAssertEqual(try placements(rows), [
            "start 2023-05-01 2023-05-01", "end 2023-05-01 2023-06-01",
            "start 2023-06-01 2023-06-01 same carer", "end 2023-06-01 2023-07-01",
            "start 2023-07-01 2023-07-01 same carer", "end 2023-07-01 2023-08-01",
            "start 2023-08-01 2023-08-01 new carer",
        ])
    }

    func testATemporaryPlacementInterruptsAndTheChildReturns() throws {
        let rows = """
        3,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,X1,,N17 6AA,N15 4AB,2524171
        3,10/06/2023,P,C2,N1,T4,,14/06/2023,X1,,N17 6AA,N15 4AB,
        3,14/06/2023,P,C2,N1,U1,PR1,,,,N17 6AA,N15 4AB,2524171

        """
        XCTAssertEqual(try placements(rows), [
            "start 2023-05-01 2023-05-01",
            "start 2023-06-10 2023-06-10 new carer", "end 2023-06-10 2023-06-14",
        ], "the foster placement resumes after the temporary one: not ended, not started again")
    }

    func testATemporaryPlacementNotReturnedFromEndsThePlacementItInterrupted() throws {
        let rows = """
        4,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,X1,,N17 6AA,N15 4AB,2524171
        4,10/06/2023,P,C2,N1,T4,,14/06/2023,X1,,N17 6AA,N15 4AB,
        4,14/06/2023,P,C2,N1,K2,PR4,,,,N17 6AA,SK4 3AA,SC041236

        """
        XCTAssertEqual(try placements(rows), [
            "start 2023-05-01 2023-05-01", "end 2023-05-01 2023-06-10",
            "start 2023-06-10 2023-06-10 new carer", "end 2023-06-10 2023-06-14",
            "start 2023-06-14 2023-06-14 new carer",
        ])
    }

    func testTheFirstEpisodeOfAReturnStartsAPlacementWhateverItsRNE() throws {
        XCTAssertEqual(try placements("5,01/02/2023,L,C1,N1,U1,PR1,,,,N17 6AA,N15 4AB,2524171\n"), ["start 2023-02-01 2023-02-01"])
    }
}
