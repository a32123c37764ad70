import CWaymarkSystem
import Foundation
import WaymarkEvents
import WaymarkLog
import WaymarkStore
import WaymarkTime

/// Which read models a projector publishes.
public enum ReadModelKind: String, CaseIterable, Sendable {
    case timeline, careHomes = "care-homes", handoffs, all

    /// The files this kind publishes (besides `manifest.json` and the projector's state).
    var files: [String] { ReadModelCatalogue.files(of: self) }
}

/// Why a projection run stopped without publishing.
public enum ProjectionError: Error, CustomStringConvertible {
    /// The read models were built under other rules or another known-at time: exit 4.
    case needsRebuild(String)
    public var description: String {
        switch self { case let .needsRebuild(why): return why }
    }
}

/// What a run did.
public struct ProjectionRun: Sendable {
    public var applied = 0
    public var lastOffset: Offset?
    public var rebuilt = false
    public var published = 0
    public var rows: [String: Int] = [:]
}

/// A projector process's work: fold the log into state from the last checkpoint, render the
/// read models, and publish them into `--out DIR` atomically (a build directory beside it,
/// exchanged with it in one rename), so nobody ever reads a half-built model. The state and
/// its checkpoint (last offset, rules SHA-256, known-at) are published with the files.
public final class Projector {
    public let log: String
    public let out: String
    public let kind: ReadModelKind
    public let rules: CountingRules
    public let knownAt: Timestamp?
    public let asOf: Timestamp?
    var state = ProjectionState()
    /// Whether `publish` keeps the read model it rendered until the next publish (or for
    /// good), rather than freeing it as it returns: for a process that exits after one
    /// publish, which takes the memory back at once, where freeing the model piece by piece
    /// took about 9 ms of a 5-year rebuild. Off for a projector that follows the log (the
    /// model would stay resident between publishes).
    public var keepsLastModel = false
    /// Publish the read models readable by the owner's group too (directory 0750, files 0640,
    /// the projector's state excepted), for a shared folder a colleague's or a BI service's
    /// account reads; by default they are the owner's alone (0700, 0600).
    public var groupReadable = false
    /// The names of the codes the tables carry (`Schemas/reference/`); none by default.
    public var referenceNames = ReferenceNames()
    /// Also write Excel-style copies of the CSVs into `excel/` (`ExcelCopies`).
    public var excelCopies = false
    private var lastModel: ReadModel?
    static let stateFile = ".projector-state"
    static let version = WaymarkVersion.number

    public init(log: String, out: String, kind: ReadModelKind, rules: CountingRules, knownAt: Timestamp?, asOf: Timestamp?) {
        var o = out
        while o.count > 1 && o.hasSuffix("/") { o.removeLast() }
        self.log = log
        self.out = o
        self.kind = kind
        self.rules = rules
        self.knownAt = knownAt
        self.asOf = asOf
    }

    /// Loads the published checkpoint (unless `rebuild`), refusing one built under other rules
    /// or another known-at time.
    public func loadCheckpoint(rebuild: Bool) throws -> Bool {
        guard !rebuild, let bytes = FileManager.default.contents(atPath: out + "/manifest.json") else { return false }
        let manifest = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        let oldHash = manifest["rules"]?["sha256"]?.stringValue
        if oldHash != rules.sha256 {
            throw ProjectionError.needsRebuild("the read models in \(out) were built under other rules (\(manifest["rules"]?["path"]?.stringValue ?? "?"), sha256 \(oldHash?.prefix(12) ?? "?")…); \(rules.path) has sha256 \(rules.sha256.prefix(12))…: run again with --rebuild")
        }
        if manifest["knownAt"]?.stringValue != knownAt?.rfc3339 {
            throw ProjectionError.needsRebuild("the read models in \(out) were built known-at \(manifest["knownAt"]?.stringValue ?? "now"); asked for \(knownAt?.rfc3339 ?? "now"): run again with --rebuild")
        }
        if manifest["kind"]?.stringValue != kind.rawValue {
            throw ProjectionError.needsRebuild("\(out) holds the \(manifest["kind"]?.stringValue ?? "?") read models, not \(kind.rawValue): use another --out or --rebuild")
        }
        guard let stateBytes = FileManager.default.contents(atPath: out + "/" + Projector.stateFile) else {
            throw ProjectionError.needsRebuild("\(out) has a manifest but no projector state: run again with --rebuild")
        }
        var timer = PhaseTimer()
        do {
            state = try StateFile.decode(Array(stateBytes))
        } catch {
            throw ProjectionError.needsRebuild("\(out)/\(Projector.stateFile): \(error)")
        }
        timer.mark("load state")
        return true
    }

