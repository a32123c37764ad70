import Foundation
import XCTest
import WaymarkEvents
import WaymarkIngest
import WaymarkLog
@testable import WaymarkProjections
import WaymarkStore
import WaymarkTestSupport
import WaymarkTime

/// Projecting the log in random chunks, each run resuming from the published checkpoint, ends
/// byte-identical to one full rebuild.
final class IncrementalTests: XCTestCase {
    func testRandomChunksEqualOneRebuild() throws {
        let dir = scratchDir()
        let log = try P.generatedLog(dir)
        let total = try LogReader(directory: log).tail().nextOffset.rawValue
        XCTAssertGreaterThan(total, 2000)
        let rules = try P.rules()
        let expected = try P.rebuild(log, into: dir.file("full"), rules: rules)

        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<2 {
            let out = dir.file("chunks-\(attempt)")
            var runs = 0
            while true {
                let p = Projector(log: log, out: out, kind: .all, rules: rules, knownAt: nil, asOf: nil)
                _ = try p.loadCheckpoint(rebuild: false)
                let applied = try p.catchUp(limit: Int.random(in: 1...Int(total / 3), using: &generator))
                try p.publish()
                runs += 1
                if applied == 0 || p.lastOffset?.rawValue == total - 1 { break }
            }
            XCTAssertGreaterThan(runs, 2)
            let got = try P.files(out)
            XCTAssertEqual(got.keys.sorted(), expected.keys.sorted())
            for (name, text) in expected { XCTAssertTrue(got[name] == text, "\(name) differs after \(runs) incremental runs") }
        }
    }
}

