import Foundation
import XCTest
import WaymarkTestSupport

/// The command-line contract of issue 2, run against the real binary.
final class CommandLineContractTests: XCTestCase {
    var dir: TemporaryDirectory!
    var log: String { dir.file("log") }

    override func setUp() {
        dir = TemporaryDirectory("waymark-cli")
    }

    override func tearDown() {
        dir.remove()
    }

    let two = """
    {"id":"a","type":"MissingReported","occurredAt":"2023-03-01T21:15:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2023-03-01T21:15:00Z","missingFrom":"home","category":"missing"}}
    {"id":"b","type":"ChildFound","occurredAt":"2023-03-02T08:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"foundAt":"2023-03-02T08:00:00Z"}}

    """

    func testAppendPrintsOneSummaryLineAndReadGivesTheEnvelopePlusOffsetAndRecordedAt() throws {
        let r = try Waymark.run(["append", "--log", log, "--recorded-at", "2023-04-01T09:00:00Z"], stdin: two)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, #"{"appended":2,"duplicates":0,"rejected":0,"firstOffset":0,"lastOffset":1}"# + "\n")
        let read = try Waymark.run(["read", "--log", log])
        XCTAssertEqual(read.status, 0)
        XCTAssertEqual(read.stdout, """
        {"id":"a","type":"MissingReported","occurredAt":"2023-03-01T21:15:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2023-03-01T21:15:00Z","missingFrom":"home","category":"missing"},"offset":0,"recordedAt":"2023-04-01T09:00:00.000Z"}
        {"id":"b","type":"ChildFound","occurredAt":"2023-03-02T08:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"foundAt":"2023-03-02T08:00:00Z"},"offset":1,"recordedAt":"2023-04-01T09:00:00.000Z"}

        """)
    }

    func testReAppendingIsIdempotentAndNullOffsetsWhenNothingIsAppended() throws {
        try Waymark.run(["append", "--log", log], stdin: two)
        let again = try Waymark.run(["append", "--log", log], stdin: two)
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.stdout, #"{"appended":0,"duplicates":2,"rejected":0,"firstOffset":null,"lastOffset":null}"# + "\n")
    }

