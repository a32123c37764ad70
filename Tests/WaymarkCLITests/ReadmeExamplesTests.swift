import Foundation
import XCTest
import WaymarkTestSupport

/// Every example in the README, run as written, in order, in one fresh directory (holding a
/// copy of `sample-events/` and `rules/`, with `waymark` on the PATH), must print exactly
/// what the README shows. An example is a line starting `$ ` in a ```sh block; the lines
/// after it, up to the next example or the block's end, are its standard output. `…` in a
/// shown line stands for any text (the clock's times). Each command must exit 0.
final class ReadmeExamplesTests: XCTestCase {
    struct Example { var command: String; var output: [String]; var line: Int }

    static func examples(in readme: String) -> [Example] {
        var out: [Example] = []
        var inBlock = false
        for (n, raw) in readme.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.hasPrefix("```") { inBlock = line == "```sh"; continue }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") { out.append(Example(command: String(line.dropFirst(2)), output: [], line: n + 1)) }
            else if !out.isEmpty { out[out.count - 1].output.append(line) }
        }
        return out
    }

    /// Whether `actual` is `shown`, with each `…` standing for any text.
    static func matches(_ shown: String, _ actual: String) -> Bool {
        let parts = shown.components(separatedBy: "…")
        guard parts.count > 1 else { return shown == actual }
        guard actual.hasPrefix(parts[0]), actual.hasSuffix(parts[parts.count - 1]) else { return false }
        var rest = actual.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count)
        for part in parts.dropFirst().dropLast() {
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }

    func testTheMatcher() {
        XCTAssertTrue(Self.matches("a…c", "abbbc"))
        XCTAssertTrue(Self.matches("{\"x\":1,…}", "{\"x\":1,\"y\":2}"))
        XCTAssertFalse(Self.matches("a…c", "abd"))
        XCTAssertFalse(Self.matches("abc", "abcd"))
    }

    func testEveryReadmeExamplePrintsWhatTheReadmeShows() throws {
        let root = Waymark.packageRoot
        let examples = Self.examples(in: try String(contentsOfFile: root + "/README.md", encoding: .utf8))
        XCTAssertGreaterThan(examples.count, 15)
        let dir = TemporaryDirectory("waymark-readme")
        defer { dir.remove() }
        for folder in ["sample-events", "rules"] { try FileManager.default.copyItem(atPath: root + "/" + folder, toPath: dir.file(folder)) }
        let binDir = URL(fileURLWithPath: Waymark.binary).deletingLastPathComponent().path
        for e in examples {
            let r = try runProcess("/bin/bash", ["-c", "cd '\(dir.path)' && PATH='\(binDir)':\"$PATH\" \(e.command)"])
            let actual = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let trimmed = actual.last == "" ? Array(actual.dropLast()) : actual
            XCTAssertEqual(r.status, 0, "README line \(e.line): `\(e.command)` exited \(r.status): \(r.stderr)")
            let same = trimmed.count == e.output.count && zip(e.output, trimmed).allSatisfy { Self.matches($0, $1) }
            XCTAssertTrue(same, "README line \(e.line): `\(e.command)` printed:\n\(trimmed.joined(separator: "\n"))\nthe README shows:\n\(e.output.joined(separator: "\n"))")
        }
    }
}
