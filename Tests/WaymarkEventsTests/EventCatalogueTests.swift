import Foundation
import XCTest
import WaymarkEvents
import WaymarkTime
import WaymarkTestSupport

/// The event schemas in `Schemas/events/`, on hand-written examples
/// (`Fixtures/event-examples.ndjson`, verdict and field at fault written by hand), checked by
/// Waymark's validator and, independently, by Python's jsonschema.
final class EventCatalogueTests: XCTestCase {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
    static var fixture: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/event-examples.ndjson" }

    static func catalogue() throws -> EventCatalogue {
        let dir = root + "/Schemas/events"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".schema.json") }
        return try EventCatalogue(documents: names.map { name in
            let data = FileManager.default.contents(atPath: dir + "/" + name)!
            return (name, try data.withUnsafeBytes { try JSONParser.parse($0) })
        })
    }

    struct Example { var type: String; var version: Int; var valid: Bool; var field: String?; var why: String; var data: JSONObject }

    func examples() throws -> [Example] {
        try String(contentsOfFile: Self.fixture, encoding: .utf8).split(separator: "\n").map { line in
            let v = try JSONParser.parse(String(line))
            return Example(type: v["type"]!.stringValue!, version: v["schemaVersion"]!.numberValue!.intValue!, valid: v["valid"]!.boolValue!,
                           field: v["field"]?.stringValue, why: v["why"]!.stringValue!, data: v["data"]!.objectValue!)
        }
    }

    func envelope(_ e: Example) -> Envelope {
        Envelope(id: "x", type: e.type, schemaVersion: e.version, occurredAt: Timestamp(millisecondsSinceEpoch: 0),
                 child: "la:309:1", episode: "la:309:1:2023-03-01", data: e.data)
    }

    func testEveryTypeOfTheCatalogueHasASchema() throws {
        XCTAssertEqual(try Self.catalogue().types, ["CareHomeRegistered", "CaseTransferAccepted", "CaseTransferRequested", "ChildFound",
                                                    "ChildRecorded", "EventRetracted", "FoundDebriefRecorded", "HostNotified", "IdentityLinked",
                                                    "MissingReported", "PlacementEnded", "PlacementStarted", "ReturnInterviewRecorded", "RiskAssessed"])
        XCTAssertEqual(try Self.catalogue().latestVersion(of: "MissingReported"), 1)
    }

    func testValidatorGivesTheHandWrittenVerdictAndField() throws {
        let catalogue = try Self.catalogue()
        let all = try examples()
        XCTAssertGreaterThan(all.count, 40)
        XCTAssertEqual(Set(all.map(\.type)).count, 14, "every type has examples")
        for e in all {
            let problem = catalogue.validate(envelope(e))
            if e.valid { XCTAssertNil(problem, e.why) } else {
                XCTAssertEqual(problem?.field, e.field, "\(e.why): \(problem.map { "\($0)" } ?? "accepted")")
            }
        }
    }

    func testSubjectFieldsAreRequiredByType() throws {
        let catalogue = try Self.catalogue()
        var e = envelope(try examples().first { $0.type == "MissingReported" && $0.valid }!)
        e.episode = nil
        XCTAssertEqual(catalogue.validate(e)?.field, "episode")
        e.child = nil
        XCTAssertEqual(catalogue.validate(e)?.field, "child")
        var home = envelope(try examples().first { $0.type == "CareHomeRegistered" && $0.valid }!)
        home.child = nil
        home.episode = nil
        XCTAssertNil(catalogue.validate(home), "a care home has no child")
    }

    func testPythonJSONSchemaAgreesOnEveryExample() throws {
        let script = PythonOracle.preamble + """
        for line in open(sys.argv[2]):
            ex = json.loads(line)
            name = ex["type"] + ("" if ex["schemaVersion"] == 1 else ".v%d" % ex["schemaVersion"]) + ".schema.json"
            schema = json.load(open(os.path.join(sys.argv[1], name)))
            v = jsonschema.Draft202012Validator(schema, format_checker=checker)
            print(json.dumps({"why": ex["why"], "valid": v.is_valid(ex["data"])}))
        """
        let lines = try PythonOracle.run(script, [Self.root + "/Schemas/events", Self.fixture])
        let verdicts = lines.map { try! JSONParser.parse($0) }
        let all = try examples()
        XCTAssertEqual(verdicts.count, all.count)
        for (e, v) in zip(all, verdicts) { XCTAssertEqual(v["valid"]?.boolValue, e.valid, "jsonschema disagrees: \(e.why)") }
    }

    func testSchemasRefuseKeywordsTheValidatorDoesNotImplement() {
        XCTAssertThrowsError(try JSONSchema(try JSONParser.parse(#"{"type":"string","contentEncoding":"base64"}"#), name: "x")) {
            XCTAssertTrue("\($0)".contains("contentEncoding"))
        }
        XCTAssertThrowsError(try JSONSchema(try JSONParser.parse(#"{"$ref":"other.json#/x"}"#), name: "x"))
    }
}

final class UpcasterTests: XCTestCase {
    func v0(_ risk: String) throws -> Envelope {
        try Envelope.validate(try JSONParser.parse(#"{"id":"a","type":"MissingReported","schemaVersion":0,"occurredAt":"2019-05-01T10:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2019-05-01T10:00:00Z","missingFrom":"home","risk":"\#(risk)","notes":"kept"}}"#)).get()
    }

    func testAbsentBecomesACategoryWithNoApparentRisk() throws {
        let up = Upcasters.upcast(try v0("absent"))
        XCTAssertEqual(up.schemaVersion, 1)
        XCTAssertEqual(JSONValue.object(up.data).serialized,
                       #"{"reportedAt":"2019-05-01T10:00:00Z","missingFrom":"home","notes":"kept","category":"absent","riskLevel":"noApparentRisk"}"#)
    }

    func testAGradeBecomesTheRiskLevelOfAMissingEpisode() throws {
        for grade in ["high", "medium", "low"] {
            let up = Upcasters.upcast(try v0(grade))
            XCTAssertEqual(up.data["category"], .string("missing"))
            XCTAssertEqual(up.data["riskLevel"], .string(grade))
            XCTAssertNil(up.data["risk"])
        }
    }

    func testUpcastEventsPassTheCurrentSchemaAndCurrentEventsAreUntouched() throws {
        let catalogue = try EventCatalogueTests.catalogue()
        for grade in ["high", "medium", "low", "absent"] {
            XCTAssertNil(catalogue.validate(try v0(grade)), "v0 \(grade) is valid as version 0")
            XCTAssertNil(catalogue.validate(Upcasters.upcast(try v0(grade))), "upcast \(grade) is valid as version 1")
        }
        let current = try Envelope.validate(try JSONParser.parse(#"{"id":"b","type":"ChildFound","occurredAt":"2019-05-01T10:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"foundAt":"2019-05-01T12:00:00Z"}}"#)).get()
        XCTAssertEqual(Upcasters.upcast(current), current)
    }
}
