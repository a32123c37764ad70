#if canImport(Glibc)
import Glibc
#endif

extension UnsafeRawBufferPointer {
    /// Whether these bytes are exactly the UTF-8 of `text` (keys and literals in JSON readers).
    @inline(__always) public func `is`(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }

    /// Whether these bytes equal `other`'s.
    @inline(__always) public func equalBytes(_ other: UnsafeRawBufferPointer) -> Bool {
        count == other.count && (count == 0 || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }
}

extension UInt8 {
    /// The value of this byte as one hexadecimal digit (`0-9`, `A-F`, `a-f`; JSON's `\u`
    /// escapes), nil for any other byte.
    @inline(__always) public var hexDigitValue: UInt32? {
        switch self {
        case 48...57: return UInt32(self - 48)
        case 65...70: return UInt32(self - 55)
        case 97...102: return UInt32(self - 87)
        default: return nil
        }
    }
}
