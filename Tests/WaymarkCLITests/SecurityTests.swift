import Foundation
import XCTest
import WaymarkTestSupport

/// What a person with write access to a shared folder (an agency's drop folder, the folder
/// read models are published to) could plant to make Waymark overwrite, chmod or disclose
/// something else, and what Waymark does instead.
final class SecurityTests: XCTestCase {
    let root = Waymark.packageRoot
    let fm = FileManager.default

    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-security")
        addTeardownBlock { dir.remove() }
        return dir
    }

    func mode(_ path: String) throws -> Int {
        try XCTUnwrap(fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func testTheProjectorsLockFileIsNeverWrittenThroughALink() throws {
        let dir = scratch()
        let log = dir.file("log"), victim = dir.file("victim.txt")
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(5)).status, 0)
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try fm.createSymbolicLink(atPath: dir.file(".models.lock"), withDestinationPath: victim)
        let r = try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models")])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("symbolic link"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
    }

    func testALogPathThatIsALinkToAFileIsRefusedAndTheFileKeepsItsMode() throws {
        let dir = scratch()
        let victim = dir.file("victim.txt"), log = dir.file("log")
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim)
        try fm.createSymbolicLink(atPath: log, withDestinationPath: victim)
        XCTAssertNotEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(2)).status, 0)
        XCTAssertEqual(try mode(victim), 0o644)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
    }

    func testALogDirectoryMadeOpenToAllIsMadeTheOwnersAlone() throws {
        let dir = scratch()
        let log = dir.file("log")
        try fm.createDirectory(atPath: log, withIntermediateDirectories: false)
        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: log)
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(2)).status, 0)
        XCTAssertEqual(try mode(log), 0o700)
    }

    func testPlantedBuildDirectoryLinksReceiveNothing() throws {
        let dir = scratch()
        let log = dir.file("log"), victim = dir.file("victim")
        try fm.createDirectory(atPath: victim, withIntermediateDirectories: false)
        XCTAssertEqual(try Waymark.run(["append", "--log", log], stdin: sampleEvents(5)).status, 0)
        for run in 0..<10 {
            // Links where a predictable build directory (pid-named) would go, for the next pids.
            let pid = Int(ProcessInfo.processInfo.processIdentifier)
            for n in 0..<200 { try? fm.createSymbolicLink(atPath: dir.file(".models.build-\(pid + n)"), withDestinationPath: victim) }
            XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("models")]).status, 0, "run \(run)")
            XCTAssertEqual(try fm.contentsOfDirectory(atPath: victim), [], "run \(run)")
        }
        XCTAssertTrue(fm.fileExists(atPath: dir.file("models/episodes.csv")))
    }

    func testALinkedQuarantineFolderIsRefused() throws {
        let dir = scratch()
        let log = dir.file("log"), victim = dir.file("victim")
        try fm.createDirectory(atPath: victim, withIntermediateDirectories: false)
        try fm.createDirectory(atPath: log, withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: log + "/quarantine", withDestinationPath: victim)
        let r = try Waymark.run(["ingest", "police", "--force", "BTP", "--recorded-at", "2023-05-21T06:00:00Z", "--log", log,
                                 root + "/sample-events/feeds/dirty/police-BTP.csv"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertNotEqual(r.status, 2, "the run reported quarantined rows as written")
        XCTAssertTrue(r.stderr.contains("symbolic link"), r.stderr)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: victim), [])
    }

    func testAManifestCannotNameFilesOutsideItsFolder() throws {
        let dir = scratch()
        let drop = dir.file("drop"), log = dir.file("log")
        try fm.createDirectory(atPath: drop, withIntermediateDirectories: false)
        try "secret,line\n".write(toFile: dir.file("secret.csv"), atomically: false, encoding: .utf8)
        try fm.createSymbolicLink(atPath: drop + "/linked.csv", withDestinationPath: dir.file("secret.csv"))
        for file in ["../secret.csv", dir.file("secret.csv"), "linked.csv", "../../../../../../etc/passwd"] {
            try "{\"feeds\":[{\"adapter\":\"police\",\"force\":\"MPS\",\"files\":[\(JSONSerialization.quoted(file))]}]}"
                .write(toFile: drop + "/manifest.json", atomically: false, encoding: .utf8)
            let r = try Waymark.run(["ingest", "--manifest", drop + "/manifest.json", "--log", log])
            XCTAssertEqual(r.status, 1, file)
            XCTAssertTrue(r.stderr.contains("outside its directory"), r.stderr)
            XCTAssertFalse(r.stderr.contains("secret") || r.stderr.contains("root:"), r.stderr)
            XCTAssertFalse(fm.fileExists(atPath: log + "/quarantine"), file)
        }
        // Allowed when asked for: the file is read (and its rows quarantined as not police rows).
        let r = try Waymark.run(["ingest", "--manifest", drop + "/manifest.json", "--log", log, "--allow-outside"])
        XCTAssertNotEqual(r.status, 1, r.stderr)
    }
}

extension JSONSerialization {
    /// `s` as a JSON string literal.
    static func quoted(_ s: String) -> String {
        String(decoding: try! data(withJSONObject: [s]), as: UTF8.self).dropFirst().dropLast().description
    }
}
