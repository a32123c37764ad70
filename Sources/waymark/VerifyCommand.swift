import WaymarkEvents
import WaymarkLog
import WaymarkStore

/// `waymark verify`: a full check of a log.
enum VerifyCommand {
    static let help = """
    Usage: waymark verify --log DIR

    Checks every record's framing and CRC-32C, that offsets are dense and increasing across
    segments, that recordedAt never decreases, and that the offset, time and id indexes and
    the marks of correcting events (`*.marks`) agree with the data. Reads only; safe beside a running writer.

    Prints one JSON line:
      {"intact":true,"segments":S,"events":N,"bytes":B,"firstOffset":0,"lastOffset":N-1,
       "lastRecordedAt":"…","tornTail":null,"damage":null,"indexProblems":[]}

    A torn tail (what a crash leaves at the end of the active segment; the next writer cuts
    it) is reported on standard error and is not damage: exit 0. Damage in a sealed segment,
    or before the last record of the active one, exits 3 naming the segment file and the
    byte position of the first bad record. Index files that disagree with the data also
    exit 3; `waymark recover` rebuilds them.

    Example:
      waymark verify --log ./log

    """ + exitStatusHelp

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        let r = try LogVerifier(directory: log, marker: .corrections).verify()
        if let t = r.tornTail {
            printError("waymark verify: torn tail in \(t.file) at byte \(t.position) (\(t.bytes) bytes: \(t.reason)); the next writer cuts it")
        }
        if let d = r.damage {
            printError("waymark verify: DAMAGE in \(d.file) at byte \(d.position): \(d.reason)")
        }
        for p in r.indexProblems {
            printError("waymark verify: index \(p.file): \(p.reason); rebuild with: waymark recover --log \(log)")
        }
        let tornTail = r.tornTail.map { JSONText.Raw(text: JSONText.object(["file": .string($0.file), "position": .int($0.position), "bytes": .int($0.bytes)])) }
        let damage = r.damage.map { JSONText.Raw(text: JSONText.object(["file": .string($0.file), "position": .int($0.position), "reason": .string($0.reason)])) }
        let problems = JSONText.Raw(text: "[" + r.indexProblems.map { JSONText.object(["file": .string($0.file), "reason": .string($0.reason)]) }.joined(separator: ",") + "]")
        printResult(JSONText.object([
            "intact": .bool(r.isIntact), "segments": .int(r.segments), "events": .int(r.records), "bytes": .int(r.bytes),
            "firstOffset": .int(r.firstOffset?.rawValue), "lastOffset": .int(r.lastOffset?.rawValue),
            "lastRecordedAt": .string(r.lastRecordedAt?.rfc3339),
            "tornTail": tornTail ?? JSONText.Raw(text: "null"), "damage": damage ?? JSONText.Raw(text: "null"),
            "indexProblems": problems,
        ]))
        return r.isIntact ? .success : .damaged
    }
}
