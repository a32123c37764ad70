/// A usage error: wrong or missing arguments. Exit 1.
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// The parsed arguments of one subcommand: `--name value`, `--name=value`, boolean
/// `--flag`, and positional arguments (`-` is positional; `--` ends options).
struct CommandArguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    /// Arguments that are not options, in order.
    private(set) var positional: [String] = []
    /// Whether `--help` or `-h` was given.
    private(set) var wantsHelp = false

    /// Parses `arguments` knowing which options take a value and which are flags.
    init(_ arguments: [String], valued: Set<String>, flags allowedFlags: Set<String> = []) throws {
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let a = arguments[i]
            i += 1
            if optionsEnded || !a.hasPrefix("-") || a == "-" { positional.append(a); continue }
            if a == "--" { optionsEnded = true; continue }
            if a == "--help" || a == "-h" { wantsHelp = true; continue }
            var name = String(a.drop(while: { $0 == "-" }))
            var inline: String? = nil
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if valued.contains(name) {
                if let inline { values[name] = inline; continue }
                guard i < arguments.count else { throw UsageError(description: "--\(name) needs a value") }
                values[name] = arguments[i]
                i += 1
            } else if allowedFlags.contains(name), inline == nil {
                flags.insert(name)
            } else {
                throw UsageError(description: "unknown option --\(name)")
            }
        }
    }

    /// The value of `--name`, if given.
    func value(_ name: String) -> String? { values[name] }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `--name`, which must be given.
    func required(_ name: String) throws -> String {
        guard let v = values[name], !v.isEmpty else { throw UsageError(description: "--\(name) is required") }
        return v
    }

    /// The value of `--name` as an integer in `range`, or `fallback` when absent.
    func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError(description: "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return n
    }

    /// The value of `--name` as a non-negative number of seconds, or `fallback`.
    func seconds(_ name: String, default fallback: Double) throws -> Double {
        guard let text = values[name] else { return fallback }
        guard let n = Double(text), n >= 0, n.isFinite else {
            throw UsageError(description: "--\(name) must be a non-negative number of seconds, not '\(text)'")
        }
        return n
    }

    /// The value of `--name` as an RFC 3339 time, if given.
    func time(_ name: String) throws -> Timestamp? {
        guard let text = values[name] else { return nil }
        if let t = RFC3339.parse(text) { return t }
        if let day = CommandArguments.date(text) { return Timestamp(millisecondsSinceEpoch: day.daysSinceEpoch * 86_400_000) }
        throw UsageError(description: "--\(name) takes a date like 2023-04-01 (the start of that day, UTC) or a time like 2023-04-01T09:30:00Z")
    }

    /// `YYYY-MM-DD` as a calendar date, if it is one.
    static func date(_ text: String) -> CivilDate? {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for c in u[r] { guard c >= 0x30 && c <= 0x39 else { return nil }; n = n * 10 + Int(c - 0x30) }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        let day = CivilDate(year: y, month: m, day: d)
        return day.isValid ? day : nil
    }

    /// The `--log DIR` of a command that reads an existing log (a missing one is a usage error).
    func existingLog() throws -> String {
        let log = try required("log")
        guard LogDirectory(path: log).exists else { throw UsageError(description: "no log at \(log)") }
        return log
    }

    /// At most one positional argument (or `fallback`).
    func singleInput(default fallback: String) throws -> String {
        guard positional.count <= 1 else { throw UsageError(description: "expected one input file, got \(positional.count)") }
        return positional.first ?? fallback
    }

    /// No positional arguments.
    func noPositional() throws {
        if let first = positional.first { throw UsageError(description: "unexpected argument '\(first)'") }
    }
}

import WaymarkLog
import WaymarkTime
