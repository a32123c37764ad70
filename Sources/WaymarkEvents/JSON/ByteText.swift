#if canImport(Glibc)
import Glibc
#endif

extension UnsafeRawBufferPointer {
    /// Whether these bytes are exactly the UTF-8 of `text` (keys and literals in JSON readers).
    /// Inlinable: the readers in other modules call it in their hot loops.
    @inlinable @inline(__always) public func `is`(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || sameBytes(baseAddress!, UnsafeRawPointer(text.utf8Start), count))
    }

    /// Whether these bytes equal `other`'s.
    @inlinable @inline(__always) public func equalBytes(_ other: UnsafeRawBufferPointer) -> Bool {
        count == other.count && (count == 0 || sameBytes(baseAddress!, other.baseAddress!, count))
    }
}

/// Whether `count` bytes at `a` and `b` are the same: eight at a time, inline. For the short
/// keys, names and references compared in hot loops, a call to `memcmp` costs more than this.
@inlinable @inline(__always)
public func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var k = 0
    while k + 8 <= count {
        if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
        k += 8
    }
    while k < count {
        if a.load(fromByteOffset: k, as: UInt8.self) != b.load(fromByteOffset: k, as: UInt8.self) { return false }
        k += 1
    }
    return true
}

extension UInt8 {
    /// The value of this byte as one hexadecimal digit (`0-9`, `A-F`, `a-f`; JSON's `\u`
    /// escapes), nil for any other byte.
    @inlinable @inline(__always) public var hexDigitValue: UInt32? {
        switch self {
        case 48...57: return UInt32(self - 48)
        case 65...70: return UInt32(self - 55)
        case 97...102: return UInt32(self - 87)
        default: return nil
        }
    }
}
