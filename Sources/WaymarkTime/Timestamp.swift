/// An instant in UTC with millisecond precision, counted from the Unix epoch.
///
/// The log stamps every record with one (`recordedAt`, transaction time); events carry
/// others (`occurredAt`, valid time). Written as RFC 3339 with milliseconds and `Z`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// The instant `millisecondsSinceEpoch` after the epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.millisecondsSinceEpoch < b.millisecondsSinceEpoch
    }

    /// RFC 3339 text in UTC with exactly three fractional digits: `2023-03-01T21:15:00.000Z`.
    public var description: String { rfc3339 }

    /// RFC 3339 text in UTC with exactly three fractional digits: `2023-03-01T21:15:00.000Z`.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 text (24 bytes; 20 without `milliseconds`: `…T21:15:00Z`, the
    /// seconds truncated) to `bytes` without building a String: written into a stack buffer,
    /// then appended once (an append per byte checked the array's room and uniqueness 24 times).
    public func appendRFC3339(to bytes: inout [UInt8], milliseconds: Bool = true) {
        let ms = millisecondsSinceEpoch
        var days = ms / 86_400_000
        var msOfDay = ms % 86_400_000
        if msOfDay < 0 { msOfDay += 86_400_000; days -= 1 }
        let date = CivilDate(daysSinceEpoch: days)
        let y = date.year
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { out in
            @inline(__always) func two(_ at: Int, _ v: Int) { out[at] = UInt8(truncatingIfNeeded: 48 + v / 10); out[at + 1] = UInt8(truncatingIfNeeded: 48 + v % 10) }
            let fourDigitYear = y >= 0 && y <= 9999
            if fourDigitYear { two(0, y / 100); two(2, y % 100) }
            out[4] = UInt8(ascii: "-"); two(5, date.month)
            out[7] = UInt8(ascii: "-"); two(8, date.day)
            out[10] = UInt8(ascii: "T")
            let totalSeconds = Int(msOfDay / 1000)
            two(11, totalSeconds / 3600); out[13] = UInt8(ascii: ":")
            two(14, totalSeconds / 60 % 60); out[16] = UInt8(ascii: ":")
            two(17, totalSeconds % 60)
            let end: Int
            if milliseconds {
                out[19] = UInt8(ascii: ".")
                let millis = Int(msOfDay % 1000)
                out[20] = UInt8(truncatingIfNeeded: 48 + millis / 100); two(21, millis % 100)
                out[23] = UInt8(ascii: "Z")
                end = 24
            } else {
                out[19] = UInt8(ascii: "Z")
                end = 20
            }
            if fourDigitYear {
                bytes.append(contentsOf: out[..<end])
            } else {
                bytes.append(contentsOf: Array(String(y).utf8))
                bytes.append(contentsOf: out[4..<end])
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension Timestamp {
    /// The current wall-clock time, truncated to the millisecond.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}
