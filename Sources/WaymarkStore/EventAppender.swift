import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// A line of input that was not appended: its number, the field at fault and why.
public struct LineRejection: Sendable, Equatable, CustomStringConvertible {
    /// The input's name (path or `-`).
    public var input: String
    /// 1-based line number.
    public var line: Int
    /// The field at fault (nil for the line as a whole).
    public var field: String?
    /// Why it was rejected.
    public var reason: String

    public var description: String {
        "\(input):\(line): " + (field.map { "field \($0): " } ?? "") + reason
    }
}

/// The result of appending a stream of events.
public struct AppendSummary: Sendable, Equatable {
    public var appended = 0
    public var duplicates = 0
    public var rejected = 0
    public var firstOffset: Offset?
    public var lastOffset: Offset?

    public init() {}

    /// `{"appended":N,"duplicates":D,"rejected":R,"firstOffset":F,"lastOffset":L}`
    public var json: String {
        JSONText.object(["appended": .int(appended), "duplicates": .int(duplicates), "rejected": .int(rejected),
                         "firstOffset": .int(firstOffset?.rawValue), "lastOffset": .int(lastOffset?.rawValue)])
    }
}

/// Appends NDJSON event envelopes to a log: validates each line, skips ids already in the
/// log, and appends the rest in input order, many events to one fsync.
public final class EventAppender {
    /// The writer it appends through (holding the log's lock).
    public let writer: LogWriter
    /// The most events in one batch (one fsync each; a batch goes as soon as the writer is idle).
    public var batchEvents = 100_000
    /// The most bytes in one batch.
    public var batchBytes = 32 << 20
    /// Called after each batch with the number of input lines handled so far.
    public var onProgress: ((Int) -> Void)?

    /// The event types and data schemas lines are checked against (nil: envelope only).
    public let catalogue: EventCatalogue?

    /// Opens the log in `directory` for appending (creating it, mode 0700); lines are checked
    /// against `catalogue` when given. The corrections are marked (`LogWriterOptions.forEvents`).
    public init(directory: String, options: LogWriterOptions = LogWriterOptions(), catalogue: EventCatalogue? = nil) throws {
        writer = try LogWriter(directory: directory, options: options.forEvents)
        self.catalogue = catalogue
    }

    /// Appends every valid line of `input`; rejected lines go to `reject` and do not stop
    /// the run. All batches are stamped with `recordedAt` when given (else the clock's time at
    /// each batch); a `recordedAt` before the log's latest is refused before anything is written.
    public func append(_ input: LineReader, recordedAt: Timestamp? = nil,
                       reject: (LineRejection) -> Void) throws -> AppendSummary {
        if let recordedAt, let last = writer.lastRecordedAt, recordedAt < last {
            throw LogError.refused("--recorded-at \(recordedAt) is earlier than the log's latest recordedAt (\(last)): history cannot be back-dated")
        }
        // `reject` is called from the idle flush, which the reader holds only until we return.
        return try withoutActuallyEscaping(reject) { reject in try append(input, recordedAt: recordedAt, rejecting: reject) }
    }

