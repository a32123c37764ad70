import WaymarkProjections

/// `waymark diff`: what moved between two builds of the read models.
enum DiffCommand {
    static let help = """
    Usage: waymark diff [--summary] DIR_A DIR_B

    Compares two read-model directories file by file, CSV rows by key (episode, home and
    period, handoff, child…), not by line position. Prints each added (+), removed (-) and
    changed (~) row with the changed columns, then one summary line per file: rows added,
    removed and changed, and the columns that changed in most rows. The manifest's build
    time is not a difference; its offsets, rules hash and counts are.

    Options:
      --summary    print only the summary lines

    Example:
      waymark project all --log ./log --out ./default
      waymark project all --log ./log --out ./ssda903 --rules rules/ssda903-24h.json
      waymark diff --summary ./default ./ssda903

    """ + exitStatusHelp([0, 1, 2], [0: "the directories hold the same read models", 1: "they differ (as diff(1))", 2: "error (a directory or file unreadable)"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a: CommandArguments
        do { a = try CommandArguments(args, valued: [], flags: ["summary"]) } catch { printError("waymark diff: \(error)"); return .inputRejected }
        if a.wantsHelp { printResult(help); return .success }
        guard a.positional.count == 2 else { printError("waymark diff: expected two directories (see waymark diff --help)"); return .inputRejected }
        let diffs: [ReadModelDiff.FileDiff]
        do { diffs = try ReadModelDiff.compare(a.positional[0], a.positional[1]) } catch {
            printError("waymark diff: \(error)")
            return .inputRejected
        }
        var lines: [String] = []
        if !a.flag("summary") {
            for d in diffs {
                if let note = d.note { lines.append("\(d.file): \(note)") }
                lines += d.removed.map { "\(d.file): - \($0)" } + d.added.map { "\(d.file): + \($0)" } + d.changed.map { "\(d.file): ~ \($0)" }
            }
        }
        lines += diffs.map(\.summary)
        printResult(lines.joined(separator: "\n"))
        return diffs.allSatisfy(\.isEmpty) ? .success : .usage
    }
}
