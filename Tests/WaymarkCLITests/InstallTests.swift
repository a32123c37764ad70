import Foundation
import XCTest
import WaymarkTestSupport

/// `make install` and what it installs, run as a user would from another directory: the
/// binary finds its schemas and rules under PREFIX/share/waymark, the man page and the
/// completions come from the command table. (`make install-check`, run by CI, does the same
/// from a fresh clone with the static release build.)
final class InstallTests: XCTestCase {
    func sh(_ script: String) throws -> ProcessResult { try runProcess("/bin/sh", ["-c", script]) }

    func testAnInstalledBinaryRunsTheSamplePipelineFromAnotherDirectory() throws {
        let dir = TemporaryDirectory("waymark-install")
        defer { dir.remove() }
        let prefix = dir.file("prefix")
        let make = try runProcess("/usr/bin/env", ["make", "-s", "-C", Waymark.packageRoot, "install", "PREFIX=\(prefix)", "INSTALL_BIN=\(Waymark.binary)"])
        XCTAssertEqual(make.status, 0, make.stderr)
        for file in ["bin/waymark", "share/waymark/Schemas/envelope.schema.json", "share/waymark/rules/default.json",
                     "share/man/man1/waymark.1", "share/bash-completion/completions/waymark", "share/zsh/site-functions/_waymark"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: prefix + "/" + file), file)
        }
        try FileManager.default.copyItem(atPath: Waymark.packageRoot + "/sample-events/feeds", toPath: dir.file("feeds"))
        let bin = prefix + "/bin/waymark"
        let version = try sh("cd /tmp && '\(bin)' --version")
        XCTAssertTrue(version.stdout.hasPrefix("waymark 0."), version.stdout)
        XCTAssertTrue(version.stdout.contains(prefix + "/share/waymark/Schemas"), "found the installed schemas: \(version.stdout)")
        XCTAssertTrue(try sh("cd /tmp && '\(bin)' help project").stdout.hasPrefix("Usage: waymark project"))
        let ingest = try sh("cd /tmp && '\(bin)' ingest --manifest '\(dir.file("feeds/manifest.json"))' --log '\(dir.file("log"))'")
        XCTAssertEqual(ingest.status, 2, ingest.stderr)   // the sample's dirty feeds
        XCTAssertEqual(try sh("cd /tmp && '\(bin)' project all --log '\(dir.file("log"))' --out '\(dir.file("models"))'").status, 0)
        let timeline = try sh("cd /tmp && '\(bin)' timeline --out '\(dir.file("models"))' --child police:GMP:P0001234")
        XCTAssertTrue(timeline.stdout.contains("\"child\":\"la:309:538333\""), timeline.stderr)
    }

    func testEachCommandsHelpListsOnlyItsOwnExitStatuses() throws {
        let timeline = try Waymark.run(["help", "timeline"]).stdout
        XCTAssertTrue(timeline.contains("  2   no child has that reference"))
        XCTAssertFalse(timeline.contains("75"), "timeline takes no lock")
        XCTAssertFalse(timeline.contains("input lines were rejected"))
        XCTAssertEqual(try Waymark.run(["help", "verify"]).stdout, try Waymark.run(["verify", "--help"]).stdout)
        XCTAssertEqual(try Waymark.run(["help", "nonsense"]).status, 1)
    }

    func testBashCompletionOffersCommandsOptionsAndChoices() throws {
        let script = try Waymark.run(["completion", "bash"]).stdout
        let path = TemporaryDirectory("waymark-completion")
        defer { path.remove() }
        try script.write(toFile: path.file("waymark.bash"), atomically: false, encoding: .utf8)
        func complete(_ words: [String]) throws -> [String] {
            let list = words.map { "'\($0)'" }.joined(separator: " ")
            let r = try runProcess("/bin/bash", ["-c", "source '\(path.file("waymark.bash"))'; COMP_WORDS=(\(list)); COMP_CWORD=\(words.count - 1); _waymark; printf '%s\\n' \"${COMPREPLY[@]}\""])
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.lines
        }
        XCTAssertEqual(try complete(["waymark", "pro"]), ["project"])
        XCTAssertEqual(try complete(["waymark", "verify", "--di"]), ["--digest"])
        XCTAssertTrue(try complete(["waymark", "project", "care"]).contains("care-homes"))
        XCTAssertTrue(try complete(["waymark", "ingest", "--man"]).contains("--manifest"))
    }
}
