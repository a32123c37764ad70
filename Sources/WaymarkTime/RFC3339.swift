/// Parsing of RFC 3339 date-times (`2023-03-01T21:15:00Z`, `2023-03-01T22:15:00.5+01:00`).
///
/// Accepts what RFC 3339 section 5.6 allows as `date-time`: `T` or `t` between date and
/// time, any number of fractional-second digits (kept to the millisecond, truncated),
/// `Z`, `z` or a numeric offset, and a leap second (`:60`, counted as `:59.999`).
public enum RFC3339 {
    /// The instant the text names, or nil when it is not an RFC 3339 date-time.
    public static func parse(_ text: String) -> Timestamp? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The instant the UTF-8 bytes name, or nil when they are not an RFC 3339 date-time.
    public static func parse(_ b: UnsafeRawBufferPointer) -> Timestamp? {
        let n = b.count
        guard n >= 20 else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let d = b[i] &- 48
            return d < 10 ? Int(d) : nil
        }
        // Two digits with one test (both bytes minus '0' below ten); nil if either is not one.
        @inline(__always) func number(_ i: Int) -> Int? {
            let d0 = b[i] &- 48, d1 = b[i + 1] &- 48
            return d0 < 10 && d1 < 10 ? Int(d0) &* 10 &+ Int(d1) : nil
        }
        guard let century = number(0), let yy = number(2), b[4] == UInt8(ascii: "-"),
              let month = number(5), b[7] == UInt8(ascii: "-"),
              let day = number(8), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = number(11), b[13] == UInt8(ascii: ":"),
              let minute = number(14), b[16] == UInt8(ascii: ":"),
              let second = number(17)
        else { return nil }
        let year = century * 100 + yy
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid, hour <= 23, minute <= 59, second <= 60 else { return nil }
        var i = 19
        var millis = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < n, let d = digit(i) {
                if i - start < 3 { millis = millis * 10 + d }
                i += 1
            }
            guard i > start else { return nil }
            for _ in 0..<max(0, 3 - (i - start)) { millis *= 10 }
        }
        guard i < n else { return nil }
        var offsetMinutes = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard n - i == 6, let oh = number(i + 1), b[i + 3] == UInt8(ascii: ":"),
                  let om = number(i + 4), oh <= 23, om <= 59 else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }
        var seconds = Int64(second)
        if second == 60 { seconds = 59; millis = 999 }
        let total = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60) + seconds - Int64(offsetMinutes * 60)
        return Timestamp(millisecondsSinceEpoch: total * 1000 + Int64(millis))
    }
}