    /// Applies every new event (recorded no later than known-at), at most `limit`. Returns how
    /// many. A first pass over the new events finds their corrections; when one corrects an
    /// event an earlier run folded as in force, the state is folded again from the start.
    @discardableResult
    public func catchUp(limit: Int = .max, stop: () -> Bool = { false }) throws -> Int {
        let reader = LogReader(directory: log)
        let from = state.lastOffset.map { $0.next } ?? .zero
        var timer = PhaseTimer()
        var (corrections, end, count) = try plan(reader, from: from, end: nil, limit: limit, stop: stop)
        timer.mark("find corrections")
        defer { timer.mark("fold") }
        guard count > 0 else { return 0 }
        if from > .zero, !corrections.isEmpty {
            var refold = false
            let found = try reader.offsets(ofKeys: corrections.targets.map(\.id))
            for (k, offset) in found where offset < from {
                if let old = state.statuses[offset.rawValue] {
                    corrections.found(k, at: offset.rawValue)
                    state.statuses[offset.rawValue] = old == .retracted ? .retracted : corrections.status(of: k, at: offset.rawValue)
                } else {
                    refold = true
                }
            }
            if refold {
                state = ProjectionState()
                (corrections, _, _) = try plan(reader, from: .zero, end: end, limit: .max, stop: { false })
                try fold(reader, from: .zero, end: end, corrections: &corrections)
                return count
            }
        }
        try fold(reader, from: from, end: end, corrections: &corrections)
        return count
    }

    /// The first pass: the range to fold (from `from` up to `end`, or as far as known-at,
    /// `limit` and `stop` allow) and the corrections in it. The log's writers mark the events
    /// that may correct (`RecordMarker.corrections`), so only those are read, and the
    /// segments without marks (the active one, or one an older writer sealed) are scanned.
    private func plan(_ reader: LogReader, from: Offset, end: Offset?, limit: Int, stop: () -> Bool) throws -> (Corrections, Offset, Int) {
        var corrections = Corrections()
        if let end, end <= from { return (corrections, from, 0) }
        guard limit == .max else {
            let some = try scan(reader, from: from, to: end, limit: limit, stop: stop) { corrections.note($0.payload, at: $0.offset.rawValue) }
            return (corrections, some.last, some.count)
        }
        let walked = try reader.forEachMarked(by: .corrections, from: from, to: end, recordedUpTo: knownAt) { record in
            corrections.note(record.payload, at: record.offset.rawValue)
            return !stop()
        }
        return (corrections, walked.next, walked.passed)
    }

    /// Reads at most `limit` records from `start` up to `bound` (or the log's end), as far as
    /// known-at and `stop` allow, handing each to `take`. Returns where to resume and how many
    /// were read.
    private func scan(_ reader: LogReader, from start: Offset, to bound: Offset?, limit: Int, stop: () -> Bool,
                      _ take: (RecordView) -> Void) throws -> (last: Offset, count: Int) {
        var last = start, count = 0
        try reader.forEach(from: start) { record in
            if let bound, record.offset >= bound { return false }
            if let knownAt, record.recordedAt > knownAt { return false }
            take(record)
            last = record.offset.next
            count += 1
            return count < limit && !(count % 4096 == 0 && stop())
        }
        return (last, count)
    }

    /// The second pass: folds `from..<end` into the state.
    private func fold(_ reader: LogReader, from: Offset, end: Offset, corrections: inout Corrections) throws {
        try FactPipe.fold(reader, from: from, end: end, corrections: &corrections, into: &state)
    }

