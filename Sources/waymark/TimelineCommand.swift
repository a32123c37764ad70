import WaymarkProjections

/// `waymark timeline`: one child's whole history across agencies.
enum TimelineCommand {
    static let help = """
    Usage: waymark timeline --out DIR --child REF

    Prints one child's timeline as one JSON object, found by any of the child's linked
    references (la:309:538333, police:GMP:P0001234, rhi:CATCH22:C-0042…), from read models
    built by `waymark project timeline|all --out DIR`:
      {"child":…,"refs":[…],"placements":[…],"episodes":[…],"entries":[…]}
    `entries` is every event about the child in time order across agencies, each with its
    offset, recordedAt and status (current, superseded, retracted).

    Example:
      waymark timeline --out ./models --child police:GMP:P0001234

    """ + exitStatusHelp([0, 1, 2, 74], [2: "no child has that reference"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["out", "child"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let out = try a.required("out"), child = try a.required("child")
        let doc: String?
        do { doc = try TimelineStore.lookup(directory: out, ref: child) } catch { throw UsageError(description: "\(error)") }
        guard let doc else {
            printError("waymark timeline: no child with reference \(child) in \(out)")
            return .inputRejected
        }
        printResult(doc)
        return .success
    }
}
