/// Records waiting to be appended together (sharing one fsync): keys and payloads packed
/// into one buffer.
public struct AppendBatch: Sendable {
    /// The packed bytes.
    public private(set) var bytes: [UInt8] = []
    /// Where each record's key and payload lie in `bytes`, and whether the writer's
    /// `RecordMarker` picks it (nil: the writer asks its marker).
    public private(set) var items: [(key: Range<Int>, payload: Range<Int>, marked: Bool?)] = []

    public init() {}

    /// Adds a record with `key` and `payload`. `marked`, when given, must be what the
    /// writer's marker answers for `payload`: a caller that asks it where it is cheaper (on
    /// the cores that validate, say) spares the writer's one thread the work.
    public mutating func add(key: some Collection<UInt8>, payload: some Collection<UInt8>, marked: Bool? = nil) {
        let k = bytes.count
        bytes.append(contentsOf: key)
        let p = bytes.count
        bytes.append(contentsOf: payload)
        items.append((k..<p, p..<bytes.count, marked))
    }

    /// Adds every record of `other`, in order.
    public mutating func add(contentsOf other: AppendBatch) {
        let shift = bytes.count
        bytes.append(contentsOf: other.bytes)
        for item in other.items {
            items.append(((item.key.lowerBound + shift)..<(item.key.upperBound + shift),
                          (item.payload.lowerBound + shift)..<(item.payload.upperBound + shift), item.marked))
        }
    }

    /// Makes room for `bytes` bytes of keys and payloads and `records` records, so that a
    /// batch filled again and again stays in the same memory.
    public mutating func reserveCapacity(bytes: Int, records: Int) {
        self.bytes.reserveCapacity(bytes)
        items.reserveCapacity(records)
    }

    /// Records in the batch.
    public var count: Int { items.count }
    /// Whether the batch has no records.
    public var isEmpty: Bool { items.isEmpty }
    /// Empties the batch, keeping its storage.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
    }
}

/// What happened to each record of a batch.
public struct AppendOutcome: Sendable, Equatable {
    /// For each record in batch order: its offset, or nil when its key was already in the log
    /// (or earlier in the batch) and it was skipped.
    public var offsets: [Offset?]
    /// The recordedAt every appended record of the batch got.
    public var recordedAt: Timestamp

    /// Records appended.
    public var appended: Int { offsets.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    /// Records skipped as duplicates.
    public var duplicates: Int { offsets.count - appended }
}

import WaymarkTime
