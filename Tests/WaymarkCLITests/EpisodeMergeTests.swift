import Foundation
import XCTest
import WaymarkTestSupport

/// A police report in the afternoon of a day the council's return has a missing period for,
/// with another period starting the next day: the report is that day's period, and the next
/// day's is an episode of its own (they used to pair by nearest start: the next day, 9 hours
/// away, against 15 hours).
final class EpisodeMergeTests: XCTestCase {
    func testAnAfternoonReportMergesWithThatDaysPeriodNotTheNextDays() throws {
        let dir = TemporaryDirectory("waymark-merge")
        defer { dir.remove() }
        let log = dir.file("log"), models = dir.file("models")
        func missing(_ id: String, child: String, episode: String, at: String, from: String) -> String {
            "{\"id\":\"\(id)\",\"type\":\"MissingReported\",\"occurredAt\":\"\(at)\",\"child\":\"\(child)\",\"episode\":\"\(episode)\",\"data\":{\"reportedAt\":\"\(at)\",\"missingFrom\":\"\(from)\",\"category\":\"missing\"}}\n"
        }
        let events = missing("la-1", child: "la:309:C9", episode: "la:309:C9:2023-05-26", at: "2023-05-26T00:00:00Z", from: "carePlacement")
            + missing("la-2", child: "la:309:C9", episode: "la:309:C9:2023-05-27", at: "2023-05-27T00:00:00Z", from: "carePlacement")
            + missing("po-1", child: "police:MPS:P9", episode: "police:MPS:M9", at: "2023-05-26T15:00:00Z", from: "carePlacement")
            + "{\"id\":\"link-1\",\"type\":\"IdentityLinked\",\"occurredAt\":\"2023-05-26T15:00:00Z\",\"child\":\"police:MPS:P9\",\"data\":{\"sameAs\":\"la:309:C9\",\"basis\":\"sourceStated\"}}\n"
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--recorded-at", "2023-06-01T00:00:00Z"], stdin: events).status, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", models]).status, 0)
        let rows = try String(contentsOfFile: models + "/episodes.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // episode, child, refs
        let byEpisode = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[2]) })
        XCTAssertEqual(byEpisode.count, 2, "\(rows)")
        XCTAssertEqual(byEpisode["police:MPS:M9"], "la:309:C9:2023-05-26;police:MPS:M9")
        XCTAssertEqual(byEpisode["la:309:C9:2023-05-27"], "la:309:C9:2023-05-27")
    }
}
