import Foundation
import XCTest
@testable import WaymarkEvents

/// The compiled pattern matcher agrees with NSRegularExpression (the reference) on every pattern
/// the schema files use, over strings that match and strings that nearly do.
final class SchemaPatternTests: XCTestCase {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func patterns() throws -> Set<String> {
        var found: Set<String> = []
        func walk(_ v: JSONValue) {
            switch v {
            case let .object(o):
                for m in o.members {
                    if m.key == "pattern", let p = m.value.stringValue { found.insert(p) }
                    walk(m.value)
                }
            case let .array(a): a.forEach(walk)
            default: break
            }
        }
        for dir in ["Schemas/events", "Schemas/feeds"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: Self.root + "/" + dir) {
                walk(try JSONParser.parse(String(contentsOfFile: Self.root + "/\(dir)/\(name)", encoding: .utf8)))
            }
        }
        return found
    }

    let samples = ["", "309", "30", "3099", "la:309:538333", "la:309:538333:2022-11-20", "la:309:538333:2022-11", "police:MPS:P0001234",
                   "police:mps:P1", "rhi:CATCH22:R-1881", "SC041236", "SC04123", "unreg:ACME:12", "unreg:ACME", "2023-03-01", "2023-3-01",
                   "2023-03-01T21:15:00Z", "2023-03-01T21:15:00.123+01:00", "2023-03-01 21:15:00Z", "01/03/2023", "1/03/2023", "SK4", "SK4 3",
                   "SK4 3AB", "N17", "ME14", "B15 2", "cse", "cse;cce", "cse;", ";cse", "cse;bikes", "countyLines;gangs;other", "mash;nrm",
                   "M-2023-004411", "M 2023", "a/b_c-d", "-abc", "2007-06", "2007-06-14", "2007-13", "KENT", "K", "GMP1", "é", "la:309:é",
                   "police:GMP:M-1", "police:GMP:", "PR4", "4", "12345", "CATCH22", "catch22", "X", "XXXXXXX"]

    func testTheMatcherAgreesWithNSRegularExpressionOnEverySchemaPattern() throws {
        let all = try patterns()
        XCTAssertGreaterThan(all.count, 20)
        for p in all {
            let reference = try NSRegularExpression(pattern: p)
            let compiled = try XCTUnwrap(SchemaPattern(p), p)
            for s in samples {
                let expected = reference.firstMatch(in: s, range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil
                XCTAssertEqual(compiled.matches(s), expected, "pattern \(p) on \"\(s)\"")
            }
        }
    }

    /// Random strings over the bytes the patterns are made of (plus a space and an accented
    /// letter): the automaton must agree with the reference on every one. (No newline: ICU's `$`
    /// also matches before a final one, where ECMA-262's, and ours, does not.)
    func testTheAutomatonAgreesWithNSRegularExpressionOnRandomStrings() throws {
        let alphabet = Array("0123456789-:/;.+ZTSCXla:police:GMP_rhi cse;otheré").map(String.init)
        var generator = SystemRandomNumberGenerator()
        let unanchored = ["ab+c", "a$", "^a", "(a|)*b", "x{2,3}", "[^:]+:", "c.e", "(0|1)?2{0,2}$"]
        for p in try patterns().sorted() + unanchored {
            let reference = try NSRegularExpression(pattern: p)
            let compiled = try XCTUnwrap(SchemaPattern(p), p)
            for _ in 0..<300 {
                let s = (0..<Int.random(in: 0...14, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
                let expected = reference.firstMatch(in: s, range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil
                XCTAssertEqual(compiled.matches(s), expected, "pattern \(p) on \"\(s)\"")
            }
        }
    }

    func testUnanchoredPatternsSearchAndAnchorsHold() throws {
        for (p, s, expected) in [("ab+c", "xxabbbcx", true), ("ab+c", "xxacx", false), ("a$", "ba", true), ("a$", "ab", false),
                                 ("^a", "ab", true), ("^a", "ba", false), ("(a|)*b", "aaab", true), ("x{2,3}", "axxb", true),
                                 ("^x{2,3}$", "xxxx", false), ("^x{2,3}$", "xxx", true), ("", "", true), ("^$", "a", false),
                                 // Characters, not bytes: é is two bytes of UTF-8.
                                 ("c.e", "cée", true), ("^[^:]{1,3}$", "ééé", true), ("^.$", "é", true)] {
            XCTAssertEqual(try XCTUnwrap(SchemaPattern(p)).matches(s), expected, "\(p) on \(s)")
        }
    }

    func testSyntaxOutsideTheSubsetFallsBackAndStillAnswersRightly() throws {
        for (p, s, expected) in [("^(?:ab)+$", "abab", true), ("\\bword\\b", "a word here", true), ("^\\w+$", "abc_1", true), ("^\\w+$", "a b", false)] {
            XCTAssertEqual(try XCTUnwrap(SchemaPattern(p)).matches(s), expected, p)
        }
        XCTAssertNil(SchemaPattern("(unclosed"))
    }
}
