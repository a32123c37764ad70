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

    /// An entry gives back the child, time and offset it was made with, at the ends of what it
    /// can hold: times before 1970 and after 9999, offsets past 2^32, the largest symbol.
    func testEntriesHoldTheirChildTimeAndOffset() {
        XCTAssertEqual(MemoryLayout<TimelineEntry>.stride, 16)
        let times: [Int64] = [0, -1, 1, -62_167_219_200_000, 253_402_300_799_999, (1 << 49) - 1, -(1 << 49), 1_677_705_300_042]
        let offsets: [UInt64] = [0, 1, 0xFFFF_FFFF, 1 << 32, (1 << 32) + 7, (1 << 46) - 1]
        let children: [UInt32] = [0, 1, 0x7FFF_FFFF, UInt32.max - 1, UInt32.max]
        for t in times {
            for o in offsets {
                for c in children {
                    let e = TimelineEntry(child: Symbol(raw: c), occurredAt: t, offset: o)
                    XCTAssertEqual(e.occurredAt, t)
                    XCTAssertEqual(e.offset, o)
                    XCTAssertEqual(e.child.raw, c)
                }
            }
        }
    }

    /// The timeline store's list items: `123`, `,123`, `,123 c`, for every size of number.
    func testTimelineListItemsAreWrittenWhole() {
        var out = ByteBuffer()
        out.append("[")
        TimelineStore.appendItem(0, first: true, to: &out)
        TimelineStore.appendItem(7, first: false, to: &out)
        TimelineStore.appendItem(1_234_567, first: false, status: UInt8(ascii: "s"), to: &out)
        TimelineStore.appendItem(UInt64.max, first: false, status: UInt8(ascii: "c"), to: &out)
        TimelineStore.appendItem(10, first: true, status: UInt8(ascii: "r"), to: &out)
        XCTAssertEqual(String(decoding: out.bytes, as: UTF8.self), "[0,7,1234567 s,18446744073709551615 c10 r")
    }
}
