import XCTest
@testable import WaymarkProjections

/// The child prefix of placement and LA episode references (`la:LA:ID`), which links an LA's
/// episodes and placements to the child: the quick path (the reference's own first bytes)
/// must give what the general one gives, and both what a person expects.
final class ReferencePrefixTests: XCTestCase {
    func testPrefixIsTheFirstThreeNonEmptyParts() {
        let cases: [(String, String, quick: Bool)] = [
            ("la:202:C1234:2021-03-04", "la:202:C1234", true),
            ("la:202:C1234", "la:202:C1234", true),
            ("la:202:C1234:", "la:202:C1234", true),
            ("a:b:c:d:e", "a:b:c", true),
            ("la:202", "la:202", true),
            ("la", "la", true),
            ("la:202:", "la:202", false),
            ("la::202:C1234:2021", "la:202:C1234", false),
            (":la:202:C1234", "la:202:C1234", false),
            ("la:202::C1234", "la:202:C1234", false),
            ("::", "", false),
            ("", "", false),
        ]
        for (ref, expected, quick) in cases {
            let bytes = Array(ref.utf8)
            XCTAssertEqual(String(decoding: ProjectionState.prefix(bytes), as: UTF8.self), expected, ref)
            let n = bytes.withUnsafeBytes { ProjectionState.plainPrefixLength($0) }
            XCTAssertEqual(n != nil, quick, "quick path for \(ref)")
            if let n { XCTAssertEqual(String(decoding: bytes[0..<n], as: UTF8.self), expected, ref) }
        }
    }
}
