import WaymarkTime

/// Bytes being rendered for a read-model or state file, appended through a pointer: an append
/// is a room check and a copy. (An `[UInt8]` append cost about a hundred instructions of
/// generic checks, and a rebuild makes millions of them.) Noncopyable: it owns its memory.
struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes appended so far.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Forgets the bytes, keeping the room.
    mutating func removeAll() { count = 0 }

    /// Makes room for `more` bytes after the last.
    @inline(__always) mutating func reserve(_ more: Int) {
        if count + more > capacity { grow(to: count + more) }
    }

    private mutating func grow(to need: Int) {
        let size = max(capacity * 2, need)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always) mutating func append(_ b: UnsafeRawBufferPointer) {
        guard let from = b.baseAddress, b.count > 0 else { return }
        reserve(b.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: b.count)
        count += b.count
    }

    /// A literal's bytes.
    @inline(__always) mutating func append(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// A text's UTF-8 bytes.
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ list: [UInt8]) { list.withUnsafeBytes { append($0) } }

    /// Writes at most `limit` bytes in place with `body`, which returns how many it wrote.
    @inline(__always) mutating func write(upTo limit: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(limit)
        count += body(base + count)
    }

    /// The decimal digits of `n`.
    mutating func appendInt<I: BinaryInteger>(_ n: I) {
        write(upTo: 21) { out in
            var k = 0
            if n < 0 { out[0] = UInt8(ascii: "-"); k = 1 }
            var m = UInt64(n.magnitude)
            var digits = 1
            var probe = m
            while probe >= 10 { probe /= 10; digits += 1 }
            var at = k + digits
            repeat { at -= 1; out[at] = UInt8(truncatingIfNeeded: 48 + m % 10); m /= 10 } while m > 0
            return k + digits
        }
    }

    /// The RFC 3339 text of `t` (see `Timestamp.writeRFC3339`).
    @inline(__always) mutating func appendTime(_ t: Timestamp, milliseconds: Bool) {
        write(upTo: Timestamp.rfc3339Capacity) { t.writeRFC3339(into: $0, milliseconds: milliseconds) }
    }

    /// Little-endian bytes of a fixed-width integer.
    @inline(__always) mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        write(upTo: MemoryLayout<T>.size) { out in
            UnsafeMutableRawPointer(out).storeBytes(of: value.littleEndian, as: T.self)
            return MemoryLayout<T>.size
        }
    }
}
