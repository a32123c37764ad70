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
        if let t = parseWholeSecondUTC(b) { return t }
        return parseAnyForm(b)
    }

    /// The form events use for most times, `YYYY-MM-DDTHH:MM:SSZ`, checked and read eight
    /// bytes at a time: its four separators compared at once per word, its fourteen digits
    /// checked at once per word (high nibble 3, and no carry out of the low nibble when 6 is
    /// added). Nil for anything else, even a valid time in another form (`parseAnyForm`
    /// decides those), and for a leap second.
    @inline(__always) static func parseWholeSecondUTC(_ b: UnsafeRawBufferPointer) -> Timestamp? {
        guard b.count == 20 else { return nil }
        let w0 = b.loadUnaligned(fromByteOffset: 0, as: UInt64.self)               // "YYYY-MM-"
        let w1 = b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)               // "DDTHH:MM"
        let w2 = UInt64(b.loadUnaligned(fromByteOffset: 16, as: UInt32.self))      // ":SSZ"
        // Byte k of a word is its bits 8k...8k+7 (little-endian loads).
        let sep0: UInt64 = 0xFF << 56 | 0xFF << 32, want0: UInt64 = 0x2D << 56 | 0x2D << 32   // '-' at 4, 7
        let sep1: UInt64 = 0xFF << 40 | 0xFF << 16, want1: UInt64 = 0x3A << 40 | 0x54 << 16   // 'T' at 10, ':' at 13
        let sep2: UInt64 = 0xFF << 24 | 0xFF, want2: UInt64 = 0x5A << 24 | 0x3A               // ':' at 16, 'Z' at 19
        guard w0 & sep0 == want0, w1 & sep1 == want1, w2 & sep2 == want2 else { return nil }
        let zeros: UInt64 = 0x3030_3030_3030_3030
        // The digit places as they are, every other byte made a '0'.
        let d0 = w0 & ~sep0 | zeros & sep0, d1 = w1 & ~sep1 | zeros & sep1
        let d2 = w2 & ~sep2 | zeros & ~(0xFFFF_FFFF & ~sep2)
        @inline(__always) func digits(_ x: UInt64) -> Bool {
            x & 0xF0F0_F0F0_F0F0_F0F0 == zeros && (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == zeros
        }
        guard digits(d0), digits(d1), digits(d2) else { return nil }
        let v0 = d0 &- zeros, v1 = d1 &- zeros, v2 = d2 &- zeros
        @inline(__always) func at(_ v: UInt64, _ k: UInt64) -> Int { Int(truncatingIfNeeded: (v >> (8 * k)) & 0xFF) }
        let year = at(v0, 0) * 1000 + at(v0, 1) * 100 + at(v0, 2) * 10 + at(v0, 3)
        let month = at(v0, 5) * 10 + at(v0, 6), day = at(v1, 0) * 10 + at(v1, 1)
        let hour = at(v1, 3) * 10 + at(v1, 4), minute = at(v1, 6) * 10 + at(v1, 7), second = at(v2, 1) * 10 + at(v2, 2)
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid, hour <= 23, minute <= 59, second <= 59 else { return nil }
        let total = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Timestamp(millisecondsSinceEpoch: total * 1000)
    }

    /// Any form RFC 3339 allows, byte by byte.
    static func parseAnyForm(_ b: UnsafeRawBufferPointer) -> Timestamp? {
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