    /// Renders the read models and publishes them atomically into `out`: each file is written,
    /// as it is rendered, into a fresh directory beside `out`, which is then swapped in with
    /// one atomic exchange (or rename, the first time). Returns row counts.
    @discardableResult
    public func publish() throws -> [String: Int] {
        var timer = PhaseTimer()
        let build = try Projector.prepareBuild(beside: out)
        func file(_ name: String, _ render: (ModelFile) throws -> Void) throws {
            let f = try ModelFile(directory: build, name: name)
            try render(f)
            try f.close()
        }
        // The state file needs only the state: it is written on the second core while the
        // read model is built (which leaves that core partly idle).
        let state = self.state
        let stateWritten = Background {
            var own = PhaseTimer()
            defer { own.mark("  (state file, in the background)") }
            return Result { try file(Projector.stateFile) { try StateFile.encode(state, into: $0) } }
        }
        defer { _ = stateWritten.wait() }
        // The world as of when it was known: --as-of, else --known-at, else the log's latest
        // recordedAt (a child still missing has been missing until then, not only until the
        // latest thing that happened).
        let worldAt = asOf ?? knownAt ?? (try? LogReader(directory: log).tail().lastRecordedAt) ?? nil
        var model = ReadModel(state: state, rules: rules, asOf: worldAt, timeline: kind.files.contains("timeline.dat"))
        model.codeNames = referenceNames
        timer.mark("read model")
        func table(_ name: String, _ rows: inout [String: Int], _ render: (ModelFile) throws -> Int) throws {
            guard kind.files.contains(name) else { return }
            var own = PhaseTimer()
            try file(name) { rows[name] = try render($0) }
            own.mark("  " + name)
        }
        // Two cores, two halves of about equal work; each half counts its own rows.
        var rows: [String: Int] = [:], otherRows: [String: Int] = [:]
        var episodeRows: [UInt64] = [], timelineIndex: [UInt8] = []
        try Parallel.both({
            try table("episodes.csv", &rows) { try model.episodesTable($0, rowStarts: &episodeRows) }
            try table("care-homes.csv", &rows) { try model.careHomesTable($0, monthly: false) }
            try table("care-homes-monthly.csv", &rows) { try model.careHomesTable($0, monthly: true) }
        }, {
            try table("handoffs.csv", &otherRows, model.handoffsTable)
            try table("missing-now.csv", &otherRows, model.missingNowTable)
            try table("children.csv", &otherRows, model.childrenTable)
            try table("unplaced.csv", &otherRows, model.unplacedTable)
            guard kind.files.contains("timeline.dat") else { return }
            var own = PhaseTimer()
            try file("timeline.dat") { timelineIndex = try TimelineStore.build(model, into: $0) }
            own.mark("  timeline.dat")
        })
        if kind.files.contains("timeline.idx") {
            TimelineStore.appendRows(episodeRows, to: &timelineIndex)
            try file("timeline.idx") { try $0.write(timelineIndex) }
        }
        rows.merge(otherRows) { a, _ in a }
        try stateWritten.wait().get()
        let manifest = JSONText.object([
            ("waymarkVersion", .string(Projector.version)), ("kind", .string(kind.rawValue)), ("log", .string(Projector.absolute(log))),
            ("rules", JSONText.Raw(text: JSONText.object(["name": .string(rules.name), "path": .string(rules.path), "sha256": .string(rules.sha256)]))),
            ("lastOffset", .int(state.lastOffset?.rawValue)), ("knownAt", .string(knownAt?.rfc3339)), ("asOf", .string(model.asOf.rfc3339)),
            ("asOfRequested", .string(asOf?.rfc3339)), ("events", .int(state.eventCount)), ("unplaced", .int(model.unplaced.count)),
            ("returnsNotRecorded", .int(model.episodes.filter(\.returnNotRecorded).count)),
            ("rows", JSONText.Raw(text: JSONText.object(rows.keys.sorted().map { ($0, JSONText.Raw.int(rows[$0]!)) }))),
            ("builtAt", .string(Timestamp.now().rfc3339)),
        ]) + "\n"
        try file("manifest.json") { try $0.write(Array(manifest.utf8)) }
        let package = try DataPackage.json(directory: build, names: Array(rows.keys))
        try file("datapackage.json") { try $0.write(Array(package.utf8)) }
        timer.mark("render and write")
        if excelCopies { try ExcelCopies.write(in: build) }
        if groupReadable { try Projector.openToGroup(build) }
        try Projector.swapIn(build, for: out)
        timer.mark("publish")
        if keepsLastModel { lastModel = model }
        return rows
    }

    /// A fresh build directory beside `out` (leftovers of killed runs removed first).
    static func prepareBuild(beside out: String) throws -> String {
        let fm = FileManager.default
        let parent = FileSystem.parentDirectory(out)
        let base = URL(fileURLWithPath: out).lastPathComponent
        try FileSystem.createDirectory(parent)
        for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(".\(base).build-") {
            try? fm.removeItem(atPath: parent + "/" + name)
        }
        let build = try FileSystem.makeUniqueDirectory(prefix: parent + "/.\(base).build-")
        // The files about to be replaced let go of their cached pages (they are durable, so
        // clean): the new files are then written into pages the kernel has in hand, not fresh
        // ones, which on a virtual machine cost a fault to the host each.
        FileSystem.dropCachedPages(inDirectory: out)
        return build
    }

    /// Makes the build directory 0750 and its read models 0640 (the state file stays 0600).
    static func openToGroup(_ build: String) throws {
        guard chmod(build, 0o750) == 0 else { throw LogError.system(operation: "chmod", path: build, errno: errno) }
        for name in try FileSystem.list(build) where name != Projector.stateFile {
            let mode: mode_t = FileSystem.isDirectory(build + "/" + name) ? 0o750 : 0o640
            for inner in FileSystem.isDirectory(build + "/" + name) ? try FileSystem.list(build + "/" + name) : [] {
                guard chmod(build + "/" + name + "/" + inner, 0o640) == 0 else { throw LogError.system(operation: "chmod", path: build + "/" + name + "/" + inner, errno: errno) }
            }
            guard chmod(build + "/" + name, mode) == 0 else { throw LogError.system(operation: "chmod", path: build + "/" + name, errno: errno) }
        }
    }

    /// Makes the build directory durable and swaps it in for `out`, removing the old one.
    static func swapIn(_ build: String, for out: String) throws {
        try FileSystem.syncDirectory(build)
        if FileSystem.isDirectory(out) {
            try FileSystem.exchange(build, out)
            try? FileManager.default.removeItem(atPath: build)
        } else {
            try FileSystem.rename(build, out)
        }
        try FileSystem.syncDirectory(FileSystem.parentDirectory(out))
    }

    /// `path` made absolute (the manifest names the log so the timeline can read its events).
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The last offset applied.
    public var lastOffset: Offset? { state.lastOffset }
    /// Events held.
    public var eventCount: Int { state.eventCount }
}
