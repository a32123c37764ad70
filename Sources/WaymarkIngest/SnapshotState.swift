import Foundation
import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// What the log already holds from one source (adapter and agency): for each source record
/// and event type, the id and content fingerprint of its newest event, and what was
/// retracted. Derived from the log (the log is the only state), reading only events whose id
/// carries the source's prefix. The derivation is kept in `DIR/snapshots/<source>.state`, a
/// cache saying which prefix of the log it covers, so each run reads only what was appended
/// since (a cache that does not match the log is ignored and rebuilt).
public struct SnapshotState: KnownRecords {
    /// One live event.
    public struct Entry: Sendable {
        public var id: String
        public var fingerprint: String
        public var child: String?
        public var episode: String?
        public var recordId: String
        public var occurredAt: Timestamp
        /// The event type (set where the caller needs it; the key holds it too).
        public var type: String = ""
    }

    /// Live events by `recordId` + "\u{1}" + type.
    public private(set) var live: [String: Entry] = [:]
    /// Retracted events by the same key: a record that comes back supersedes its retraction.
    public private(set) var retracted: [String: String] = [:]
    /// The key of each live event, by id (to place retractions; a retraction of an event no
    /// longer live changes nothing).
    private var byId: [String: String] = [:]
    /// The log offset the state covers up to (exclusive), and the key of the record before it.
    private var covered = Offset.zero
    private var lastKey: [UInt8] = []

    /// Reads the source's events from the log in `directory`: those the cache does not cover.
    public init(logDirectory directory: String, adapter: String, agency: String) throws {
        let prefix = Array(EventIdentity.prefix(adapter: adapter, agency: agency).utf8)
        let cachePath = directory + "/snapshots/" + EventIdentity.prefix(adapter: adapter, agency: agency).replacingOccurrences(of: "/", with: "_") + "state"
        let reader = LogReader(directory: directory)
        if let cached = SnapshotState.memo.value[cachePath] ?? SnapshotState.load(cachePath), try cached.matches(reader) { self = cached }
        let start = covered
        try reader.forEach(from: covered) { record in
            covered = record.offset.next
            if record.key.count > prefix.count, record.key.starts(with: prefix) { apply(record.payload) }
            return true
        }
        if covered > start, let last = try reader.record(at: Offset(covered.rawValue - 1)) {
            lastKey = last.key
            SnapshotState.memo.unsaved.insert(cachePath)
        }
        SnapshotState.memo.value[cachePath] = self
    }

    public func records(withPrefix prefix: String) -> [(recordId: String, type: String, occurredAt: Timestamp)] {
        live.compactMap { key, e in
            e.recordId.hasPrefix(prefix) ? (e.recordId, String(key.split(separator: "\u{1}").last ?? ""), e.occurredAt) : nil
        }
    }

    private mutating func apply(_ payload: UnsafeRawBufferPointer) {
        guard let value = try? JSONParser.parse(payload), case let .success(e) = Envelope.validate(value),
              let recordId = e.source?["recordId"]?.stringValue else { return }
        if e.type == "EventRetracted" {
            if let target = e.data["target"]?.stringValue, let key = byId[target], live[key]?.id == target {
                live[key] = nil
                retracted[key] = target
                byId[target] = nil
            }
            return
        }
        let key = SnapshotState.key(recordId, e.type)
        if let old = live[key] { byId[old.id] = nil }
        live[key] = Entry(id: e.id, fingerprint: EventIdentity.contentFingerprint(child: e.child, episode: e.episode,
                                                                                  occurredAt: e.occurredAtText ?? e.occurredAt.rfc3339, data: e.data),
                          child: e.child, episode: e.episode, recordId: recordId, occurredAt: e.occurredAt)
        retracted[key] = nil
        byId[e.id] = key
    }

    /// The key of a record and type.
    public static func key(_ recordId: String, _ type: String) -> String { recordId + "\u{1}" + type }

    // MARK: - The cache

    private init() {}

    /// Whether the log still holds what the cache covered (the record before `covered` has
    /// the key the cache saw there).
    private func matches(_ reader: LogReader) throws -> Bool {
        if covered == .zero { return true }
        guard let record = try reader.record(at: Offset(covered.rawValue - 1)) else { return false }
        return record.key == lastKey
    }

