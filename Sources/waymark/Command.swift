/// One subcommand of `waymark`, as the command table lists it.
struct Command {
    /// What the user types: `append`.
    let name: String
    /// One line for `waymark --help`.
    let summary: String
    /// The whole `--help` text: usage, options, example, exit statuses.
    let help: String
    /// Parses the arguments and does the work.
    let run: ([String]) throws -> ExitCode

    init(_ name: String, _ summary: String, _ help: String, _ run: @escaping ([String]) throws -> ExitCode) {
        self.name = name
        self.summary = summary
        self.help = help
        self.run = run
    }

    /// The options the help names (`--log`, `--rebuild`, …), in the order it first names them.
    var options: [String] {
        var seen: [String] = []
        let bytes = Array(help.utf8)
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == UInt8(ascii: "-"), bytes[i + 1] == UInt8(ascii: "-"), i == 0 || !Command.isWordByte(bytes[i - 1]),
               bytes[i + 2] >= UInt8(ascii: "a"), bytes[i + 2] <= UInt8(ascii: "z") {
                var j = i + 2
                while j < bytes.count, Command.isWordByte(bytes[j]) || bytes[j] == UInt8(ascii: "-") { j += 1 }
                let option = String(decoding: bytes[i..<j], as: UTF8.self)
                if !seen.contains(option) { seen.append(option) }
                i = j
            } else {
                i += 1
            }
        }
        return seen
    }

    /// The first argument's choices when the usage line offers them (`<timeline|care-homes|…>`).
    var choices: [String] {
        guard let usage = help.split(separator: "\n").first, let open = usage.firstIndex(of: "<"),
              let close = usage[open...].firstIndex(of: ">") else { return [] }
        let inside = usage[usage.index(after: open)..<close]
        return inside.contains("|") ? inside.split(separator: "|").map(String.init) : []
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}
