import Foundation
import XCTest
import WaymarkLog
@testable import WaymarkProjections

/// The fold's two threads may split reading facts any way between them: whatever share of
/// events the folding thread reads itself (none, some, all, or steered by the backlog), the
/// state it folds is the same, byte for byte as the state file writes it.
final class FactPipeTests: XCTestCase {
    private func stateBytes(_ log: String, unread: Int?, in dir: String) throws -> [UInt8] {
        let reader = LogReader(directory: log)
        var corrections = Corrections()
        let end = try reader.forEach { corrections.note($0.payload, at: $0.offset.rawValue); return true }
        var state = ProjectionState()
        try FactPipe.fold(reader, from: .zero, end: end, corrections: &corrections, into: &state, unread: unread)
        XCTAssertGreaterThan(state.eventCount, 2000)
        let name = "state-\(unread.map(String.init) ?? "steered")"
        let file = try ModelFile(directory: dir, name: name)
        try StateFile.encode(state, into: file)
        try file.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
    }

    func testEveryShareOfUnreadEventsFoldsTheSameState() throws {
        let dir = scratchDir()
        let log = try P.generatedLog(dir)
        try P.append(P.scenario + "/events.ndjson", to: log, at: "2023-06-01T06:00:00Z")
        let out = dir.file("states")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let allRead = try stateBytes(log, unread: 0, in: out)
        XCTAssertGreaterThan(allRead.count, 10_000)
        for unread in [1, 3, 8] as [Int?] + [nil] {
            let bytes = try stateBytes(log, unread: unread, in: out)
            XCTAssertTrue(bytes == allRead, "unread \(unread.map(String.init) ?? "steered") of 8: \(bytes.count) bytes against \(allRead.count), not the same")
        }
    }
}
