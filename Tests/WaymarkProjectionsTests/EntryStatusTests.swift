import XCTest
@testable import WaymarkProjections

/// Each timeline entry's status, found by binary search when the entries are in log order
/// (they always are when folded) and by lookup when they are not.
final class EntryStatusTests: XCTestCase {
    private func state(offsets: [UInt64], statuses: [UInt64: EventStatus]) -> ProjectionState {
        var s = ProjectionState()
        s.entries = offsets.map { TimelineEntry(child: Symbol(raw: 0), occurredAt: 0, offset: $0) }
        s.statuses = statuses
        return s
    }

    func testStatusesInLogOrderAndOutOfIt() {
        let statuses: [UInt64: EventStatus] = [3: .superseded, 8: .retracted, 5: .superseded]
        // 5 is no entry's offset (an event without a child), so it marks nothing.
        XCTAssertEqual(ReadModel.entryStatuses(state(offsets: [1, 3, 4, 8, 9], statuses: statuses)),
                       [.current, .superseded, .current, .retracted, .current])
        XCTAssertEqual(ReadModel.entryStatuses(state(offsets: [9, 8, 1, 3], statuses: statuses)),
                       [.current, .retracted, .current, .superseded])
        XCTAssertEqual(ReadModel.entryStatuses(state(offsets: [1, 2], statuses: [:])), [], "no statuses: every event current")
    }
}
