import Foundation
import XCTest
import WaymarkEvents
import WaymarkTime
import WaymarkTestSupport

/// The envelope rules, checked on hand-written examples (`Fixtures/envelope-examples.ndjson`,
/// each with the verdict and the field at fault written by hand), by Waymark's validator and,
/// independently, by Python's jsonschema against `Schemas/envelope.schema.json`.
final class EnvelopeTests: XCTestCase {
    struct Example {
        var valid: Bool
        var field: String?
        var why: String
        var eventJSON: String
    }

    static var fixtures: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path }
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func examples() throws -> [Example] {
        let text = try String(contentsOfFile: Self.fixtures + "/envelope-examples.ndjson", encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let event = try JSONSerialization.data(withJSONObject: o["event"]!, options: [.fragmentsAllowed])
            return Example(valid: o["valid"] as! Bool, field: o["field"] as? String, why: o["why"] as! String,
                           eventJSON: String(decoding: event, as: UTF8.self))
        }
    }

    func testValidatorGivesTheHandWrittenVerdictAndField() throws {
        let all = try examples()
        XCTAssertGreaterThan(all.count, 30)
        for example in all {
            let value = try JSONParser.parse(example.eventJSON)
            switch Envelope.validate(value) {
            case .success:
                XCTAssertTrue(example.valid, "accepted but should be rejected: \(example.why)")
            case let .failure(problem):
                XCTAssertFalse(example.valid, "rejected but should be accepted: \(example.why): \(problem)")
                XCTAssertEqual(problem.field, example.field, example.why)
            }
        }
    }

    func testDecodesTheFields() throws {
        let value = try JSONParser.parse(#"{"id":"a","type":"MissingReported","occurredAt":"2023-03-01T22:15:00+01:00","child":"police:MPS:P1","supersedes":null,"data":{"k":true}}"#)
        let envelope = try Envelope.validate(value).get()
        XCTAssertEqual(envelope.id, "a")
        XCTAssertEqual(envelope.type, "MissingReported")
        XCTAssertEqual(envelope.schemaVersion, 1)
        XCTAssertEqual(envelope.occurredAt, Timestamp(millisecondsSinceEpoch: 1_677_705_300_000))
        XCTAssertEqual(envelope.child, "police:MPS:P1")
        XCTAssertNil(envelope.supersedes)
        XCTAssertEqual(envelope.data["k"], .bool(true))
    }

    /// The schema file and the validator must not drift: Python's jsonschema (Draft 2020-12,
    /// with format checking) must give every example the same verdict.
    func testPythonJSONSchemaAgreesOnEveryExample() throws {
        let script = PythonOracle.preamble + """
        schema = json.load(open(sys.argv[1]))
        v = jsonschema.Draft202012Validator(schema, format_checker=checker)
        for line in open(sys.argv[2]):
            ex = json.loads(line)
            print(json.dumps({"why": ex["why"], "valid": v.is_valid(ex["event"])}))
        """
        let lines = try PythonOracle.run(script, [Self.packageRoot + "/Schemas/envelope.schema.json", Self.fixtures + "/envelope-examples.ndjson"])
        let verdicts = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let all = try examples()
        XCTAssertEqual(verdicts.count, all.count)
        for (example, verdict) in zip(all, verdicts) {
            XCTAssertEqual(verdict["valid"] as? Bool, example.valid, "jsonschema disagrees: \(example.why)")
        }
    }
}
