/// The position of a record in the log: dense, starting at 0, one per record.
public struct Offset: Hashable, Comparable, Sendable, CustomStringConvertible, Strideable {
    /// The offset as a number.
    public var rawValue: UInt64

    /// The offset `rawValue`.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The first offset of every log.
    public static let zero = Offset(0)

    /// The offset after this one.
    public var next: Offset { Offset(rawValue + 1) }

    public static func < (a: Offset, b: Offset) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
    public func distance(to other: Offset) -> Int64 { Int64(bitPattern: other.rawValue &- rawValue) }
    public func advanced(by n: Int64) -> Offset { Offset(UInt64(Int64(rawValue) + n)) }
}

/// A byte position inside one segment file.
public struct SegmentPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bytes from the start of the segment file.
    public var rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (a: SegmentPosition, b: SegmentPosition) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}
