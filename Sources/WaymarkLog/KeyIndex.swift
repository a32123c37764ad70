#if canImport(Glibc)
import Glibc
#endif
import CWaymarkSystem

/// The persistent index of record keys (event ids) that makes appends idempotent without
/// rescanning the log: an open-addressing hash table, persisted in `ids.index`.
///
/// It maps a 64-bit hash of each key to the offset of the record that holds it. A hash hit
/// is confirmed by reading the key back from the log, so hash collisions never cause a
/// wrong skip. The table is derivable: its header records `coveredUpTo`, the offset below
/// which every record is in the table, and is only advanced after the table is synced; on
/// open the writer indexes whatever lies between it and the end of the log.
///
/// The writer maps the file shared and changes the table in place, as long as it keeps its
/// size: a checkpoint `msync`s the table, then writes the header and `msync`s that (the few
/// pages a small append changed). Once the table grows (it doubles when half full) it lives
/// in the writer's anonymous memory, in huge pages, and the next checkpoint writes it whole
/// to a new file, synced, then renamed over the old; later checkpoints write the pages that
/// changed, then the header. (A bulk append used to grow the mapped file itself: every
/// doubling and checkpoint `msync`ed the whole table, flushing each page's mapping on both
/// cores; a 5-year append spent a third of its time there.) Readers map the file read-only
/// and trust only what its header says it covers.
///
/// Layout: a 64-byte header (`WMIDS002`, u64 capacity, u64 count, u64 coveredUpTo, u32
/// CRC-32C of the preceding 32 bytes), then `capacity` slots of 16 bytes, little-endian: u64
/// hash (0 for an empty slot, whose other word is 0 too) and u64 holding the offset in its
/// low 48 bits and a 16-bit check of hash and offset in its high 16. Every slot a lookup
/// passes is checked, so a damaged slot (one that could hide a key and let its record be
/// appended twice) is found where it matters; the writer then rebuilds the table from the log.
public final class KeyIndex {
    static let headerSize = 64
    static let slotSize = 16
    static let magic = Array("WMIDS002".utf8)
    static let initialCapacity = 1 << 12

    /// The table's file.
    public let path: String
    private var fd: Int32
    /// The header and slots: the writer's shared mapping of the file or, once the table has
    /// grown or been reset, anonymous memory; a reader's read-only mapping.
    private var base: UnsafeMutableRawPointer
    private var mappedBytes: Int
    /// Whether this is the writer's table (else a reader's).
    private let writable: Bool
    /// Whether `base` maps the file (else it is anonymous memory).
    private var mapsFile = true
    /// The capacity of the table in the file (a larger one in memory is written anew).
    private var fileCapacity: Int
    /// Pages of the file whose slots changed since it was written (a bit per `chunkBytes`).
    private var dirty: [UInt64] = []
    static let chunkBytes = 4096
    /// Slots in the table (a power of two).
    public private(set) var capacity: Int
    /// Keys in the table.
    public private(set) var count: Int
    /// Every record with an offset below this is in the table.
    public private(set) var coveredUpTo: Offset

    /// Opens the table at `path` for updating, or creates an empty one when it is missing or
    /// fails its checks (`rebuilt` then says so).
    public convenience init(path: String) throws(LogError) {
        if let header = KeyIndex.readHeader(path: path) {
            try self.init(path: path, header: header, writable: true, rebuilt: false)
        } else {
            try KeyIndex.createEmpty(path: path, capacity: KeyIndex.initialCapacity)
            try self.init(path: path, header: (KeyIndex.initialCapacity, 0, 0), writable: true, rebuilt: true)
        }
    }

    /// Opens the table at `path` for lookups only; nil when it is missing or fails its checks.
    public convenience init?(readOnlyPath path: String) throws(LogError) {
        guard let header = KeyIndex.readHeader(path: path) else { return nil }
        try self.init(path: path, header: header, writable: false, rebuilt: false)
    }

