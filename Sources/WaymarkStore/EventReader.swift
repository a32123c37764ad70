import WaymarkLog
import WaymarkTime

/// Prints stored events as NDJSON: each the envelope as appended, plus the `offset` and
/// `recordedAt` the log gave it.
public struct EventReader {
    /// The log read from.
    public let reader: LogReader

    public init(directory: String) { reader = LogReader(directory: directory) }

    /// Writes events from `from`, at most `limit`, recorded no later than `knownAt`, to `out`.
    /// Returns how many were written.
    @discardableResult
    public func write(from: Offset = .zero, limit: Int = .max, knownAt: Timestamp? = nil, to out: OutputBuffer) throws -> Int {
        var written = 0
        if limit <= 0 { return 0 }
        try reader.forEach(from: from) { record in
            if let knownAt, record.recordedAt > knownAt { return false }
            EventReader.render(record, into: &out.bytes)
            try out.flushIfFull()
            written += 1
            return written < limit && !out.closed
        }
        return written
    }

    /// Appends `record` as one NDJSON line: the stored envelope with `offset` and `recordedAt`
    /// added as its last members.
    public static func render(_ record: RecordView, into bytes: inout [UInt8]) {
        let payload = record.payload
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
