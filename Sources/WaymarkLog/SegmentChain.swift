#if canImport(Glibc)
import Glibc
#endif
import CWaymarkSystem

/// A SHA-256 value of the log's hash chain (32 bytes, held inline: the writer makes one per record).
public struct ChainDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes, as they are stored.
    private var raw: SIMD4<UInt64>

    /// The digest of these 32 bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a chain digest is 32 bytes")
        raw = bytes.withUnsafeBytes { $0.loadUnaligned(as: SIMD4<UInt64>.self) }
    }

    private init(raw: SIMD4<UInt64>) { self.raw = raw }

    /// The 32 bytes.
    public var bytes: [UInt8] { withUnsafeBytes(of: raw) { Array($0) } }

    /// The value before the chain's first record: 32 zero bytes.
    public static let genesis = ChainDigest(raw: SIMD4<UInt64>())

    /// The digest in lowercase hex.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest written as 64 hex digits, or nil.
    public init?(hex: some StringProtocol) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var b: [UInt8] = []
        for k in stride(from: 0, to: 64, by: 2) {
            guard let hi = nibble(u[k]), let lo = nibble(u[k + 1]) else { return nil }
            b.append(hi << 4 | lo)
        }
        self.init(bytes: b)
    }

    /// The chain's value after a record: SHA-256(previous ‖ SHA-256(frame)), where `frame` is
    /// the record's frame from its length field on (everything the CRC covers: length,
    /// offset, recordedAt, key and payload). Chaining the record's digest rather than its
    /// bytes lets a later redaction keep a record's 32-byte digest in place of its bytes.
    @inline(__always)
    public func then(frame: UnsafeRawBufferPointer) -> ChainDigest {
        var block = (raw, SIMD4<UInt64>())
        var out = SIMD4<UInt64>()
        withUnsafeMutableBytes(of: &block) { b in
            let p = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
            wm_sha256(frame.baseAddress, frame.count, p + 32)
            withUnsafeMutableBytes(of: &out) { o in wm_sha256(p, 64, o.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        }
        return ChainDigest(raw: out)
    }
}

/// The hash chain's state at the end of one segment, kept beside it in `<base>.chain`: the
/// chain value before its first record, how many records it covers and where they end, and
/// the value after the last of them. It is also the active segment's commit marker: the
/// writer rewrites it after each batch is durable, so every record it covers was
/// acknowledged, and recovery never cuts one of them as a torn tail. Readers read the active
/// segment only as far as it says (the records a writer has not yet made durable stay unseen).
///
/// Layout (104 bytes, little-endian): `WMCHAIN1`, u64 chainStart (the offset where this
/// chain began: 0 for a log written with chains from the start), 32 bytes previous (the
/// value before the segment's first record: the previous segment's head, or 32 zero bytes at
/// chainStart), u64 records covered, u64 endPosition (the byte after the last covered
/// record), 32 bytes head, u32 flags (1: sealed), u32 CRC-32C of the preceding 100 bytes.
public struct SegmentChain: Equatable, Sendable {
    static let magic = Array("WMCHAIN1".utf8)
    /// Bytes in the file.
    public static let size = 104

    /// The offset at which this chain began.
    public var chainStart: Offset
    /// The chain value before the segment's first record.
    public var previous: ChainDigest
    /// Records of the segment the chain covers.
    public var records: UInt64
    /// The byte position after the last covered record.
    public var endPosition: Int
    /// The chain value after the last covered record.
    public var head: ChainDigest
    /// Whether the segment is sealed (no writer will add to it).
    public var sealed: Bool

    public init(chainStart: Offset, previous: ChainDigest, records: UInt64 = 0, endPosition: Int = SegmentHeader.size,
                head: ChainDigest? = nil, sealed: Bool = false) {
        self.chainStart = chainStart
        self.previous = previous
        self.records = records
        self.endPosition = endPosition
        self.head = head ?? previous
        self.sealed = sealed
    }

    /// The file's bytes.
    public var bytes: [UInt8] {
        var b = SegmentChain.magic
        b.reserveCapacity(SegmentChain.size)
        appendLE(chainStart.rawValue, &b)
        b += previous.bytes
        appendLE(records, &b)
        appendLE(UInt64(endPosition), &b)
        b += head.bytes
        appendLE(UInt32(sealed ? 1 : 0), &b)
        appendLE(CRC32C.checksum(b), &b)
        return b
    }

    /// The chain in `bytes`, or nil when they fail a check.
    public static func decode(_ bytes: [UInt8]) -> SegmentChain? {
        guard bytes.count == size, Array(bytes[0..<8]) == magic,
              readLE(UInt32.self, bytes, 100) == CRC32C.checksum(Array(bytes[0..<100])) else { return nil }
        let flags = readLE(UInt32.self, bytes, 96)
        let end = readLE(UInt64.self, bytes, 56)
        guard flags <= 1, end >= UInt64(SegmentHeader.size), end <= UInt64(Int.max) else { return nil }
        return SegmentChain(chainStart: Offset(readLE(UInt64.self, bytes, 8)), previous: ChainDigest(bytes: Array(bytes[16..<48])),
                            records: readLE(UInt64.self, bytes, 48), endPosition: Int(end),
                            head: ChainDigest(bytes: Array(bytes[64..<96])), sealed: flags == 1)
    }

    /// The chain file at `path`; nil when it is missing or fails its checks.
    public static func load(path: String) throws(LogError) -> SegmentChain? {
        guard let file = try SystemFile.openForReadingIfExists(path) else { return nil }
        return decode(try file.readAll())
    }

    /// Writes the file in place (one write of 104 bytes, not synced: a file lost or torn in a
    /// power cut is rebuilt from the data by the next writer; see `LogWriter`).
    public func write(to path: String) throws(LogError) {
        let file = try SystemFile(path: path, flags: O_WRONLY | O_CREAT)
        try file.write(bytes, at: 0)
    }
}