    private init(path: String, header: (capacity: Int, count: Int, covered: UInt64), writable: Bool, rebuilt: Bool) throws(LogError) {
        let fd = open(path, (writable ? O_RDWR | O_NOFOLLOW : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        self.path = path
        self.fd = fd
        self.capacity = header.capacity
        self.count = header.count
        self.coveredUpTo = Offset(header.covered)
        self.mappedBytes = KeyIndex.headerSize + header.capacity * KeyIndex.slotSize
        self.rebuilt = rebuilt
        self.writable = writable
        self.fileCapacity = header.capacity
        do {
            self.base = try KeyIndex.map(fd: fd, bytes: mappedBytes, path: path, writable: writable)
        } catch {
            close(fd)
            throw error
        }
        dirty = KeyIndex.noPagesChanged(capacity: header.capacity)
    }

    /// The header's capacity, count and coveredUpTo when the file passes its checks.
    private static func readHeader(path: String) -> (capacity: Int, count: Int, covered: UInt64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: headerSize)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        var st = stat()
        guard n == headerSize, fstat(fd, &st) == 0, Array(header[0..<8]) == magic,
              readLE(UInt32.self, header, 32) == CRC32C.checksum(Array(header[0..<32])) else { return nil }
        let capacity = Int(readLE(UInt64.self, header, 8))
        let count = Int(readLE(UInt64.self, header, 16))
        guard capacity > 0, capacity & (capacity - 1) == 0, count <= capacity / 2,
              Int(st.st_size) == headerSize + capacity * slotSize else { return nil }
        return (capacity, count, readLE(UInt64.self, header, 24))
    }

    /// Whether the table was created anew on open (missing or failing its checks).
    public let rebuilt: Bool
    /// Whether growing the table met slots failing their checks (they were left out): the
    /// owner must rebuild it from the log before trusting a miss.
    public private(set) var metDamage = false

    deinit {
        munmap(base, mappedBytes)
        close(fd)
    }

    /// The 64-bit hash the table files keys under (never 0, which marks an empty slot).
    @inline(__always)
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(key.count)
        var i = 0
        while i + 8 <= key.count {
            h = (h ^ key.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        // The last 1-7 bytes, little-endian: from one load of the key's last eight bytes when it
        // has eight (the same value a byte at a time gives, for a fifth of the instructions).
        var tail: UInt64 = 0
        let rest = key.count - i
        if rest > 0 && key.count >= 8 {
            tail = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self)) >> UInt64(64 - 8 * rest)
        } else {
            var shift: UInt64 = 0
            while i < key.count { tail |= UInt64(key[i]) << shift; shift += 8; i += 1 }
        }
        h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 31
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h >> 32
        return h == 0 ? 1 : h
    }

    /// The bits of a slot's second word that hold the offset.
    static let offsetMask: UInt64 = (1 << 48) - 1

    /// The 16-bit check a slot keeps of its hash and offset (CRC-32C of both, folded): any
    /// single flipped bit of the slot fails it.
    @inline(__always)
    static func check(hash: UInt64, offset: UInt64) -> UInt64 {
        var words = (hash.littleEndian, offset.littleEndian)
        let crc = withUnsafeBytes(of: &words) { wm_crc32c(0, $0.baseAddress, 16) }
        return UInt64((crc ^ (crc >> 16)) & 0xFFFF)
    }

    /// The slot's second word for `hash` and `offset`.
    @inline(__always)
    static func slotWord(hash: UInt64, offset: UInt64) -> UInt64 {
        check(hash: hash, offset: offset) << 48 | offset
    }

    /// Whether a slot's two words are an empty slot or a filled one whose check holds.
    @inline(__always)
    static func slotHolds(hash: UInt64, word: UInt64) -> Bool {
        hash == 0 ? word == 0 : word >> 48 == check(hash: hash, offset: word & offsetMask)
    }

    /// The error for a slot that fails its check.
    func damagedSlot(_ slot: Int) -> LogError {
        .damaged(file: path, position: KeyIndex.headerSize + slot * KeyIndex.slotSize,
                 reason: "an id index slot fails its check (the index is derivable: it is rebuilt from the log)")
    }