    private static let magic = Array("WMSNAP02".utf8)

    /// States derived in this process (a manifest ingests many files of one source in turn).
    private final class Memo: @unchecked Sendable {
        var value: [String: SnapshotState] = [:]
        var unsaved: Set<String> = []
    }
    private static let memo = Memo()

    /// Writes the derivations this process made to their cache files (once, at the end of a
    /// command: a cache that is never written costs only speed, as the next run reads more of
    /// the log). Returns a warning for each that could not be written.
    public static func saveDerivations() -> [String] {
        var warnings: [String] = []
        for path in memo.unsaved {
            guard let state = memo.value[path] else { continue }
            do {
                try FileSystem.createDirectory(FileSystem.parentDirectory(path), followingLinks: false)
                try state.save(path)
            } catch {
                warnings.append("the snapshot cache \(path) was not saved (\(error)); the next run derives it from the log")
            }
        }
        memo.unsaved = []
        return warnings
    }

    private func save(_ path: String) throws {
        var out = SnapshotState.magic
        func string(_ s: String) { appendLE(UInt32(s.utf8.count), &out); out += s.utf8 }
        func optional(_ s: String?) { out.append(s == nil ? 0 : 1); string(s ?? "") }
        appendLE(covered.rawValue, &out)
        appendLE(UInt32(lastKey.count), &out); out += lastKey
        appendLE(UInt64(live.count), &out)
        for (key, e) in live {
            string(key); string(e.id); string(e.fingerprint); optional(e.child); optional(e.episode); string(e.recordId)
            appendLE(UInt64(bitPattern: e.occurredAt.millisecondsSinceEpoch), &out)
        }
        appendLE(UInt64(retracted.count), &out)
        for (key, id) in retracted { string(key); string(id) }
        appendLE(CRC32C.checksum(out), &out)
        try FileSystem.writeAtomically(out, to: path, durable: false)
    }

    /// The cache at `path`, or nil when it is missing, damaged or of another format.
    private static func load(_ path: String) -> SnapshotState? {
        guard let file = try? SystemFile.openForReadingIfExists(path), let bytes = try? file.readAll(),
              bytes.count >= magic.count + 12, Array(bytes[0..<magic.count]) == magic,
              readLE(UInt32.self, bytes, bytes.count - 4) == CRC32C.checksum(Array(bytes[0..<(bytes.count - 4)])) else { return nil }
        var at = magic.count
        let end = bytes.count - 4
        func u64() -> UInt64? { guard at + 8 <= end else { return nil }; defer { at += 8 }; return readLE(UInt64.self, bytes, at) }
        func raw() -> [UInt8]? {
            guard at + 4 <= end else { return nil }
            let n = Int(readLE(UInt32.self, bytes, at))
            guard at + 4 + n <= end else { return nil }
            defer { at += 4 + n }
            return Array(bytes[(at + 4)..<(at + 4 + n)])
        }
        func string() -> String? { raw().map { String(decoding: $0, as: UTF8.self) } }
        func optional() -> String?? {
            guard at < end else { return nil }
            let present = bytes[at] != 0
            at += 1
            guard let s = string() else { return nil }
            return .some(present ? s : nil)
        }
        var s = SnapshotState()
        guard let covered = u64(), let lastKey = raw(), let liveCount = u64() else { return nil }
        s.covered = Offset(covered)
        s.lastKey = lastKey
        for _ in 0..<liveCount {
            guard let key = string(), let id = string(), let fingerprint = string(), let child = optional(), let episode = optional(),
                  let recordId = string(), let at = u64() else { return nil }
            s.live[key] = Entry(id: id, fingerprint: fingerprint, child: child, episode: episode, recordId: recordId,
                                occurredAt: Timestamp(millisecondsSinceEpoch: Int64(bitPattern: at)))
        }
        guard let retractedCount = u64() else { return nil }
        for _ in 0..<retractedCount {
            guard let key = string(), let id = string() else { return nil }
            s.retracted[key] = id
        }
        for (key, e) in s.live { s.byId[e.id] = key }
        return at == end ? s : nil
    }
}
