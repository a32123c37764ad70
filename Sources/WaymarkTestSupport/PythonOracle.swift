import Foundation
import XCTest

/// Python's `jsonschema` as an independent oracle for Waymark's schema validation. Runs
/// `script` (which prints one JSON verdict per line, or `SKIP reason`) and returns the lines;
/// throws XCTSkip, saying why, when python3 or jsonschema is missing.
public enum PythonOracle {
    public static func run(_ script: String, _ arguments: [String]) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { throw XCTSkip("python3 not found") }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if text.hasPrefix("SKIP") { throw XCTSkip(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard p.terminationStatus == 0 else { throw XCTSkip("python3 failed (status \(p.terminationStatus))") }
        return text.split(separator: "\n").map(String.init)
    }

    /// The lines that import jsonschema and its date-time checker, or print SKIP and exit.
    public static let preamble = """
    import json, sys, os
    try:
        import jsonschema
    except ImportError:
        print("SKIP jsonschema not installed (pip install jsonschema rfc3339-validator)"); sys.exit(0)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    if "date-time" not in checker.checkers:
        print("SKIP no date-time format checker (pip install rfc3339-validator)"); sys.exit(0)

    """
}
