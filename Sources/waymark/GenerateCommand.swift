import WaymarkIngest

/// `waymark generate`: synthetic agency feeds at London scale.
enum GenerateCommand {
    static let help = """
    Usage: waymark generate --out DIR [--seed N] [--children N] [--years N]

    Writes synthetic feeds in the four feed formats (CSV, not events) at realistic London
    scale, and DIR/manifest.json listing every feed file in the order to ingest it, with its
    adapter and options. The same seed gives the same bytes. The defaults give one financial
    year (2022-23) of London: 9,400 children and 30,615 incidents (other seeds give about
    30,000). Distributions are described in docs/DESIGN.md (Synthetic data).

    Options:
      --out DIR        where to write (created if needed)
      --seed N         random seed (default 1)
      --children N     children at any time (default 9400)
      --years N        financial years from April 2022 (default 1)

    Prints one JSON line: {"files":F,"children":C,"incidents":I,"manifest":"DIR/manifest.json"}

    Example:
      waymark generate --out ./feeds --seed 7 && waymark ingest --manifest ./feeds/manifest.json --log ./log

    """ + exitStatusHelp([0, 1, 74])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["out", "seed", "children", "years"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let out = try a.required("out")
        var generator = FeedGenerator(.init(seed: UInt64(try a.integer("seed", default: 1, in: 0...Int.max)),
                                            children: try a.integer("children", default: 9400, in: 1...10_000_000),
                                            years: try a.integer("years", default: 1, in: 1...50)))
        let r = try generator.write(to: out)
        printResult("{\"files\":\(r.files),\"children\":\(r.children),\"incidents\":\(r.incidents),\"manifest\":\(JSONText.quote(r.manifest))}")
        return .success
    }
}

import WaymarkEvents
