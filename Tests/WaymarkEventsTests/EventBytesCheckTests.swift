import Foundation
import XCTest
import WaymarkEvents
import WaymarkTime

/// The one-pass byte check of `append` never accepts a line the full validator (JSON parser,
/// envelope rules, data schema) refuses, and when it accepts, it finds the same id. Checked on
/// every hand-written example and on thousands of mutations of valid events.
final class EventBytesCheckTests: XCTestCase {
    /// The full validator's verdict: the id when valid.
    func fullVerdict(_ line: [UInt8], _ catalogue: EventCatalogue) -> String? {
        guard let value = try? line.withUnsafeBytes({ try JSONParser.parse($0) }), case let .success(e) = Envelope.validate(value),
              catalogue.validate(e) == nil else { return nil }
        return e.id
    }

    /// Checks one line; returns whether the byte check accepted it.
    @discardableResult
    func agree(_ line: [UInt8], _ catalogue: EventCatalogue, _ why: String) -> Bool {
        guard let fast = line.withUnsafeBytes({ EventBytesCheck.check($0, catalogue: catalogue) }) else { return false }
        let id = String(decoding: line[fast.id], as: UTF8.self)
        XCTAssertEqual(fullVerdict(line, catalogue), id, "accepted by the byte check only: \(why): \(String(decoding: line, as: UTF8.self))")
        return true
    }

    /// Valid events of every type: the examples' data in full envelopes, and the sample events.
    func validEvents(_ catalogue: EventCatalogue) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for line in try String(contentsOfFile: EventCatalogueTests.fixture, encoding: .utf8).split(separator: "\n") {
            let v = try JSONParser.parse(String(line))
            guard v["valid"]?.boolValue == true, let type = v["type"]?.stringValue, let data = v["data"] else { continue }
            let version = v["schemaVersion"]!.numberValue!.intValue!
            out.append(Array(#"{"id":"ex-\#(out.count)","type":"\#(type)","schemaVersion":\#(version),"occurredAt":"2023-03-01T21:15:00Z","source":{"agency":"MPS","system":"s","recordId":"r"},"child":"la:309:1","episode":"la:309:1:2023-03-01","data":\#(data.serialized),"offset":7,"recordedAt":"2023-03-02T06:00:00.000Z"}"#.utf8))
        }
        let sample = EventCatalogueTests.root + "/sample-events/events.ndjson"
        for line in try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n") where !line.isEmpty { out.append(Array(line.utf8)) }
        return out
    }

    func testTheHandWrittenExamplesAgree() throws {
        let catalogue = try EventCatalogueTests.catalogue()
        let valid = try validEvents(catalogue)
        var accepted = 0
        for (n, line) in valid.enumerated() {
            XCTAssertNotNil(fullVerdict(line, catalogue), "example \(n) should be valid")
            if agree(line, catalogue, "valid example \(n)") { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, valid.count * 9 / 10, "the byte check takes most plain events")
        // The envelope examples, valid and not, and the invalid data examples in envelopes.
        let envelopes = URL(fileURLWithPath: EventCatalogueTests.fixture).deletingLastPathComponent().path + "/envelope-examples.ndjson"
        for line in try String(contentsOfFile: envelopes, encoding: .utf8).split(separator: "\n") {
            guard let value = try? JSONParser.parse(String(line)), let event = value["event"] else { continue }
            agree(Array(event.serialized.utf8), catalogue, value["why"]?.stringValue ?? "")
        }
        for line in try String(contentsOfFile: EventCatalogueTests.fixture, encoding: .utf8).split(separator: "\n") {
            let v = try JSONParser.parse(String(line))
            guard v["valid"]?.boolValue == false, let type = v["type"]?.stringValue, let data = v["data"] else { continue }
            let event = #"{"id":"x","type":"\#(type)","schemaVersion":\#(v["schemaVersion"]!.numberValue!.intValue!),"occurredAt":"2023-03-01T21:15:00Z","child":"la:309:1","episode":"e","data":\#(data.serialized)}"#
            XCTAssertFalse(agree(Array(event.utf8), catalogue, v["why"]!.stringValue!), "invalid example accepted: \(v["why"]!.stringValue!)")
        }
    }

    func testMutationsOfValidEventsNeverSlipThrough() throws {
        let catalogue = try EventCatalogueTests.catalogue()
        let valid = try validEvents(catalogue)
        var rng = XorShift(seed: 42)
        let pieces: [[UInt8]] = ["\"", "\\", ",", ":", "{", "}", "[", "]", "null", "true", "1", "-1", "1.5", "1e3", "\"x\"", " ", "\u{7f}",
                                 "é", "\"\"", "00", "-", "\"2023-02-30T00:00:00Z\"", "\"id\":\"y\",", "\"child\":null,", "\"data\":{},",
                                 "\"extra\":1,", "\"offset\":-1,"].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80]]
        var acceptedMutants = 0, rejectedMutants = 0
        for round in 0..<6000 {
            var line = valid[Int(rng.next() % UInt64(valid.count))]
            for _ in 0...(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(line.count))
                switch rng.next() % 4 {
                case 0: line.remove(at: at)
                case 1: line.insert(contentsOf: pieces[Int(rng.next() % UInt64(pieces.count))], at: at)
                case 2: line[at] = UInt8(truncatingIfNeeded: rng.next())
                default:
                    // Replace a quoted value with another piece.
                    if let q = line[at...].firstIndex(of: UInt8(ascii: "\"")), let e = line[(q + 1)...].firstIndex(of: UInt8(ascii: "\"")) {
                        line.replaceSubrange(q...e, with: pieces[Int(rng.next() % UInt64(pieces.count))])
                    }
                }
            }
            if agree(line, catalogue, "mutant \(round)") { acceptedMutants += 1 } else { rejectedMutants += 1 }
        }
        XCTAssertGreaterThan(acceptedMutants, 100, "some mutants stay valid (e.g. a changed letter in a name)")
        XCTAssertGreaterThan(rejectedMutants, 1000)
    }
}

/// A small deterministic generator for the mutations (xorshift64*).
struct XorShift {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
