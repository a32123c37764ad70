import WaymarkEvents
import WaymarkLog
import WaymarkStore

/// `waymark verify`: a full check of a log.
enum VerifyCommand {
    static let help = """
    Usage: waymark verify --log DIR [--digest] [--expect HASH@OFFSET]

    Checks every record's framing and CRC-32C, that offsets are dense and increasing across
    segments, that recordedAt never decreases, that the SHA-256 hash chain over the records
    gives the value each segment's `*.chain` file recorded (so a record edited with its CRC
    recomputed, a removed record and a removed segment are all found), and that the offset,
    time and id indexes and the marks of correcting events (`*.marks`) agree with the data.
    Reads only; safe beside a running writer.

      --digest               print only the log's head: HASH@OFFSET, the chain's value after
                             the last record and the offset after it; record it beside a
                             published dataset
      --expect HASH@OFFSET   also prove the log still extends that recorded state: the chain's
                             value after the first OFFSET records must be HASH (exit 3 if not)

    Prints one JSON line:
      {"intact":true,"segments":S,"events":N,"bytes":B,"firstOffset":0,"lastOffset":N-1,
       "lastRecordedAt":"…","chainStart":0,"head":"HASH@N","tornTail":null,"damage":null,
       "indexProblems":[],"chainProblems":[]}
    ("chainStart" is where the chain begins: later than 0 for a log written before chains;
    the records before it are covered by their CRCs only. `waymark recover` chains them.)

    A torn tail (what a crash leaves at the end of the active segment; the next writer cuts
    it) is reported on standard error and is not damage: exit 0. Damage in a sealed segment,
    or before the last record of the active one, exits 3 naming the segment file and the
    byte position of the first bad record. Index files that disagree with the data also
    exit 3; `waymark recover` rebuilds them.

    Examples:
      waymark verify --log ./log
      waymark verify --log ./log --digest > published/log-head.txt
      waymark verify --log ./log --expect "$(cat published/log-head.txt)"

    """ + exitStatusHelp([0, 1, 3, 74], [3: "damage, a chain problem, an index problem, or --expect not met"])

    static func run(_ args: [String]) throws -> ExitCode {
        let a = try CommandArguments(args, valued: ["log", "expect"], flags: ["digest"])
        if a.wantsHelp { printResult(help); return .success }
        try a.noPositional()
        let log = try a.existingLog()
        var expected: (digest: ChainDigest, offset: Offset)? = nil
        if let text = a.value("expect") {
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let digest = ChainDigest(hex: parts[0]), let offset = UInt64(parts[1]) else {
                throw UsageError(description: "--expect takes HASH@OFFSET: 64 hex digits, '@', and an offset (as `verify --digest` prints it)")
            }
            expected = (digest, Offset(offset))
        }
        let r = try LogVerifier(directory: log, marker: .corrections).verify(expect: expected?.offset)
        if let t = r.tornTail {
            printError("waymark verify: torn tail in \(t.file) at byte \(t.position) (\(t.bytes) bytes: \(t.reason)); the next writer cuts it")
        }
        if let d = r.damage {
            printError("waymark verify: DAMAGE in \(d.file) at byte \(d.position): \(d.reason)")
        }
        for p in r.chainProblems {
            printError("waymark verify: CHAIN \(p.file): \(p.reason)")
        }
        for p in r.indexProblems {
            printError("waymark verify: index \(p.file): \(p.reason); rebuild with: waymark recover --log \(log)")
        }
        if let start = r.chainStart, start > .zero {
            printError("waymark verify: the hash chain starts at offset \(start); the records before it are covered by their CRCs only (`waymark recover` chains them)")
        }
        var extends = true
        if let expected {
            if r.expectedFound == expected.digest {
                printError("waymark verify: the log extends \(expected.digest)@\(expected.offset)")
            } else {
                extends = false
                if let found = r.expectedFound {
                    printError("waymark verify: the log does NOT extend \(expected.digest)@\(expected.offset): after \(expected.offset) records its chain is \(found)")
                } else {
                    let why = r.head.map { expected.offset > $0.offset ? "it holds only \($0.offset) records" : "its chain starts at offset \(r.chainStart ?? .zero)" } ?? "it has no hash chain"
                    printError("waymark verify: cannot show the log extends \(expected.digest)@\(expected.offset): \(why)")
                }
            }
        }
        let head = r.head.map { "\($0.digest)@\($0.offset)" }
        if a.flag("digest") {
            guard let head else {
                printError("waymark verify: the log has no hash chain yet (no records written by a chaining writer); run `waymark recover --log \(log)` to chain it")
                return .damaged
            }
            printResult(head)
            return r.isIntact && extends ? .success : .damaged
        }
        let tornTail = r.tornTail.map { JSONText.Raw(text: JSONText.object(["file": .string($0.file), "position": .int($0.position), "bytes": .int($0.bytes)])) }
        let damage = r.damage.map { JSONText.Raw(text: JSONText.object(["file": .string($0.file), "position": .int($0.position), "reason": .string($0.reason)])) }
        func list(_ items: [(file: String, reason: String)]) -> JSONText.Raw {
            JSONText.Raw(text: "[" + items.map { JSONText.object(["file": .string($0.file), "reason": .string($0.reason)]) }.joined(separator: ",") + "]")
        }
        printResult(JSONText.object([
            "intact": .bool(r.isIntact), "segments": .int(r.segments), "events": .int(r.records), "bytes": .int(r.bytes),
            "firstOffset": .int(r.firstOffset?.rawValue), "lastOffset": .int(r.lastOffset?.rawValue),
            "lastRecordedAt": .string(r.lastRecordedAt?.rfc3339),
            "chainStart": .int(r.chainStart?.rawValue), "head": .string(head),
            "tornTail": tornTail ?? JSONText.Raw(text: "null"), "damage": damage ?? JSONText.Raw(text: "null"),
            "indexProblems": list(r.indexProblems), "chainProblems": list(r.chainProblems),
        ]))
        return r.isIntact && extends ? .success : .damaged
    }
}