    func testInvalidLinesAreRejectedWithLineAndReasonAndTheRestIsAppended() throws {
        let input = """
        {"id":"a","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:1","data":{"dateOfBirth":"2007-06","sex":"female"}}
        {"id":"b","type":"ChildRecorded","occurredAt":"2023-02-30T21:15:00Z","child":"la:309:1","data":{"dateOfBirth":"2007-06","sex":"female"}}
        not json at all

        {"id":"c","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:1","data":[]}
        {"id":"d","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:1"}
        {"id":"e","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:2","data":{"dateOfBirth":"2008-01-31","sex":"male"}}
        {"id":"f","type":"Unheard","occurredAt":"2007-06-01T00:00:00Z","data":{}}
        {"id":"g","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:3","data":{"dateOfBirth":"2008-01-31","sex":"boy"}}
        {"id":"h","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","data":{"dateOfBirth":"2008-01-31","sex":"male"}}
        {"id":"i","type":"MissingReported","schemaVersion":7,"occurredAt":"2023-03-01T21:15:00Z","child":"la:309:3","episode":"la:309:3:2023-03-01","data":{}}
        """
        let file = dir.file("in.ndjson")
        try input.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Waymark.run(["append", "--log", log, file])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stdout, #"{"appended":2,"duplicates":0,"rejected":8,"firstOffset":0,"lastOffset":1}"# + "\n")
        XCTAssertTrue(r.stderr.contains("\(file):2: field occurredAt: not an RFC 3339 date-time"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file):3: invalid JSON"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file):5: field data: must be an object"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file):6: field data: required field is missing"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file):8: field type: unknown event type \"Unheard\""), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file):9: field data.sex: not a known code; must be one of male, female, other, unknown"), r.stderr)
        XCTAssertFalse(r.stderr.contains("boy"), "the rejected value is not echoed: it may be personal data")
        XCTAssertTrue(r.stderr.contains("\(file):10: field child: ChildRecorded must name its child"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(file):11: field schemaVersion: MissingReported has no schema version 7"), r.stderr)
        XCTAssertEqual(try Waymark.run(["read", "--log", log]).lines.compactMap { jsonObject($0)?["id"] as? String }, ["a", "e"])
    }

    /// Lines are validated a few thousand at a time on two cores; across many rounds the
    /// events still land in input order and every rejection names its own line, in order.
    func testManyLinesKeepTheirOrderAndTheirLineNumbers() throws {
        var lines: [String] = []
        var expectedIds: [String] = [], expectedRejections: [Int] = []
        for n in 1...10_000 {
            if n % 7 == 0 {
                lines.append(#"{"id":"bad\#(n)","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:\#(n)","data":{"dateOfBirth":"2007-06","sex":"boy"}}"#)
                expectedRejections.append(n)
            } else {
                lines.append(#"{"id":"e\#(n)","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:\#(n)","data":{"dateOfBirth":"2007-06","sex":"male"}}"#)
                expectedIds.append("e\(n)")
            }
        }
        let file = dir.file("many.ndjson")
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Waymark.run(["append", "--log", log, file])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stdout, #"{"appended":8572,"duplicates":0,"rejected":1428,"firstOffset":0,"lastOffset":8571}"# + "\n")
        let reported = r.stderr.split(separator: "\n").compactMap { line -> Int? in
            guard let at = line.range(of: file + ":") else { return nil }
            return Int(line[at.upperBound...].prefix { $0 != ":" })
        }
        XCTAssertEqual(reported, expectedRejections)
        XCTAssertEqual(try Waymark.run(["read", "--log", log]).lines.compactMap { jsonObject($0)?["id"] as? String }, expectedIds)
    }

    func testCRLFInputIsAccepted() throws {
        let r = try Waymark.run(["append", "--log", log], stdin: two.replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix(#"{"appended":2,"#))
    }

    func testBackDatedRecordedAtIsAUsageErrorAndAppendsNothing() throws {
        try Waymark.run(["append", "--log", log, "--recorded-at", "2024-01-01T00:00:00Z"], stdin: two)
        let r = try Waymark.run(["append", "--log", log, "--recorded-at", "2023-12-31T23:59:59Z"],
                                stdin: sampleEvents(1, prefix: "z"))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("back-dated"), r.stderr)
        XCTAssertEqual(try Waymark.run(["read", "--log", log]).lines.count, 2)
    }

    func testReadFromLimitAndKnownAt() throws {
        try Waymark.run(["append", "--log", log, "--recorded-at", "2023-04-01T00:00:00Z"], stdin: two)
        try Waymark.run(["append", "--log", log, "--recorded-at", "2023-05-01T00:00:00Z"], stdin: sampleEvents(3))
        func ids(_ args: [String]) throws -> [String] {
            try Waymark.run(["read", "--log", log] + args).lines.map { jsonObject($0)!["id"] as! String }
        }
        XCTAssertEqual(try ids([]), ["a", "b", "ev-0", "ev-1", "ev-2"])
        XCTAssertEqual(try ids(["--from", "3"]), ["ev-1", "ev-2"])
        XCTAssertEqual(try ids(["--from", "1", "--limit", "2"]), ["b", "ev-0"])
        XCTAssertEqual(try ids(["--known-at", "2023-04-30T23:59:59Z"]), ["a", "b"])
        XCTAssertEqual(try ids(["--known-at", "2023-05-01T00:00:00Z"]), ["a", "b", "ev-0", "ev-1", "ev-2"])
        XCTAssertEqual(try ids(["--known-at", "2023-03-01T00:00:00Z"]), [])
    }

    func testWhatReadPrintsCanBeAppendedToAnotherLog() throws {
        try Waymark.run(["append", "--log", log], stdin: two)
        let dump = try Waymark.run(["read", "--log", log]).stdout
        let other = dir.file("other")
        let r = try Waymark.run(["append", "--log", other, "--recorded-at", "2030-01-01T00:00:00Z"], stdin: dump)
        XCTAssertEqual(r.status, 0, r.stderr)
        let copied = try Waymark.run(["read", "--log", other]).lines
        XCTAssertEqual(copied.first, #"{"id":"a","type":"MissingReported","occurredAt":"2023-03-01T21:15:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2023-03-01T21:15:00Z","missingFrom":"home","category":"missing"},"offset":0,"recordedAt":"2030-01-01T00:00:00.000Z"}"#)
    }

    func testStatsOnEmptyAndFilledLogs() throws {
        try Waymark.run(["append", "--log", log], stdin: "")
        XCTAssertEqual(try Waymark.run(["stats", "--log", log]).stdout,
                       #"{"events":0,"segments":1,"bytes":16,"firstOffset":null,"lastOffset":null,"lastRecordedAt":null}"# + "\n")
        try Waymark.run(["append", "--log", log, "--recorded-at", "2023-04-01T00:00:00Z", "--segment-bytes", "4096"], stdin: sampleEvents(100))
        let stats = jsonObject(try Waymark.run(["stats", "--log", log]).stdout)!
        XCTAssertEqual(stats["events"] as? Int, 100)
        XCTAssertEqual(stats["firstOffset"] as? Int, 0)
        XCTAssertEqual(stats["lastOffset"] as? Int, 99)
        XCTAssertEqual(stats["lastRecordedAt"] as? String, "2023-04-01T00:00:00.000Z")
        let segments = try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") }
        XCTAssertEqual(stats["segments"] as? Int, segments.count)
        XCTAssertGreaterThan(segments.count, 2)
        let bytes = try segments.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: log + "/" + $1)[.size] as? NSNumber)?.intValue ?? 0) }
        XCTAssertEqual(stats["bytes"] as? Int, bytes)
    }

    func testVerifyIntactTornAndDamaged() throws {
        try Waymark.run(["append", "--log", log, "--segment-bytes", "4096"], stdin: sampleEvents(100))
        let ok = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(jsonObject(ok.stdout)?["intact"] as? Bool, true)
        XCTAssertEqual(jsonObject(ok.stdout)?["events"] as? Int, 100)

        // A torn tail on the active segment: exit 0, reported on stderr.
        let segments = try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".log") }.sorted()
        let active = FileHandle(forWritingAtPath: log + "/" + segments.last!)!
        active.seekToEndOfFile()
        active.write(Data([0x55, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00]))
        try active.close()
        let torn = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(torn.status, 0)
        XCTAssertTrue(torn.stderr.contains("torn tail in \(segments.last!)"), torn.stderr)

        // A flipped byte inside a sealed segment: exit 3 naming the file and the byte.
        let sealed = log + "/" + segments[1]
        var bytes = Array(FileManager.default.contents(atPath: sealed)!)
        bytes[200] ^= 0x01
        FileManager.default.createFile(atPath: sealed, contents: Data(bytes))
        let bad = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.contains("DAMAGE in \(segments[1]) at byte "), bad.stderr)
        let damage = jsonObject(bad.stdout)?["damage"] as? [String: Any]
        XCTAssertEqual(damage?["file"] as? String, segments[1])
        XCTAssertLessThanOrEqual(damage?["position"] as? Int ?? .max, 200)
        // Readers refuse to pass the damage, and so does a writer.
        XCTAssertEqual(try Waymark.run(["read", "--log", log]).status, 3)
    }

    func testASecondWriterExits75NamingTheHolder() throws {
        let input = Pipe()
        let holder = try Waymark.start(["append", "--log", log, "-"], stdin: input.fileHandleForReading)
        defer { holder.terminate(); holder.waitUntilExit() }
        var waited = 0
        while !FileManager.default.fileExists(atPath: log + "/.lock") && waited < 500 { usleep(10_000); waited += 1 }
        usleep(300_000)
        let r = try Waymark.run(["append", "--log", log, "--lock-timeout", "0.5"], stdin: two)
        XCTAssertEqual(r.status, 75)
        XCTAssertTrue(r.stderr.contains("locked by process \(holder.processIdentifier)"), r.stderr)
        try input.fileHandleForWriting.close()
    }

    func testEverySubcommandHasHelpWithAnExampleAndUsageErrorsExit1() throws {
        for command in ["append", "read", "verify", "stats", "recover"] {
            let help = try Waymark.run([command, "--help"])
            XCTAssertEqual(help.status, 0, command)
            XCTAssertTrue(help.stdout.contains("Usage: waymark \(command)"), command)
            XCTAssertTrue(help.stdout.contains("Example"), command)
            XCTAssertTrue(help.stdout.contains("\n\nExit status:\n  0   success\n"), command)
            let wrong = try Waymark.run([command, "--no-such-option"])
            XCTAssertEqual(wrong.status, 1, command)
            XCTAssertTrue(wrong.stderr.contains("unknown option --no-such-option"), wrong.stderr)
        }
        XCTAssertEqual(try Waymark.run(["append"]).status, 1)
        XCTAssertEqual(try Waymark.run(["frobnicate"]).status, 1)
        XCTAssertEqual(try Waymark.run(["read", "--log", dir.file("absent")]).status, 1)
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--segment-bytes", "ten"]).status, 1)
        XCTAssertEqual(try Waymark.run(["read", "--log", log, "--known-at", "yesterday"]).status, 1)
    }

    func testRecoverRebuildsEveryIndex() throws {
        try Waymark.run(["append", "--log", log, "--segment-bytes", "4096"], stdin: sampleEvents(100))
        for name in try FileManager.default.contentsOfDirectory(atPath: log) where name.hasSuffix("index") {
            try FileManager.default.removeItem(atPath: log + "/" + name)
        }
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 3)
        let r = try Waymark.run(["recover", "--log", log])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(jsonObject(r.stdout)?["events"] as? Int, 100)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)
        XCTAssertEqual(jsonObject(try Waymark.run(["append", "--log", log], stdin: sampleEvents(100)).stdout)?["duplicates"] as? Int, 100)
    }

    /// A marks file that no longer matches its segment: verify exits 3 naming it and the way
    /// out, recover writes it again from the data.
    func testVerifyNamesADamagedMarksFileAndRecoverRewritesIt() throws {
        let input = sampleEvents(100).replacingOccurrences(of: #"{"id":"ev-50","#, with: #"{"id":"ev-50","supersedes":"ev-49","#)
        XCTAssertEqual(try Waymark.run(["append", "--log", log, "--segment-bytes", "4096"], stdin: input).status, 0)
        let marks = try FileManager.default.contentsOfDirectory(atPath: log).filter { $0.hasSuffix(".marks") }.sorted()
        XCTAssertGreaterThan(marks.count, 3, "every sealed segment has its marks")
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)
        let victim = marks[1]
        var bytes = [UInt8](FileManager.default.contents(atPath: log + "/" + victim)!)
        bytes[bytes.count - 1] ^= 0xFF
        FileManager.default.createFile(atPath: log + "/" + victim, contents: Data(bytes))
        let bad = try Waymark.run(["verify", "--log", log])
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.contains("index \(victim): not the corrections.v2 marks of this segment, or failing its checksum; rebuild with: waymark recover --log"), bad.stderr)
        XCTAssertEqual(try Waymark.run(["recover", "--log", log]).status, 0)
        XCTAssertEqual(try Waymark.run(["verify", "--log", log]).status, 0)
    }
}

