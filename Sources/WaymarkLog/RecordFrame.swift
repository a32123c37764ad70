import WaymarkTime

/// The byte layout of one record in a segment file (all integers little-endian):
///
/// ```
/// 0   u32  crc32c     CRC-32C of bytes 4..<length (everything after this field)
/// 4   u32  length     bytes in this record, header included
/// 8   u64  offset     the record's offset in the log
/// 16  i64  recordedAt milliseconds since the Unix epoch, UTC
/// 24  u16  keyLength  bytes of key
/// 26  u16  flags      0 (reserved)
/// 28  key             the idempotency key (the event id)
/// ..  payload         the event bytes
/// ```
public enum RecordFrame {
    /// Bytes before the key.
    public static let headerSize = 28
    /// The largest record the log accepts (header, key and payload): 16 MiB.
    public static let maxRecordSize = 16 << 20
    /// The longest key the log accepts, in bytes.
    public static let maxKeySize = Int(UInt16.max)

    /// Appends the framed record to `buffer`.
    public static func encode(offset: Offset, recordedAt: Timestamp, key: UnsafeRawBufferPointer,
                              payload: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
        let length = headerSize + key.count + payload.count
        let start = buffer.count
        buffer.reserveCapacity(start + length)
        appendLE(UInt32(0), &buffer)
        appendLE(UInt32(length), &buffer)
        appendLE(offset.rawValue, &buffer)
        appendLE(UInt64(bitPattern: recordedAt.millisecondsSinceEpoch), &buffer)
        appendLE(UInt16(key.count), &buffer)
        appendLE(UInt16(0), &buffer)
        buffer.append(contentsOf: key)
        buffer.append(contentsOf: payload)
        let crc = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 4)...])) }
        buffer.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: start, as: UInt32.self) }
    }

    /// What is at the start of `bytes`: a whole record, too few bytes to tell, or not a record.
    public enum Decoded {
        /// A record whose checksum holds.
        case record(RecordView)
        /// The record claims `length` bytes but fewer are here (a header needs 8 to tell).
        case incomplete(length: Int?)
        /// The length field cannot be right.
        case impossibleLength(Int)
        /// The checksum does not match the bytes.
        case checksumMismatch(length: Int)
    }

    /// Decodes the record at the start of `bytes`, whose first byte is at `position` in its file.
    @inline(__always)
    public static func decode(_ bytes: UnsafeRawBufferPointer, position: SegmentPosition) -> Decoded {
        guard bytes.count >= 8 else { return .incomplete(length: nil) }
        let length = Int(bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian)
        guard length >= headerSize, length <= maxRecordSize else { return .impossibleLength(length) }
        guard bytes.count >= length else { return .incomplete(length: length) }
        let stored = bytes.loadUnaligned(as: UInt32.self).littleEndian
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[4..<length]))
        guard stored == computed else { return .checksumMismatch(length: length) }
        let keyLength = Int(bytes.loadUnaligned(fromByteOffset: 24, as: UInt16.self).littleEndian)
        guard headerSize + keyLength <= length else { return .impossibleLength(length) }
        let offset = Offset(bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
        let ms = Int64(bitPattern: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian)
        return .record(RecordView(
            offset: offset, recordedAt: Timestamp(millisecondsSinceEpoch: ms), position: position, length: length,
            frame: UnsafeRawBufferPointer(rebasing: bytes[0..<length]),
            key: UnsafeRawBufferPointer(rebasing: bytes[headerSize..<(headerSize + keyLength)]),
            payload: UnsafeRawBufferPointer(rebasing: bytes[(headerSize + keyLength)..<length])))
    }
}

/// A record as it lies in a read buffer: valid only until the reader moves on.
public struct RecordView {
    /// The record's offset in the log.
    public let offset: Offset
    /// When the log took it.
    public let recordedAt: Timestamp
    /// Where its frame starts in its segment file.
    public let position: SegmentPosition
    /// Bytes in the frame.
    public let length: Int
    /// The whole frame, header included.
    public let frame: UnsafeRawBufferPointer
    /// The idempotency key.
    public let key: UnsafeRawBufferPointer
    /// The stored bytes.
    public let payload: UnsafeRawBufferPointer

    /// The frame after its checksum field: the bytes the CRC and the hash chain cover.
    public var checkedBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: frame[4...]) }

    /// A copy that outlives the read buffer.
    public func copy() -> LogRecord {
        LogRecord(offset: offset, recordedAt: recordedAt, key: Array(key), payload: Array(payload))
    }
}

/// A record copied out of the log.
public struct LogRecord: Hashable, Sendable {
    /// The record's offset in the log.
    public var offset: Offset
    /// When the log took it.
    public var recordedAt: Timestamp
    /// The idempotency key.
    public var key: [UInt8]
    /// The stored bytes.
    public var payload: [UInt8]

    public init(offset: Offset, recordedAt: Timestamp, key: [UInt8], payload: [UInt8]) {
        self.offset = offset
        self.recordedAt = recordedAt
        self.key = key
        self.payload = payload
    }
}

/// Appends `value` to `buffer` as little-endian bytes (every integer in Waymark's files).
@inline(__always)
@inlinable
public func appendLE<T: FixedWidthInteger>(_ value: T, _ buffer: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
}
