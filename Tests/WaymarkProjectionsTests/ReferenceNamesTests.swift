import XCTest
import WaymarkTestSupport
@testable import WaymarkProjections

/// The names beside the code columns: from `code,name` files, empty for an unknown code.
final class ReferenceNamesTests: XCTestCase {
    func testNamesComeFromTheFilesAndAnUnknownCodeHasNone() throws {
        let dir = TemporaryDirectory("waymark-refnames")
        defer { dir.remove() }
        try "code,name\n309,Haringey\n356,Stockport\n".write(toFile: dir.file("local-authorities.csv"), atomically: false, encoding: .utf8)
        try "name,code\nKent Police,KENT\n".write(toFile: dir.file("police-forces.csv"), atomically: false, encoding: .utf8)
        let names = try ReferenceNames(directory: dir.path)
        XCTAssertEqual(names.name("309"), "Haringey")
        XCTAssertEqual(names.name("KENT"), "Kent Police", "columns found by name, in any order")
        XCTAssertEqual(names.name("999"), "")
        XCTAssertEqual(names.name(nil), "")
        var symbols = Symbols()
        let haringey = symbols.intern("309"), other = symbols.intern("MPS")
        let bySymbol = names.bySymbol(in: symbols)
        XCTAssertEqual(bySymbol[haringey], "Haringey")
        XCTAssertNil(bySymbol[other])
        XCTAssertEqual(symbols.find("309"), haringey)
        XCTAssertNil(symbols.find("310"))
        try "id,label\n1,x\n".write(toFile: dir.file("police-forces.csv"), atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try ReferenceNames(directory: dir.path))
        // The shipped files name every LA and force the bundled and generated data use.
        let shipped = try ReferenceNames(directory: Waymark.packageRoot + "/Schemas/reference")
        for code in ["202", "309", "320", "330", "356", "881", "886", "887", "919", "936", "MPS", "GMP", "BTP", "KENT", "ESSEX", "SURREY", "HERTS", "WMP", "K2", "U1", "U6", "T0", "P2"] {
            XCTAssertFalse(shipped.name(code).isEmpty, code)
        }
    }
}
