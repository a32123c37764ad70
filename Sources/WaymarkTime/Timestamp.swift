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

    /// The most bytes `writeRFC3339` writes (a year of any `Int64` milliseconds, signed).
    public static let rfc3339Capacity = 40

    /// Appends the RFC 3339 text (24 bytes; 20 without `milliseconds`: `…T21:15:00Z`, the
    /// seconds truncated) to `bytes` without building a String.
    public func appendRFC3339(to bytes: inout [UInt8], milliseconds: Bool = true) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.rfc3339Capacity) { out in
            let n = writeRFC3339(into: out.baseAddress!, milliseconds: milliseconds)
            bytes.append(contentsOf: out[..<n])
        }
    }

    /// Writes the RFC 3339 text (as `appendRFC3339`) at `out`, which has room for
    /// `rfc3339Capacity` bytes; returns how many it wrote. A year outside 0-9999 is written
    /// in as many digits as it has.
    public func writeRFC3339(into out: UnsafeMutablePointer<UInt8>, milliseconds: Bool) -> Int {
        let ms = millisecondsSinceEpoch
        var days = ms / 86_400_000
        var msOfDay = ms % 86_400_000
        if msOfDay < 0 { msOfDay += 86_400_000; days -= 1 }
        let date = CivilDate(daysSinceEpoch: days)
        let y = date.year
        var at = 0
        // Two digits copied from a table of "00" to "99" (a constant: no division by ten).
        let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
        @inline(__always) func two(_ v: Int) {
            UnsafeMutableRawPointer(out + at).storeBytes(of: UnsafeRawPointer(pairs.utf8Start + 2 * v).loadUnaligned(as: UInt16.self), as: UInt16.self)
            at += 2
        }
        @inline(__always) func put(_ c: UInt8) { out[at] = c; at += 1 }
        if y >= 0 && y <= 9999 {
            two(y / 100); two(y % 100)
        } else {
            for c in String(y).utf8 { put(c) }
        }
        put(UInt8(ascii: "-")); two(date.month)
        put(UInt8(ascii: "-")); two(date.day)
        put(UInt8(ascii: "T"))
        let totalSeconds = Int(msOfDay / 1000)
        two(totalSeconds / 3600); put(UInt8(ascii: ":"))
        two(totalSeconds / 60 % 60); put(UInt8(ascii: ":"))
        two(totalSeconds % 60)
        if milliseconds {
            put(UInt8(ascii: "."))
            let millis = Int(msOfDay % 1000)
            put(UInt8(truncatingIfNeeded: 48 + millis / 100)); two(millis % 100)
        }
        put(UInt8(ascii: "Z"))
        return at
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
