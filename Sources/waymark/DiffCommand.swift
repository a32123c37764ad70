import WaymarkProjections

/// `waymark diff`: what moved between two builds of the read models.
enum DiffCommand {
    static let help = """
    Usage: waymark diff DIR_A DIR_B

    Compares two read-model directories file by file, CSV rows by key (episode, home and
    period, handoff, child…), not by line position. Prints each added (+), removed (-) and
    changed (~) row with the changed columns, then one summary line per file. The manifest's
    build time is not a difference; its offsets, rules hash and counts are.

    Example:
      waymark project all --log ./log --out ./default
      waymark project all --log ./log --out ./ssda903 --rules rules/ssda903-24h.json
      waymark diff ./default ./ssda903

    Exit status: 0 identical, 1 different (as diff(1)), 2 error.
    """

    static func run(_ args: [String]) throws -> ExitCode {
        let a: CommandArguments
        do { a = try CommandArguments(args, valued: []) } catch { printError("waymark diff: \(error)"); return .inputRejected }
        if a.wantsHelp { printResult(help); return .success }
        guard a.positional.count == 2 else { printError("waymark diff: expected two directories (see waymark diff --help)"); return .inputRejected }
        let diffs: [ReadModelDiff.FileDiff]
        do { diffs = try ReadModelDiff.compare(a.positional[0], a.positional[1]) } catch {
            printError("waymark diff: \(error)")
            return .inputRejected
        }
        var lines: [String] = []
        for d in diffs {
            if let note = d.note { lines.append("\(d.file): \(note)") }
            lines += d.removed.map { "\(d.file): - \($0)" } + d.added.map { "\(d.file): + \($0)" } + d.changed.map { "\(d.file): ~ \($0)" }
        }
        for d in diffs { lines.append("\(d.file): \(d.added.count) added, \(d.removed.count) removed, \(d.changed.count) changed\(d.note == nil ? "" : ", " + d.note!)") }
        printResult(lines.joined(separator: "\n"))
        return diffs.allSatisfy(\.isEmpty) ? .success : .usage
    }
}