    /// Calls `body` with the offset of every entry whose hash is `hash`, until it returns true;
    /// returns whether one did. Throws `LogError.damaged` naming this file when a slot on the
    /// way fails its check: the answer could then be wrong.
    @inline(__always)
    public func anyCandidate(hash: UInt64, _ body: (Offset) throws(LogError) -> Bool) throws(LogError) -> Bool {
        let mask = capacity - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let slots = base + KeyIndex.headerSize
        while true {
            let stored = slots.loadUnaligned(fromByteOffset: slot * KeyIndex.slotSize, as: UInt64.self)
            let word = slots.loadUnaligned(fromByteOffset: slot * KeyIndex.slotSize + 8, as: UInt64.self)
            guard KeyIndex.slotHolds(hash: stored, word: word) else { throw damagedSlot(slot) }
            if stored == 0 { return false }
            if stored == hash {
                if try body(Offset(word & KeyIndex.offsetMask)) { return true }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The slots that fail their check (for `verify`: reads the whole table).
    public func damagedSlots() -> Int {
        let slots = base + KeyIndex.headerSize
        var bad = 0
        for slot in 0..<capacity {
            let h = slots.loadUnaligned(fromByteOffset: slot * KeyIndex.slotSize, as: UInt64.self)
            let w = slots.loadUnaligned(fromByteOffset: slot * KeyIndex.slotSize + 8, as: UInt64.self)
            if !KeyIndex.slotHolds(hash: h, word: w) { bad += 1 }
        }
        return bad
    }

    /// Starts loading the slot `hash` probes first, for a lookup or insert a little later:
    /// slots are random places in tens of MiB, each a miss of every cache.
    @inline(__always)
    public func prefetch(hash: UInt64) {
        wm_prefetch(base + KeyIndex.headerSize + (Int(truncatingIfNeeded: hash) & (capacity - 1)) * KeyIndex.slotSize)
    }

    /// Files `offset` under `hash`, growing the table when it is half full.
    public func insert(hash: UInt64, offset: Offset) throws(LogError) {
        if (count + 1) * 2 > capacity { grow() }
        let slot = KeyIndex.place(hash: hash, offset: offset.rawValue, slots: base + KeyIndex.headerSize, mask: capacity - 1)
        let chunk = (KeyIndex.headerSize + slot * KeyIndex.slotSize) / KeyIndex.chunkBytes
        dirty[chunk >> 6] |= 1 << UInt64(chunk & 63)
        count += 1
    }

    /// Files an entry in the first free slot from the hash's; returns that slot.
    @inline(__always) @discardableResult
    private static func place(hash: UInt64, offset: UInt64, slots: UnsafeMutableRawPointer, mask: Int) -> Int {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots.loadUnaligned(fromByteOffset: slot * slotSize, as: UInt64.self) != 0 {
            slot = (slot + 1) & mask
        }
        slots.storeBytes(of: hash, toByteOffset: slot * slotSize, as: UInt64.self)
        slots.storeBytes(of: slotWord(hash: hash, offset: offset), toByteOffset: slot * slotSize + 8, as: UInt64.self)
        return slot
    }

    /// Makes the table durable and records that it covers every record below `offset`: the
    /// changed slots (or, after growth, the whole table into a new file) and a sync, then the
    /// header and a sync. A crash in between leaves the old header over at least its entries.
    public func checkpoint(coveredUpTo offset: Offset) throws(LogError) {
        precondition(writable, "a read-only key index is never checkpointed")
        if mapsFile {
            try FaultInjection.check(.fsync, path)
            guard msync(base, mappedBytes, MS_SYNC) == 0 else { throw .system(operation: "msync", path: path, errno: errno) }
            coveredUpTo = offset
            writeHeader()
            try FaultInjection.check(.fsync, path)
            guard msync(base, KeyIndex.headerSize, MS_SYNC) == 0 else { throw .system(operation: "msync", path: path, errno: errno) }
            return
        }
        coveredUpTo = offset
        writeHeader()
        if capacity != fileCapacity {
            try writeAnew()
            return
        }
        let file = try SystemFile(path: path, flags: O_WRONLY)
        // Runs of changed pages of the file, one write each; the header goes last, on its own.
        var run: Range<Int>? = nil
        func flush() throws(LogError) {
            guard let r = run else { return }
            let start = max(r.lowerBound * KeyIndex.chunkBytes, KeyIndex.headerSize), end = min(r.upperBound * KeyIndex.chunkBytes, mappedBytes)
            try file.write(UnsafeRawBufferPointer(start: base + start, count: end - start), at: start)
            run = nil
        }
        for (w, word) in dirty.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                let chunk = w * 64 + bits.trailingZeroBitCount
                bits &= bits - 1
                if let r = run, r.upperBound == chunk { run = r.lowerBound..<(chunk + 1) } else { try flush(); run = chunk..<(chunk + 1) }
            }
        }
        try flush()
        for w in dirty.indices { dirty[w] = 0 }
        try file.sync()
        try file.write(UnsafeRawBufferPointer(start: base, count: KeyIndex.headerSize), at: 0)
        try file.sync()
    }

    /// Writes the whole table to a new file, syncs it, and renames it over the old one.
    private func writeAnew() throws(LogError) {
        let temporary = path + ".grow"
        do {
            let file = try SystemFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.write(UnsafeRawBufferPointer(start: base, count: mappedBytes), at: 0)
            try file.sync()
        }
        try FileSystem.rename(temporary, path)
        try FileSystem.syncDirectory(FileSystem.parentDirectory(path))
        let newFD = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard newFD >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        close(fd)
        fd = newFD
        fileCapacity = capacity
        dirty = KeyIndex.noPagesChanged(capacity: capacity)
    }

    /// A `dirty` bitmap with a clear bit for each page (`chunkBytes`) of a table of `capacity`.
    private static func noPagesChanged(capacity: Int) -> [UInt64] {
        let pages = (headerSize + capacity * slotSize + chunkBytes - 1) / chunkBytes
        return [UInt64](repeating: 0, count: (pages + 63) / 64)
    }

    /// Forgets every entry (the table is rebuilt from the log; the next checkpoint writes it
    /// whole, to a new file).
    public func reset() throws(LogError) {
        // In fresh memory, not the mapped file: a crash must not leave the file's old header
        // over a table partly cleared.
        munmap(base, mappedBytes)
        base = KeyIndex.allocate(mappedBytes)
        mapsFile = false
        count = 0
        coveredUpTo = .zero
        metDamage = false
        writeHeader()
        fileCapacity = 0
    }

    private func writeHeader() {
        var header = KeyIndex.magic
        appendLE(UInt64(capacity), &header)
        appendLE(UInt64(count), &header)
        appendLE(coveredUpTo.rawValue, &header)
        appendLE(CRC32C.checksum(header), &header)
        header.append(contentsOf: [UInt8](repeating: 0, count: KeyIndex.headerSize - header.count))
        header.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: KeyIndex.headerSize) }
    }

    /// Forgets every entry at or past `offset`, the first the header does not cover. A writer
    /// killed between filing entries in the mapped table and writing its header leaves them
    /// behind, uncounted: filed again when the records are indexed anew, they would fill the
    /// table past what `count` says (and a full table has no free slot to find). Rebuilds the
    /// table in fresh memory from the entries below `offset`; the next checkpoint writes it
    /// whole. Scans every slot: called only when records must be indexed again.
    public func dropEntries(from offset: Offset) {
        refile(capacity: capacity) { $0 < offset.rawValue }
        fileCapacity = 0
    }

    /// Doubles the table in memory (the next checkpoint writes it to a new file).
    private func grow() {
        refile(capacity: capacity * 2) { _ in true }
    }

    /// Files the entries whose offsets `keep` accepts into a fresh table of `newCapacity`
    /// slots in anonymous memory, which replaces this one (`count` becomes how many).
    private func refile(capacity newCapacity: Int, keep: (UInt64) -> Bool) {
        let newBytes = KeyIndex.headerSize + newCapacity * KeyIndex.slotSize
        let newBase = KeyIndex.allocate(newBytes)
        let oldSlots = base + KeyIndex.headerSize, newSlots = newBase + KeyIndex.headerSize
        var kept = 0, damaged = 0
        for slot in 0..<capacity {
            let h = oldSlots.loadUnaligned(fromByteOffset: slot * KeyIndex.slotSize, as: UInt64.self)
            let word = oldSlots.loadUnaligned(fromByteOffset: slot * KeyIndex.slotSize + 8, as: UInt64.self)
            let at = word & KeyIndex.offsetMask
            // A slot failing its check is dropped: its record is filed again when the writer
            // indexes the log anew (a damaged table is rebuilt whole; see `LogWriter`).
            if !KeyIndex.slotHolds(hash: h, word: word) { damaged += 1; continue }
            if h != 0 && keep(at) {
                KeyIndex.place(hash: h, offset: at, slots: newSlots, mask: newCapacity - 1)
                kept += 1
            }
        }
        if damaged > 0 { metDamage = true }
        munmap(base, mappedBytes)
        base = newBase
        mapsFile = false
        mappedBytes = newBytes
        capacity = newCapacity
        count = kept
        writeHeader()
        // The whole table goes to a new file at the next checkpoint; the marks only need room.
        dirty = KeyIndex.noPagesChanged(capacity: newCapacity)
    }

    private static func createEmpty(path: String, capacity: Int) throws(LogError) {
        try? FileSystem.remove(path)
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(headerSize + capacity * slotSize)) == 0 else {
            throw .system(operation: "truncate", path: path, errno: errno)
        }
        var header = magic
        appendLE(UInt64(capacity), &header)
        appendLE(UInt64(0), &header)
        appendLE(UInt64(0), &header)
        appendLE(CRC32C.checksum(header), &header)
        _ = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Maps the file's `bytes`, shared (read-only unless `writable`).
    private static func map(fd: Int32, bytes: Int, path: String, writable: Bool) throws(LogError) -> UnsafeMutableRawPointer {
        let p = mmap(nil, bytes, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else { throw .system(operation: "mmap", path: path, errno: errno) }
        return p
    }

    /// Zeroed memory for a table of `bytes` (to `munmap`), in huge pages where the kernel has
    /// them: lookups and inserts land on random slots, and with 4 KiB pages nearly each one
    /// missed the TLB (and first touched a page) in a table of tens of MiB.
    private static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
            fatalError("out of memory for a key index of \(bytes) bytes")
        }
        if bytes >= 2 << 20 { _ = madvise(p, bytes, MADV_HUGEPAGE) }
        return p
    }
}