/// Schema versions through the command line: append validates against the version's schema,
/// read keeps what was written, and --upcast shows it at the newest version.
final class SchemaVersionCommandTests: XCTestCase {
    func testVersion0IsStoredAsWrittenAndReadUpcast() throws {
        let dir = TemporaryDirectory("waymark-upcast")
        defer { dir.remove() }
        let log = dir.file("log")
        let v0 = #"{"id":"old-1","type":"MissingReported","schemaVersion":0,"occurredAt":"2019-05-01T10:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2019-05-01T10:00:00Z","missingFrom":"home","risk":"absent"}}"#
        let r = try Waymark.run(["append", "--log", log, "--recorded-at", "2020-01-01T00:00:00Z"], stdin: v0 + "\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try Waymark.run(["read", "--log", log]).stdout,
                       String(v0.dropLast()) + #","offset":0,"recordedAt":"2020-01-01T00:00:00.000Z"}"# + "\n")
        XCTAssertEqual(try Waymark.run(["read", "--log", log, "--upcast"]).stdout,
                       #"{"id":"old-1","type":"MissingReported","schemaVersion":1,"occurredAt":"2019-05-01T10:00:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"reportedAt":"2019-05-01T10:00:00Z","missingFrom":"home","category":"absent","riskLevel":"noApparentRisk"},"offset":0,"recordedAt":"2020-01-01T00:00:00.000Z"}"# + "\n")
    }
}

/// `waymark ingest` as a user runs it.
final class IngestCommandTests: XCTestCase {
    func testSummaryLineExitStatusesAndQuarantineMessages() throws {
        let dir = TemporaryDirectory("waymark-ingest-cli")
        defer { dir.remove() }
        let log = dir.file("log")
        let feeds = Waymark.packageRoot + "/sample-events/feeds"
        let clean = try Waymark.run(["ingest", "care-homes", "--log", log, "--recorded-at", "2023-03-05T06:00:00Z", feeds + "/snapshot-1/care-homes.csv"])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertEqual(clean.stdout, #"{"feed":{"adapter":"care-homes","agency":"OFSTED","files":[""# + feeds + #"/snapshot-1/care-homes.csv"]},"#
                       + #""adapter":"care-homes","rows":3,"appended":3,"duplicates":0,"quarantined":0,"findings":0,"byRule":{},"missingFromSnapshot":0}"# + "\n")
        let dirty = try Waymark.run(["ingest", "police", "--force", "BTP", "--log", log, feeds + "/dirty/police-BTP.csv"])
        XCTAssertEqual(dirty.status, 2)
        XCTAssertTrue(dirty.stdout.contains(#""quarantined":5"#), dirty.stdout)
        XCTAssertTrue(dirty.stderr.contains("police-BTP.csv:2: field FOUND_AT: the child is found before the report was taken"), dirty.stderr)
        XCTAssertTrue(dirty.stderr.contains("quarantine file \(log)/quarantine/police-"), dirty.stderr)
        XCTAssertEqual(try Waymark.run(["ingest", "ssda903", "--log", log, feeds + "/snapshot-1/la-309/missing.csv"]).status, 1, "--la is required")
        XCTAssertEqual(try Waymark.run(["ingest", "ssda903", "--la", "Haringey", "--log", log, feeds + "/snapshot-1/la-309/missing.csv"]).status, 1)
        let fractions = try Waymark.run(["ingest", "ssda903", "--la", "½½½", "--log", log, feeds + "/snapshot-1/la-309/missing.csv"])
        XCTAssertEqual(fractions.status, 1, "three characters that are numbers but not ASCII digits")
        XCTAssertFalse(fractions.stderr.contains("½"), "the bad value is not echoed")
        XCTAssertEqual(try Waymark.run(["ingest", "care-homes", "--register", "../x", "--log", log, feeds + "/snapshot-1/care-homes.csv"]).status, 1)
        XCTAssertEqual(try Waymark.run(["ingest", "nhs", "--log", log, feeds + "/snapshot-1/care-homes.csv"]).status, 1)
        let backdated = try Waymark.run(["ingest", "care-homes", "--log", log, "--recorded-at", "2020-01-01T00:00:00Z", feeds + "/snapshot-1/care-homes.csv"])
        XCTAssertEqual(backdated.status, 1)
        let help = try Waymark.run(["ingest", "--help"])
        XCTAssertTrue(help.stdout.contains("Usage: waymark ingest") && help.stdout.contains("Example"))
    }
}

/// The snapshot derivation cache (`DIR/snapshots/<source>.state`): a later process reads
/// only what was appended since, and a cache that does not match its log is ignored.
final class SnapshotCacheTests: XCTestCase {
    func testACacheIsUsedAcrossRunsAndIgnoredWhenItDoesNotMatchTheLog() throws {
        let dir = TemporaryDirectory("waymark-snapshot-cache")
        defer { dir.remove() }
        let feeds = Waymark.packageRoot + "/sample-events/feeds"
        func ingest(_ log: String, _ snapshot: Int, at time: String) throws -> String {
            let r = try Waymark.run(["ingest", "police", "--force", "GMP", "--log", log, "--recorded-at", time, feeds + "/snapshot-\(snapshot)/police-GMP.csv"])
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout
        }
        let a = dir.file("a"), b = dir.file("b"), c = dir.file("c")
        let first = try ingest(a, 1, at: "2023-03-02T06:00:00Z")
        // The second run derives from the whole log and caches it; the third reads the cache
        // and only the records after it. Both give the library tests' figures.
        let feed = #"{"feed":{"adapter":"police","agency":"GMP","files":[""# + feeds + #"/snapshot-2/police-GMP.csv"]},"#
        XCTAssertEqual(try ingest(a, 2, at: "2023-03-20T06:00:00Z"),
                       feed + #""adapter":"police","rows":1,"appended":7,"duplicates":1,"quarantined":0,"findings":0,"byRule":{},"missingFromSnapshot":0}"# + "\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: a + "/snapshots/police-GMP-state"))
        XCTAssertEqual(try ingest(a, 2, at: "2023-03-21T06:00:00Z"),
                       feed + #""adapter":"police","rows":1,"appended":0,"duplicates":8,"quarantined":0,"findings":0,"byRule":{},"missingFromSnapshot":0}"# + "\n")
        // Another log with a copied cache that does not describe it: ignored, so everything is new.
        let other = #"{"id":"x1","type":"ChildRecorded","occurredAt":"2007-06-01T00:00:00Z","child":"la:309:1","data":{"dateOfBirth":"2007-06","sex":"female"}}"#
        try (other + "\n").write(toFile: dir.file("x.ndjson"), atomically: true, encoding: .utf8)
        for log in [b, c] {
            XCTAssertEqual(try Waymark.run(["append", "--log", log, "--recorded-at", "2023-03-01T06:00:00Z", dir.file("x.ndjson")]).status, 0)
            try FileManager.default.copyItem(atPath: a + "/snapshots", toPath: log + "/snapshots")
        }
        XCTAssertEqual(try ingest(b, 1, at: "2023-03-02T06:00:00Z"), first)
        // A damaged cache is ignored too.
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: c + "/snapshots/police-GMP-state")))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: c + "/snapshots/police-GMP-state"))
        XCTAssertEqual(try ingest(c, 1, at: "2023-03-02T06:00:00Z"), first)
    }
}

/// The sample manifest and the generator, through the command line.
final class ManifestAndGeneratorTests: XCTestCase {
    func testTheSampleManifestGivesTheDocumentedSummaries() throws {
        let dir = TemporaryDirectory("waymark-manifest")
        defer { dir.remove() }
        let r = try Waymark.run(["ingest", "--manifest", Waymark.packageRoot + "/sample-events/feeds/manifest.json", "--log", dir.file("log")])
        XCTAssertEqual(r.status, 2, "the dirty feeds quarantine rows")
        // Expected figures from sample-events/README.md, worked out by hand from the feeds.
        let feeds = r.lines.compactMap(jsonObject).filter { $0["adapter"] != nil }
        XCTAssertEqual(feeds.map { $0["appended"] as! Int }, [3, 8, 3, 0, 2, 7, 4, 2, 7, 2, 2, 1])
        XCTAssertEqual(feeds.map { $0["duplicates"] as! Int }, [0, 0, 0, 3, 7, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(feeds.map { $0["quarantined"] as! Int }, [0, 0, 0, 0, 0, 0, 0, 0, 13, 5, 2, 3])
        let totals = try XCTUnwrap(jsonObject(r.lines.last!)?["totals"] as? [String: Any])
        XCTAssertEqual(totals["appended"] as? Int, 41)
        XCTAssertEqual(totals["quarantined"] as? Int, 23)
        XCTAssertEqual(jsonObject(try Waymark.run(["stats", "--log", dir.file("log")]).stdout)?["events"] as? Int, 41)
        let again = try Waymark.run(["ingest", "--manifest", Waymark.packageRoot + "/sample-events/feeds/manifest.json", "--log", dir.file("log")])
        XCTAssertEqual(again.status, 0, "run again after an interruption: every feed is skipped, none is refused as back-dated")
        let againTotals = try XCTUnwrap(again.lines.compactMap(jsonObject).last?["totals"] as? [String: Any])
        XCTAssertEqual(againTotals["appended"] as? Int, 0, "every feed was ingested by the first run")
        XCTAssertEqual(againTotals["skipped"] as? Int, 12)
        XCTAssertEqual(jsonObject(try Waymark.run(["stats", "--log", dir.file("log")]).stdout)?["events"] as? Int, 41)
    }

    func testGeneratorIsDeterministicAndItsManifestIngests() throws {
        let dir = TemporaryDirectory("waymark-generate")
        defer { dir.remove() }
        for name in ["a", "b"] {
            XCTAssertEqual(try Waymark.run(["generate", "--out", dir.file(name), "--seed", "42", "--children", "300"]).status, 0)
        }
        XCTAssertEqual(try Waymark.run(["generate", "--out", dir.file("c"), "--seed", "43", "--children", "300"]).status, 0)
        let years = try Waymark.run(["generate", "--out", dir.file("y"), "--seed", "1", "--children", "80", "--years", "3"])
        XCTAssertEqual(years.status, 0, "children who turn 18 are replaced year by year: \(years.stderr.prefix(300))")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("y/police-MPS/2024-25-q4.csv")))
        func files(_ d: String) throws -> [String: Data] {
            let fm = FileManager.default
            var out: [String: Data] = [:]
            for case let rel as String in fm.enumerator(atPath: d)! where !(try fm.attributesOfItem(atPath: d + "/" + rel)[.type] as! FileAttributeType == .typeDirectory) {
                out[rel] = fm.contents(atPath: d + "/" + rel)
            }
            return out
        }
        let a = try files(dir.file("a")), b = try files(dir.file("b")), c = try files(dir.file("c"))
        XCTAssertGreaterThan(a.count, 20)
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        for (k, v) in a { XCTAssertEqual(v, b[k], "same seed, same bytes: \(k)") }
        XCTAssertNotEqual(a["police-MPS/2022-23-q4.csv"], c["police-MPS/2022-23-q4.csv"], "another seed, other data")
        let r = try Waymark.run(["ingest", "--manifest", dir.file("a/manifest.json"), "--log", dir.file("log")])
        XCTAssertTrue(r.status == 0 || r.status == 2, r.stderr)
        let feeds = r.lines.compactMap(jsonObject).filter { $0["adapter"] != nil }
        XCTAssertGreaterThan(feeds.map { $0["appended"] as! Int }.reduce(0, +), 500)
        XCTAssertGreaterThan(feeds.map { $0["duplicates"] as! Int }.reduce(0, +), 100, "re-sent quarterly exports")
        let totals = try XCTUnwrap(r.lines.compactMap(jsonObject).last?["totals"] as? [String: Any])
        XCTAssertEqual(totals["appended"] as? Int, feeds.map { $0["appended"] as! Int }.reduce(0, +), "the totals line adds up the feeds")
        XCTAssertEqual(try Waymark.run(["verify", "--log", dir.file("log")]).status, 0)
    }
}