/// Corrections that reach back into what earlier runs folded (a supersede, a retraction, a
/// retraction of an already superseded event, a correction of an event not yet in the log)
/// end, one event per run, exactly where one rebuild does.
final class CorrectionTests: XCTestCase {
    func testOneEventPerRunEqualsOneRebuild() throws {
        let dir = scratchDir()
        let log = dir.file("log")
        try P.append(P.scenario + "/events.ndjson", to: log, at: "2023-02-01T06:00:00Z")
        let extra = [
            // e13 was superseded by the scenario; now it is retracted too.
            #"{"id":"x1","type":"EventRetracted","occurredAt":"2022-12-01T00:00:00Z","data":{"target":"e13","reason":"duplicate"}}"#,
            // A correction of an event that arrives only after it: unplaced, and the event stands.
            #"{"id":"x2","type":"ChildFound","occurredAt":"2022-12-02T00:00:00Z","child":"police:MPS:P1","episode":"police:MPS:NOPE","supersedes":"x3","data":{"foundAt":"2022-12-02T00:00:00Z","foundBy":"police","foundForce":"MPS"}}"#,
            #"{"id":"x3","type":"ChildFound","occurredAt":"2022-12-03T00:00:00Z","child":"police:MPS:P1","episode":"police:MPS:NOPE","data":{"foundAt":"2022-12-03T00:00:00Z","foundBy":"police","foundForce":"MPS"}}"#,
        ]
        try extra.joined(separator: "\n").write(toFile: dir.file("extra.ndjson"), atomically: true, encoding: .utf8)
        try P.append(dir.file("extra.ndjson"), to: log, at: "2023-02-02T06:00:00Z")
        let rules = try P.rules()
        let expected = try P.rebuild(log, into: dir.file("full"), rules: rules)
        XCTAssertTrue(expected["unplaced.csv"]!.contains(#"25,x2,ChildFound,"supersedes x3, which is not in the log""#), expected["unplaced.csv"]!)
        XCTAssertTrue(expected["timeline.dat"]!.contains("12 r"), "e13 (offset 12), superseded then retracted, reads as retracted")
        var runs = 0
        while true {
            let p = Projector(log: log, out: dir.file("steps"), kind: .all, rules: rules, knownAt: nil, asOf: nil)
            _ = try p.loadCheckpoint(rebuild: false)
            if try p.catchUp(limit: 1) == 0 { break }
            try p.publish()
            runs += 1
        }
        XCTAssertEqual(runs, 27)
        let got = try P.files(dir.file("steps"))
        for (name, text) in expected { XCTAssertTrue(got[name] == text, "\(name) differs") }
    }

    /// A rebuild reads only the events its writers marked as possible corrections in the
    /// sealed segments (and scans the rest). The same events in 1 KiB segments must project
    /// exactly as in one segment: with the retraction in the last segment reaching back to the
    /// first, with known-at a time that ends the range inside a segment, and with every marks
    /// file removed (a log an older writer sealed, scanned whole).
    func testSegmentsWithOrWithoutMarksEqualOneSegment() throws {
        let dir = scratchDir()
        let late = #"{"id":"x1","type":"EventRetracted","occurredAt":"2022-12-01T00:00:00Z","data":{"target":"e03","reason":"duplicate"}}"#
        try late.write(toFile: dir.file("late.ndjson"), atomically: true, encoding: .utf8)
        for (log, segmentBytes) in [(dir.file("one"), 64 << 20), (dir.file("many"), 1024), (dir.file("unmarked"), 1024)] {
            try P.append(P.scenario + "/events.ndjson", to: log, at: "2023-02-01T06:00:00Z", segmentBytes: segmentBytes)
            try P.append(dir.file("late.ndjson"), to: log, at: "2023-02-02T06:00:00Z", segmentBytes: segmentBytes)
        }
        let segments = try LogDirectory(path: dir.file("many")).segments()
        XCTAssertGreaterThan(segments.count, 3)
        let fm = FileManager.default
        for s in segments.dropLast() {
            XCTAssertTrue(fm.fileExists(atPath: dir.file("many") + "/" + s.marksFile), "the appender marks \(s.marksFile)")
            try fm.removeItem(atPath: dir.file("unmarked") + "/" + s.marksFile)
        }
        let rules = try P.rules()
        for knownAt in [nil, P.t("2023-02-01T12:00:00Z")] {
            let label = knownAt.map { "known at \($0)" } ?? "known now"
            let expected = try P.rebuild(dir.file("one"), into: dir.file("one-out"), rules: rules, knownAt: knownAt)
            let retracted = expected["timeline.dat"]!.contains("\t2 r") || expected["timeline.dat"]!.contains(",2 r")
            XCTAssertEqual(retracted, knownAt == nil, "e03 (offset 2) is retracted only when x1 is known: \(label)")
            for log in ["many", "unmarked"] {
                let got = try P.rebuild(dir.file(log), into: dir.file(log + "-out"), rules: rules, knownAt: knownAt)
                for (name, text) in expected where name != "manifest.json" { XCTAssertTrue(got[name] == text, "\(log): \(name) differs, \(label)") }
            }
        }
    }
}

extension CorrectionTests {
    /// A retraction whose type is written with a `\u` escape, in a segment sealed after it
    /// (so the projector finds it through the marks), projects exactly as the plain one: the
    /// event it retracts is retracted.
    func testAnEscapedRetractionInASealedSegmentIsFound() throws {
        let dir = scratchDir()
        let plain = #"{"id":"x1","type":"EventRetracted","occurredAt":"2022-12-01T00:00:00Z","data":{"target":"e03","reason":"duplicate"}}"#
        let escaped = #"{"id":"x1","type":"Event\u0052etracted","occurredAt":"2022-12-01T00:00:00Z","data":{"target":"e03","reason":"duplicate"}}"#
        // The scenario again under other ids, appended after the retraction to seal its segment.
        let filler = try String(contentsOfFile: P.scenario + "/events.ndjson", encoding: .utf8).replacingOccurrences(of: #""id":"e"#, with: #""id":"f"#)
        try filler.write(toFile: dir.file("filler.ndjson"), atomically: true, encoding: .utf8)
        let rules = try P.rules()
        var models: [String: [String: String]] = [:]
        for (name, late) in [("plain", plain), ("escaped", escaped)] {
            try late.write(toFile: dir.file(name + ".ndjson"), atomically: true, encoding: .utf8)
            let log = dir.file(name + "-log")
            try P.append(P.scenario + "/events.ndjson", to: log, at: "2023-02-01T06:00:00Z", segmentBytes: 1024)
            try P.append(dir.file(name + ".ndjson"), to: log, at: "2023-02-02T06:00:00Z", segmentBytes: 1024)
            try P.append(dir.file("filler.ndjson"), to: log, at: "2023-02-03T06:00:00Z", segmentBytes: 1024)
            let segments = try LogDirectory(path: log).segments()
            let x1 = try XCTUnwrap(LogReader(directory: log).offsets(ofKeys: [Array("x1".utf8)])[0])
            XCTAssertLessThan(x1, segments.last!.baseOffset, "x1 is in a sealed segment")
            models[name] = try P.rebuild(log, into: dir.file(name + "-out"), rules: rules)
        }
        let expected = try XCTUnwrap(models["plain"]), got = try XCTUnwrap(models["escaped"])
        XCTAssertTrue(expected["timeline.dat"]!.contains("\t2 r") || expected["timeline.dat"]!.contains(",2 r"), "e03 (offset 2) is retracted")
        for (name, text) in expected where name != "manifest.json" { XCTAssertTrue(got[name] == text, "\(name) differs") }
    }
}

/// The byte-level fact reader sees what the full JSON parser sees: for every event of a
/// generated log, of the hand-written scenario, and of events with escapes and an older
/// schema version, each fact equals the parsed envelope's (upcast) value.
final class EventFactsTests: XCTestCase {
    func check(_ log: String) throws -> Int {
        var checked = 0
        let scratch = ScanScratch()
        var facts = EventFacts()
        try LogReader(directory: log).forEach { r in
            scratch.reset()
            XCTAssertTrue(EventFacts.read(r.payload, scratch: scratch, into: &facts), "offset \(r.offset)")
            guard case let .success(envelope) = Envelope.validate(try JSONParser.parse(r.payload)) else { XCTFail("invalid at \(r.offset)"); return false }
            let e = Upcasters.upcast(envelope)
            func text(_ b: UnsafeRawBufferPointer?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
            XCTAssertEqual(text(facts.id), e.id)
            XCTAssertEqual(text(facts.type), e.type)
            XCTAssertEqual(text(facts.child), e.child)
            XCTAssertEqual(text(facts.episode), e.episode)
            XCTAssertEqual(text(facts.supersedes), e.supersedes)
            XCTAssertEqual(facts.occurredAt, e.occurredAt.millisecondsSinceEpoch)
            for field in DataField.allCases {
                let v = facts[field]
                switch e.data[field.key] {
                case nil: XCTAssertEqual(v.kind, .absent, field.key)
                case let .string(s)?: XCTAssertEqual(text(v.string), s, "\(field.key) at \(r.offset)")
                case let .bool(b)?: XCTAssertEqual(v.bool, b, field.key)
                case .null?: XCTAssertEqual(v.kind, .null, field.key)
                case let .array(items)?:
                    var got: [String] = []
                    facts.forEachString(in: field, scratch: scratch) { got.append(String(decoding: $0, as: UTF8.self)) }
                    XCTAssertEqual(got, items.compactMap(\.stringValue), field.key)
                default: break
                }
            }
            checked += 1
            return true
        }
        return checked
    }

    /// A string's end is found wherever it falls in the sixteen-byte steps of the search, with an
    /// escape (or none) at any place before it: an id of every length up to 40, plain and with
    /// `\"` or `\\` put at each place, reads back as its decoded text.
    func testStringsEndWhereverTheQuoteFalls() {
        let scratch = ScanScratch()
        var facts = EventFacts()
        for length in 0...40 {
            let plain = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            var cases = [(plain, plain)]
            for k in 0...length {
                let head = String(plain.prefix(k)), tail = String(plain.dropFirst(k))
                cases.append((head + #"\""# + tail, head + "\"" + tail))
                cases.append((head + #"\\"# + tail, head + "\\" + tail))
            }
            for (written, decoded) in cases {
                let event = #"{"id":""# + written + #"","type":"ChildFound","occurredAt":"2023-03-01T21:15:00Z","data":{"foundBy":""# + written + #""}}"#
                scratch.reset()
                let ok = Array(event.utf8).withUnsafeBytes { EventFacts.scan($0, scratch: scratch, into: &facts) }
                XCTAssertEqual(ok, length > 0 || written != plain, event)
                guard ok else { continue }
                XCTAssertEqual(String(decoding: facts.id, as: UTF8.self), decoded, event)
                XCTAssertEqual(facts[.foundBy].string.map { String(decoding: $0, as: UTF8.self) }, decoded, event)
            }
        }
    }

    /// Every `data` member the read models use is found by its name, and nothing else is: the
    /// name with a byte changed, one short, one long, or in another case.
    func testDataFieldsAreFoundByTheirNamesOnly() {
        func named(_ text: String) -> DataField? { Array(text.utf8).withUnsafeBytes { DataField.named($0) } }
        XCTAssertEqual(DataField.allCases.count, 32)
        for field in DataField.allCases {
            let key = field.key
            XCTAssertEqual(named(key), field, key)
            XCTAssertNil(named(String(key.dropLast()) + "_"), key)
            XCTAssertNil(named("_" + key.dropFirst()), key)
            XCTAssertNil(named(String(key.dropLast())), key)
            XCTAssertNil(named(key + "s"), key)
            XCTAssertNil(named(key.uppercased()), key)
        }
        XCTAssertNil(named(""))
        XCTAssertNil(named("lastSeenAt"))
        XCTAssertNil(named("reportedBy"))
    }

    func testFactsEqualTheFullParse() throws {
        let dir = scratchDir()
        XCTAssertGreaterThan(try check(try P.generatedLog(dir)), 2000)
        try P.append(P.scenario + "/events.ndjson", to: dir.file("scenario"), at: "2023-02-01T06:00:00Z")
        let odd = [
            #"{"id":"old","type":"MissingReported","schemaVersion":0,"occurredAt":"2019-05-01T10:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2019-05-01T10:00:00Z","missingFrom":"home","risk":"absent","notes":"a \"quoted\" note, é"}}"#,
            #"{"id":"esc\u0041\ud83d\ude00\/","type":"ChildFound","occurredAt":"2019-05-02T10:00:00Z","child":"police:MPS:P\u00e91","episode":"police:MPS:M-1","data":{"foundAt":"2019-05-02T10:00:00Z","foundBy":"police","foundForce":"\u004dPS"}}"#,
        ]
        try odd.joined(separator: "\n").write(toFile: dir.file("odd.ndjson"), atomically: true, encoding: .utf8)
        try P.append(dir.file("odd.ndjson"), to: dir.file("scenario"), at: "2023-02-02T06:00:00Z")
        XCTAssertGreaterThan(try check(dir.file("scenario")), 20)
        // The version-0 report reads as version 1.
        let scratch = ScanScratch()
        var facts = EventFacts()
        let last = try LogReader(directory: dir.file("scenario")).records().suffix(2).first!
        XCTAssertTrue(last.payload.withUnsafeBytes { EventFacts.read($0, scratch: scratch, into: &facts) })
        XCTAssertEqual(facts[.category].string.map { String(decoding: $0, as: UTF8.self) }, "absent")
    }
}