    private func append(_ input: LineReader, recordedAt: Timestamp?, rejecting reject: @escaping (LineRejection) -> Void) throws -> AppendSummary {
        var summary = AppendSummary()
        var batch = AppendBatch()
        var lines = PendingLines()
        let catalogue = self.catalogue, marker = writer.options.marker
        let limit = input.maxLineBytes
        // A fact dated after it is recorded (a day's grace for time zones) is not a fact.
        let latestFact = EventAppender.latestFact(recordedAt: recordedAt ?? Timestamp.now())
        // Lines are validated a few thousand at a time, half on each of two cores, then added
        // to the batch in input order; rejections are reported in input order too.
        func stage() throws {
            guard !lines.isEmpty else { return }
            let middle = lines.count / 2
            var first = StagedLines(), second = StagedLines()
            try Parallel.both({
                first = lines.stage(0..<middle, catalogue: catalogue, marker: marker, limit: limit, latest: latestFact)
            }, {
                second = lines.stage(middle..<lines.count, catalogue: catalogue, marker: marker, limit: limit, latest: latestFact)
            })
            for staged in [first, second] {
                for (line, field, reason) in staged.rejections {
                    summary.rejected += 1
                    reject(LineRejection(input: input.name, line: line, field: field, reason: reason))
                }
                batch.add(contentsOf: staged.batch)
            }
            lines.removeAll()
        }
        // A batch is written (one write, one fsync) on another thread while the next lines are
        // read and validated; at most one batch is in flight, and the run ends only when the
        // last is durable.
        var inFlight: (write: Background<Result<AppendOutcome, any Error>>, sent: SentBatch, linesRead: Int)?
        // On an error the batch in flight still finishes before the writer is given back.
        defer { _ = inFlight?.write.wait() }
        let writer = self.writer
        // The batch written last, emptied: the next one fills its storage again, so a long
        // append keeps reusing two batches' memory instead of taking fresh pages for each.
        var spare = AppendBatch()
        // Room for a full batch and the round that tips it over, reserved once (untouched
        // room costs no memory).
        let roomBytes = batchBytes + PendingLines.roundBytes + (64 << 10), roomRecords = batchEvents + PendingLines.round
        batch.reserveCapacity(bytes: roomBytes, records: roomRecords)
        spare.reserveCapacity(bytes: roomBytes, records: roomRecords)
        func settle() throws {
            guard let (write, sent, linesRead) = inFlight else { return }
            inFlight = nil
            defer { spare = sent.batch }
            for offset in try write.wait().get().offsets {
                if let offset {
                    summary.appended += 1
                    if summary.firstOffset == nil { summary.firstOffset = offset }
                    summary.lastOffset = offset
                } else {
                    summary.duplicates += 1
                }
            }
            onProgress?(linesRead)
        }
        func flush(waiting: Bool) throws {
            try stage()
            try settle()
            if !batch.isEmpty {
                // The writer is used by this one job until it is joined; nothing else touches it.
                let sent = SentBatch(batch)
                batch = spare
                spare = AppendBatch()
                inFlight = (Background {
                    defer { sent.batch.removeAll() }
                    return Result { try writer.append(sent.batch, recordedAt: recordedAt) }
                }, sent, input.lineNumber)
            }
            if waiting { try settle() }
        }
        // An idle input (a pipe with nothing to read yet) makes what arrived durable now.
        func flush() throws { try flush(waiting: true) }
        input.onIdle = flush
        defer { input.onIdle = nil }
        while try input.nextLine({ line in lines.add(line, number: input.lineNumber) }) != nil {
            if lines.count >= PendingLines.round || lines.bytes.count >= PendingLines.roundBytes {
                try stage()
                // Group commit: the writer never idles while lines wait. Whatever was validated
                // while the last batch was written goes next, so batches grow only as far as
                // the disk is slower than validation, and the last one (which nothing overlaps)
                // stays short.
                let writerIdle = inFlight.map { $0.write.isDone } ?? true
                if writerIdle || batch.count >= batchEvents || batch.bytes.count >= batchBytes { try flush(waiting: false) }
            }
        }
        try flush(waiting: true)
        return summary
    }

    /// Adds a valid line to `batch`, marked as `marker` says (asked here, on the validating
    /// cores). Re-appending what `waymark read` printed: the fields the log assigns (`offset`,
    /// `recordedAt`) are dropped, the other members kept as written.
    static func add(_ line: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, members: [(range: Range<Int>, logAssigned: Bool)],
                    marker: RecordMarker?, to batch: inout AppendBatch) {
        guard members.contains(where: \.logAssigned) else { batch.add(key: key, payload: line, marked: marker?.picks(line)); return }
        var payload: [UInt8] = [UInt8(ascii: "{")]
        for m in members where !m.logAssigned {
            if payload.count > 1 { payload.append(UInt8(ascii: ",")) }
            payload.append(contentsOf: line[m.range])
        }
        payload.append(UInt8(ascii: "}"))
        batch.add(key: key, payload: payload, marked: payload.withUnsafeBytes { marker?.picks($0) })
    }

