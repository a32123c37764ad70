import WaymarkEvents
import WaymarkLog
import WaymarkTime
#if canImport(Glibc)
import Glibc
#endif

/// Prints stored events as NDJSON: each the envelope as appended, plus the `offset` and
/// `recordedAt` the log gave it.
public struct EventReader {
    /// The log read from.
    public let reader: LogReader
    /// Print events of older schema versions as the newest version (the log is unchanged).
    public var upcast = false

    public init(directory: String, upcast: Bool = false) {
        reader = LogReader(directory: directory)
        self.upcast = upcast
    }

    /// Writes events from `from` that `filter` passes, at most `limit`, recorded no later
    /// than `knownAt`, to `out`. With `follow`, it does not stop at the end of the log: it
    /// waits for new events (polling every `pollInterval` seconds) and prints them as they
    /// come, flushing after each, until `stop` returns true. Returns how many were written.
    @discardableResult
    public func write(from: Offset = .zero, limit: Int = .max, knownAt: Timestamp? = nil, filter: EventFilter = EventFilter(),
                      follow: Bool = false, pollInterval: Double = 0.2, stop: () -> Bool = { false },
                      to out: OutputBuffer) throws -> Int {
        var written = 0
        if limit <= 0 { return 0 }
        var start = from
        // Start where the log's time index says events recorded since the time begin.
        if let since = filter.recordedSince, since.millisecondsSinceEpoch > Int64.min,
           let first = try reader.firstOffset(recordedAfter: Timestamp(millisecondsSinceEpoch: since.millisecondsSinceEpoch - 1)) {
            start = max(start, first)
        }
        func take(_ record: RecordView) throws -> Bool {
            if let knownAt, record.recordedAt > knownAt { return false }
            guard filter.passes(record.payload, recordedAt: record.recordedAt) else { return true }
            if upcast, let rewritten = EventReader.upcastPayload(record.payload) {
                rewritten.withUnsafeBytes { EventReader.render(record, payload: $0, into: &out.bytes) }
            } else {
                EventReader.render(record, into: &out.bytes)
            }
            try out.flushIfFull()
            written += 1
            return written < limit && !out.closed
        }
        if follow {
            // Like `kafka-console-consumer`: catch up, print what came, wait, repeat.
            var next = start, done = false
            while !done {
                let before = next
                next = try reader.forEach(from: next) { r in
                    if try take(r) { return !stop() }
                    done = true
                    return false
                }
                try out.flush()
                if done || stop() || out.closed { break }
                if next == before { usleep(UInt32(pollInterval * 1_000_000)) }
            }
        } else {
            try reader.forEach(from: start) { try take($0) }
        }
        return written
    }

    /// Appends `record` as one NDJSON line: the stored envelope with `offset` and `recordedAt`
    /// added as its last members.
    public static func render(_ record: RecordView, into bytes: inout [UInt8]) {
        render(record, payload: record.payload, into: &bytes)
    }

    /// The stored envelope rewritten at its type's newest schema version, or nil when it
    /// already is (or has no registered upcaster).
    static func upcastPayload(_ payload: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let value = try? JSONParser.parse(payload), case let .success(envelope) = Envelope.validate(value),
              Upcasters.registered[envelope.type]?[envelope.schemaVersion] != nil else { return nil }
        return Array(Upcasters.upcast(envelope).json.serialized.utf8)
    }

    static func render(_ record: RecordView, payload: UnsafeRawBufferPointer, into bytes: inout [UInt8]) {
        var close = payload.count - 1
        while close > 0 && payload[close] != UInt8(ascii: "}") { close -= 1 }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[0..<close]))
        bytes.append(contentsOf: #","offset":"#.utf8)
        bytes.append(contentsOf: String(record.offset.rawValue).utf8)
        bytes.append(contentsOf: #","recordedAt":""#.utf8)
        record.recordedAt.appendRFC3339(to: &bytes)
        bytes.append(contentsOf: "\"}\n".utf8)
    }
}
