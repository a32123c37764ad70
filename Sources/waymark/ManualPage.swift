import WaymarkStore

/// The man page, waymark(1), in roff, made from the command table (`make man`).
enum ManualPage {
    static func roff(_ commands: [Command]) -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\e").split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line) }.joined(separator: "\n")
        }
        var out = """
        .TH WAYMARK 1 "" "waymark \(WaymarkVersion.number)" "User Commands"
        .SH NAME
        waymark \\- an append-only event log of what happens when a child goes missing
        .SH SYNOPSIS
        .B waymark
        .I command
        [\\fIoptions\\fR]
        .br
        .B waymark help
        .I command
        .br
        .B waymark \\-\\-version
        .SH DESCRIPTION
        Waymark keeps every missing report, found debrief, return home interview and placement
        change from police forces, councils and interview providers as immutable events in a
        segmented, checksummed and hash-chained log, and folds them into read models that can be
        rebuilt at any time: episodes, care-home counts, cross-border handoffs, one child's timeline.
        Results go to standard output as JSON lines; diagnostics to standard error.
        .SH COMMANDS

        """
        for c in commands {
            out += ".SS \(c.name)\n\(escape(c.summary))\n.PP\n.nf\n\(escape(c.help))\n.fi\n"
        }
        out += """
        .SH FILES
        .TP
        .I DIR/*.log, *.index, *.timeindex, *.marks, *.chain, ids.index
        the log's segments and their derived files
        .TP
        .I share/waymark/Schemas, share/waymark/rules
        the event and feed schemas and the counting rules, found beside the installed binary
        (or set WAYMARK_SCHEMAS)
        .SH ENVIRONMENT
        .TP
        .B WAYMARK_SCHEMAS
        the Schemas directory to use
        .TP
        .B WAYMARK_TRACE
        1: print each projection phase's time to standard error
        .SH SEE ALSO
        The README, docs/FORMATS.md, docs/INTEGRITY.md and docs/PERFORMANCE.md in the source.

        """
        return out
    }
}
