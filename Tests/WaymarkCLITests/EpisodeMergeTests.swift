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

/// A child reported missing again while an earlier report is still open: the earlier return
/// was never recorded. It is not "missing now" (for thousands of hours), has no duration, and
/// is named as a data-quality fact.
final class ReturnNotRecordedTests: XCTestCase {
    func testAnEarlierOpenEpisodeIsAReturnNotRecorded() throws {
        let dir = TemporaryDirectory("waymark-return")
        defer { dir.remove() }
        let log = dir.file("log")
        func missing(_ n: Int, at: String) -> String {
            "{\"id\":\"m-\(n)\",\"type\":\"MissingReported\",\"occurredAt\":\"\(at)\",\"child\":\"police:MPS:P5\",\"episode\":\"police:MPS:M\(n)\",\"data\":{\"reportedAt\":\"\(at)\",\"missingFrom\":\"home\",\"category\":\"missing\"}}\n"
        }
        let events = missing(1, at: "2023-05-01T10:00:00Z") + missing(2, at: "2023-05-10T10:00:00Z")
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--recorded-at", "2023-06-01T00:00:00Z"], stdin: events).status, 0)
        for rules in ["default", "ssda903-24h"] {
            let models = dir.file("models-\(rules)")
            XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", models, "--rules", Waymark.packageRoot + "/rules/\(rules).json"]).status, 0)
            let episodes = try String(contentsOfFile: models + "/episodes.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let header = episodes[0]
            func column(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
            let first = try XCTUnwrap(episodes.first { $0[0] == "police:MPS:M1" }), second = try XCTUnwrap(episodes.first { $0[0] == "police:MPS:M2" })
            XCTAssertEqual(column(first, "returnNotRecorded"), "true", rules)
            XCTAssertEqual(column(first, "durationHours"), "", "\(rules): its end, so its duration, is unknown")
            XCTAssertEqual(column(first, "counted"), rules == "default" ? "true" : "false", "\(rules): a duration not known cannot be shown to pass 24 h")
            XCTAssertEqual(column(second, "returnNotRecorded"), "false", rules)
            let now = try String(contentsOfFile: models + "/missing-now.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[1]) }
            XCTAssertEqual(now, ["police:MPS:M2"], "\(rules): only the latest report is missing now")
            let manifest = try XCTUnwrap(jsonObject(try String(contentsOfFile: models + "/manifest.json", encoding: .utf8)))
            XCTAssertEqual(manifest["returnsNotRecorded"] as? Int, 1, rules)
        }
    }
}
