import Foundation

/// The outcome of running a process to completion.
public struct ProcessResult {
    /// Exit status (or 128 + signal when killed).
    public var status: Int32
    /// Everything it wrote to standard output.
    public var stdout: String
    /// Everything it wrote to standard error.
    public var stderr: String
    /// Standard output's lines.
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs the real `waymark` executable, as a user would.
public enum Waymark {
    /// The built executable: `$WAYMARK_BIN`, else `.build/debug/waymark` in the package.
    public static var binary: String {
        if let env = ProcessInfo.processInfo.environment["WAYMARK_BIN"], !env.isEmpty { return env }
        var dir = URL(fileURLWithPath: #filePath)
        while dir.path != "/" {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent(".build/debug/waymark").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "waymark"
    }

    /// The package's root directory (for fixtures such as `Schemas/` and `sample-events/`).
    public static var packageRoot: String {
        var dir = URL(fileURLWithPath: #filePath)
        while dir.path != "/" {
            dir.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir.path }
        }
        return FileManager.default.currentDirectoryPath
    }

    /// Runs `waymark ARGS` with `stdin` as standard input and waits for it; `environment`
    /// adds variables to the inherited ones.
    @discardableResult
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        try runProcess(binary, arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment)
    }

    /// Starts `waymark ARGS` without waiting (for kill and concurrency tests).
    public static func start(_ arguments: [String], stdin: FileHandle? = nil, stdout: FileHandle? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.standardOutput = stdout ?? FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = stdin ?? FileHandle.nullDevice
        try p.run()
        return p
    }
}

/// Runs `executable ARGS`, feeding `stdin`, and collects its output and status. Output goes
/// through temporary files, so no pipe can fill up and stall the child.
public func runProcess(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    let scratch = TemporaryDirectory("waymark-proc")
    defer { scratch.remove() }
    let outPath = scratch.file("stdout"), errPath = scratch.file("stderr"), inPath = scratch.file("stdin")
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = FileHandle(forWritingAtPath: outPath)!, err = FileHandle(forWritingAtPath: errPath)!
    let input = FileHandle(forReadingAtPath: inPath)!
    defer { try? out.close(); try? err.close(); try? input.close() }
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    p.waitUntilExit()
    let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
    let outText = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let errText = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return ProcessResult(status: status, stdout: outText, stderr: errText)
}

/// A JSON object parsed with Foundation (independent of Waymark's own parser).
public func jsonObject(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}

/// NDJSON for `count` envelopes with ids `prefix-0` …, each with some payload bulk.
public func sampleEvents(_ count: Int, prefix: String = "ev", start: Int = 0) -> String {
    var s = ""
    for i in start..<(start + count) {
        s += "{\"id\":\"\(prefix)-\(i)\",\"type\":\"MissingReported\",\"occurredAt\":\"2023-03-01T21:15:00Z\",\"child\":\"police:MPS:P\(i % 97)\",\"episode\":\"police:MPS:M-\(i)\",\"data\":{\"reportedAt\":\"2023-03-01T21:15:00Z\",\"missingFrom\":\"home\",\"category\":\"missing\",\"notes\":\"\(String(repeating: "x", count: i % 50))\"}}\n"
    }
    return s
}

/// Every file of a read-model directory by name, `manifest.json` without its build time (the
/// one field that differs between two builds of the same models).
public func readModelFiles(_ dir: String) throws -> [String: String] {
    var files: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
        var text = String(decoding: FileManager.default.contents(atPath: dir + "/" + name) ?? Data(), as: UTF8.self)
        if name == "manifest.json", let r = text.range(of: #","builtAt":"[^"]*""#, options: .regularExpression) { text.removeSubrange(r) }
        files[name] = text
    }
    return files
}

/// How many rounds a kill loop runs: `WAYMARK_CRASH_ROUNDS` when set (`make crash-test` sets
/// it high), else `default` (the brief run of `make test`).
public func crashRounds(default rounds: Int) -> Int {
    ProcessInfo.processInfo.environment["WAYMARK_CRASH_ROUNDS"].flatMap(Int.init) ?? rounds
}