    /// Validates one line and adds it to `batch`; returns the problem (field, reason) when it
    /// is rejected, nil when it was added or blank.
    /// The latest `occurredAt` an event recorded at `recordedAt` may have: a day later, for time zones.
    public static func latestFact(recordedAt: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: recordedAt.millisecondsSinceEpoch + 86_400_000)
    }

    /// Why an event that happened at `occurredAt` cannot be recorded when `latest` allows.
    static func future(_ occurredAt: Timestamp, _ latest: Timestamp) -> (String?, String)? {
        occurredAt > latest ? ("occurredAt", "dated in the future: an event cannot be recorded more than a day before it happens (occurredAt \(occurredAt.rfc3339), latest allowed \(latest.rfc3339))") : nil
    }

    static func stage(_ raw: UnsafeRawBufferPointer, catalogue: EventCatalogue?, marker: RecordMarker?, latest: Timestamp,
                      into batch: inout AppendBatch) -> (String?, String)? {
        var lo = 0, hi = raw.count
        while lo < hi, raw[lo] == 0x20 || raw[lo] == 0x09 { lo += 1 }
        while hi > lo, raw[hi - 1] == 0x20 || raw[hi - 1] == 0x09 || raw[hi - 1] == 0x0D { hi -= 1 }
        if lo == hi { return nil }
        let line = UnsafeRawBufferPointer(rebasing: raw[lo..<hi])
        // The one-pass byte check accepts most lines; the rest, and every rejection's message,
        // come from the full validator below.
        if let catalogue, let valid = EventBytesCheck.check(line, catalogue: catalogue) {
            if let problem = future(valid.occurredAt, latest) { return problem }
            add(line, key: UnsafeRawBufferPointer(rebasing: line[valid.id]), members: valid.members, marker: marker, to: &batch)
            return nil
        }
        let parsed: (value: JSONValue, members: [JSONParser.MemberSpan])
        do {
            parsed = try JSONParser.parseWithMembers(line)
        } catch {
            return (nil, error.description)
        }
        let envelope: Envelope
        switch Envelope.validate(parsed.value) {
        case let .success(e): envelope = e
        case let .failure(p): return (p.field, p.reason)
        }
        if let problem = catalogue?.validate(envelope) { return (problem.field, problem.reason) }
        if let problem = future(envelope.occurredAt, latest) { return problem }
        let key = Array(envelope.id.utf8)
        key.withUnsafeBytes { key in
            add(line, key: key, members: parsed.members.map { ($0.range, Envelope.logAssignedFields.contains($0.key)) }, marker: marker, to: &batch)
        }
        return nil
    }
}

/// A batch handed to the writer's thread, which empties it (keeping its storage) once
/// written; the appending thread takes it back only after that thread is joined.
private final class SentBatch: @unchecked Sendable {
    var batch: AppendBatch
    init(_ batch: AppendBatch) { self.batch = batch }
}

/// Lines read and not yet validated: their bytes side by side, with each line's number.
struct PendingLines {
    /// Lines per validation round (and bytes, whichever comes first).
    static let round = 4096
    static let roundBytes = 4 << 20
    private(set) var bytes: [UInt8] = []
    private var lines: [(range: Range<Int>, number: Int, overlong: Bool)] = []

    var count: Int { lines.count }
    var isEmpty: Bool { lines.isEmpty }

    mutating func add(_ line: InputLine, number: Int) {
        let start = bytes.count
        bytes.append(contentsOf: line.bytes)
        lines.append((start..<bytes.count, number, line.overlong))
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
    }

    /// Validates lines `range` into a batch of their own, with the rejections.
    func stage(_ range: Range<Int>, catalogue: EventCatalogue?, marker: RecordMarker?, limit: Int, latest: Timestamp) -> StagedLines {
        var out = StagedLines()
        bytes.withUnsafeBytes { all in
            for k in range {
                let line = lines[k]
                let problem = line.overlong ? (nil, "line longer than \(limit) bytes")
                    : EventAppender.stage(UnsafeRawBufferPointer(rebasing: all[line.range]), catalogue: catalogue, marker: marker, latest: latest, into: &out.batch)
                if let (field, reason) = problem { out.rejections.append((line.number, field, reason)) }
            }
        }
        return out
    }
}

/// Lines validated: the events to append, and the lines rejected (number, field, reason).
struct StagedLines {
    var batch = AppendBatch()
    var rejections: [(Int, String?, String)] = []
}
