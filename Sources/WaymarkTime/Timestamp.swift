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

    /// Appends the RFC 3339 text (24 bytes) to `bytes` without building a String.
    public func appendRFC3339(to bytes: inout [UInt8]) {
        let ms = millisecondsSinceEpoch
        var days = ms / 86_400_000
        var msOfDay = ms % 86_400_000
        if msOfDay < 0 { msOfDay += 86_400_000; days -= 1 }
        let date = CivilDate(daysSinceEpoch: days)
        func two(_ v: Int) { bytes.append(UInt8(48 + v / 10)); bytes.append(UInt8(48 + v % 10)) }
        let y = date.year
        if y < 0 || y > 9999 {
            bytes.append(contentsOf: Array(String(y).utf8))
        } else {
            two(y / 100); two(y % 100)
        }
        bytes.append(UInt8(ascii: "-")); two(date.month)
        bytes.append(UInt8(ascii: "-")); two(date.day)
        bytes.append(UInt8(ascii: "T"))
        let totalSeconds = Int(msOfDay / 1000)
        two(totalSeconds / 3600); bytes.append(UInt8(ascii: ":"))
        two(totalSeconds / 60 % 60); bytes.append(UInt8(ascii: ":"))
        two(totalSeconds % 60); bytes.append(UInt8(ascii: "."))
        let millis = Int(msOfDay % 1000)
        bytes.append(UInt8(48 + millis / 100)); two(millis % 100)
        bytes.append(UInt8(ascii: "Z"))
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
