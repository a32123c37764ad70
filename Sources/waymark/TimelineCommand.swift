import WaymarkProjections

/// `waymark timeline`: one child's whole history across agencies.
enum TimelineCommand {
    static let help = """
    Usage: waymark timeline --out DIR --child REF [--format json|text]

    Prints one child's timeline, found by any of the child's linked references
    (la:309:538333, police:GMP:P0001234, rhi:CATCH22:C-0042…) or by a bare local id
    (538333, P0001234) when only one child has it (else the candidates are listed), from read
    models built by `waymark project timeline|all --out DIR`.

    --format json (the default): one JSON object,
      {"child":…,"refs":[…],"placements":[…],"episodes":[…],"entries":[…]}
    where `entries` is every event about the child in time order across agencies, each with
    its offset, recordedAt and status (current, superseded, retracted).
    --format text: for a person: the child's references, then its placements, its episodes
    and its events, one line each.

    Examples:
      waymark timeline --out ./models --child police:GMP:P0001234
      waymark timeline --out ./models --child 538333 --format text

    """ + exitStatusHelp([0, 1, 2, 74], [2: "no child has that reference (or a bare id names several: they are listed)"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["out", "child", "format"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let out = try a.required("out"), child = try a.required("child")
        let format = a.value("format") ?? "json"
        guard format == "json" || format == "text" else { throw UsageError(description: "--format is json or text") }
        var doc: String?
        do {
            doc = try TimelineStore.lookup(directory: out, ref: child)
            if doc == nil, !child.contains(":") {
                // A bare local id: the child whose references end with it, if only one.
                let candidates = try ChildDirectory.children(withLocalID: child, in: out)
                if candidates.count > 1 {
                    printError("waymark timeline: \(candidates.count) children have the id \(child): " + candidates.map { $0.child + " (" + $0.refs.joined(separator: ", ") + ")" }.joined(separator: "; "))
                    return .inputRejected
                }
                if let only = candidates.first { doc = try TimelineStore.lookup(directory: out, ref: only.child) }
            }
        } catch { throw UsageError(description: "\(error)") }
        guard let doc else {
            printError("waymark timeline: no child with reference \(child) in \(out)")
            return .inputRejected
        }
        printResult(format == "text" ? try TimelineText.render(doc) : doc)
        return .success
    }
}
