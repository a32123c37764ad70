import XCTest
@testable import WaymarkProjections

/// The corrections found before a fold, asked about in the fold's order and out of it: the
/// fold's cursor over correcting events must give what a lookup would, whatever the order the
/// corrections were noted in or the events are asked about.
final class CorrectionsTests: XCTestCase {
    private func event(_ id: String, type: String = "MissingReported", supersedes: String? = nil, target: String? = nil) -> [UInt8] {
        var json = #"{"id":"\#(id)","type":"\#(type)","schemaVersion":1,"occurredAt":"2024-01-01T00:00:00Z""#
        if let supersedes { json += #","supersedes":"\#(supersedes)""# }
        json += target.map { #","data":{"target":"\#($0)"}}"# } ?? #","data":{}}"#
        return Array(json.utf8)
    }

    private func verdict(_ c: inout Corrections, _ key: String, _ offset: UInt64) -> ProjectionState.Verdict {
        Array(key.utf8).withUnsafeBytes { c.verdict(key: $0, offset: offset) }
    }

    func testVerdictsDoNotDependOnTheOrderOfNotesOrQuestions() {
        var c = Corrections()
        // Offsets 5 (supersedes q, never met), 7 (retracts b) and 9 (supersedes a), noted out
        // of order; 2 corrects nothing.
        for (offset, payload) in [(UInt64(7), event("r", type: "EventRetracted", target: "b")), (9, event("d", supersedes: "a")),
                                  (5, event("c", supersedes: "q")), (2, event("x"))] {
            payload.withUnsafeBytes { c.note($0, at: offset) }
        }
        XCTAssertFalse(c.isEmpty)
        // In the fold's order.
        XCTAssertEqual(verdict(&c, "a", 0).status, .superseded)
        XCTAssertEqual(verdict(&c, "b", 1).status, .retracted)
        XCTAssertEqual(verdict(&c, "x", 2).status, .current)
        let unknown = verdict(&c, "c", 5)
        XCTAssertEqual(unknown.status, .current)
        XCTAssertFalse(unknown.supersedesKnown, "q is not in the log before offset 5")
        let retraction = verdict(&c, "r", 7)
        XCTAssertTrue(retraction.retractsKnown)
        XCTAssertTrue(retraction.supersedesKnown, "a retraction supersedes nothing")
        XCTAssertTrue(verdict(&c, "d", 9).supersedesKnown)
        // Asked again, backwards: the same answers.
        XCTAssertTrue(verdict(&c, "r", 7).retractsKnown)
        XCTAssertFalse(verdict(&c, "c", 5).supersedesKnown)
        XCTAssertEqual(verdict(&c, "x", 2).status, .current)
        XCTAssertFalse(verdict(&c, "c", 5).supersedesKnown)
    }

    /// JSON can spell `supersedes` or `EventRetracted` with `\u` escapes, so the bytes hold
    /// neither word: such an event must still be taken for a correction.
    func testEscapedCorrectionsAreFound() {
        let escapedKey = Array(#"{"id":"d","type":"MissingReported","schemaVersion":1,"occurredAt":"2024-01-01T00:00:00Z","\u0073upersedes":"a","data":{}}"#.utf8)
        let escapedType = Array(#"{"id":"r","type":"Event\u0052etracted","schemaVersion":1,"occurredAt":"2024-01-01T00:00:00Z","data":{"target":"b"}}"#.utf8)
        let plain = Array(#"{"id":"x","type":"MissingReported","schemaVersion":1,"occurredAt":"2024-01-01T00:00:00Z","data":{}}"#.utf8)
        XCTAssertTrue(escapedKey.withUnsafeBytes { Corrections.mayCorrect($0) })
        XCTAssertTrue(escapedType.withUnsafeBytes { Corrections.mayCorrect($0) })
        XCTAssertFalse(plain.withUnsafeBytes { Corrections.mayCorrect($0) })
        var c = Corrections()
        escapedKey.withUnsafeBytes { c.note($0, at: 5) }
        escapedType.withUnsafeBytes { c.note($0, at: 6) }
        XCTAssertEqual(verdict(&c, "a", 0).status, .superseded)
        XCTAssertEqual(verdict(&c, "b", 1).status, .retracted)
    }
}
