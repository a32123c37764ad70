import WaymarkEvents
import WaymarkLog
import WaymarkTime

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

    /// Writes events from `from`, at most `limit`, recorded no later than `knownAt`, to `out`.
    /// Returns how many were written.
    @discardableResult
    public func write(from: Offset = .zero, limit: Int = .max, knownAt: Timestamp? = nil, to out: OutputBuffer) throws -> Int {
        var written = 0
        if limit <= 0 { return 0 }
        try reader.forEach(from: from) { record in
            if let knownAt, record.recordedAt > knownAt { return false }
            if upcast, let rewritten = EventReader.upcastPayload(record.payload) {
                rewritten.withUnsafeBytes { EventReader.render(record, payload: $0, into: &out.bytes) }
            } else {
                EventReader.render(record, into: &out.bytes)
            }
            try out.flushIfFull()
            written += 1
            return written < limit && !out.closed
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
