import Foundation
import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// The per-child timeline store: one record per child (`timeline.dat`) and an index from
/// every linked reference to its child's record (`timeline.idx`), so one child's whole
/// history is found in milliseconds among millions.
///
/// A record is the child's document up to its episodes (`{"child","refs","placements",
/// "episodes":[`), a tab, the child's rows of `episodes.csv` (row numbers, comma-separated),
/// a tab, its entries ("offset status" pairs, comma-separated) and a newline: the episodes are
/// rendered from their CSV rows and the events read from the log, so nothing is stored twice.
///
/// `timeline.idx`: `WMTLIDX2`, u64 entry count, then entries of 20 bytes sorted by hash
/// (u64 hash of the reference, u64 record position, u32 record length); then u64 row count
/// and that many plus one u64 positions in `episodes.csv` (where each row starts, then where
/// the file ends). Little-endian. A hash hit is confirmed against the record's `refs`.
public enum TimelineStore {
    static let magic = Array("WMTLIDX2".utf8)
    /// The first format, whose records held the episodes as JSON.
    static let oldMagic = Array("WMTLIDX1".utf8)

    /// Appends one item of a record's lists, `,123` or, with a status letter, `,123 c` (no comma
    /// before the first), in one append: a comma, the digits and the status each appended
    /// apart were most of writing the store (one entry per event).
    static func appendItem(_ number: UInt64, first: Bool, status: UInt8? = nil, to out: inout ByteBuffer) {
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { b in
            var k = b.count
            if let status { k -= 2; b[k] = UInt8(ascii: " "); b[k + 1] = status }
            var m = number
            repeat { k -= 1; b[k] = UInt8(truncatingIfNeeded: 48 + m % 10); m /= 10 } while m > 0
            if !first { k -= 1; b[k] = UInt8(ascii: ",") }
            out.append(UnsafeRawBufferPointer(rebasing: b[k...]))
        }
    }

    /// Writes `timeline.dat` for `model` into `file`; returns the first part of `timeline.idx`
    /// (its references), which `appendRows` completes.
    static func build(_ model: ReadModel, into file: ModelFile) throws -> [UInt8] {
        var entries: [(UInt64, UInt64, UInt32)] = []
        var w = JSONWriter(out: ByteBuffer(capacity: ModelFile.chunk + (1 << 20)))
        for (c, child) in model.children.enumerated() {
            try file.write(&w.out)
            let root = model.childRoots[c], refs = model.refs[c]
            let start = file.written + w.out.count
            w.raw("{\"child\":"); w.string(child)
            w.raw(",\"refs\":"); w.strings(refs)
            w.raw(",\"placements\":[")
            for (n, k) in model.placements(ofRoot: root).enumerated() {
                let p = model.placementList[Int(k)]
                if n > 0 { w.raw(",") }
                w.raw("{\"placement\":"); w.string(p.ref)
                w.raw(",\"placingLA\":"); w.string(p.placingLA)
                w.raw(",\"placingLAName\":"); w.string(model.codeNames.known(p.placingLA))
                w.raw(",\"hostLA\":"); w.string(p.hostLA)
                w.raw(",\"hostLAName\":"); w.string(model.codeNames.known(p.hostLA))
                w.raw(",\"type\":"); w.string(p.type)
                w.raw(",\"typeName\":"); w.string(model.codeNames.known(p.type))
                w.raw(",\"homeUrn\":"); w.string(p.homeUrn)
                w.raw(",\"start\":"); w.time(p.start)
                w.raw(",\"end\":"); w.time(p.end)
                w.raw(",\"hostNotifiedAt\":"); w.time(p.notifiedAt)
                w.raw("}")
            }
            // The episodes are rows of episodes.csv: the store keeps their row numbers after a
            // tab, and a lookup renders them from the rows (timeline.idx has where each row is).
            w.raw("],\"episodes\":[\t")
            for (n, i) in model.episodes(ofRoot: root).enumerated() {
                TimelineStore.appendItem(UInt64(i), first: n == 0, to: &w.out)
            }
            // The entries' events stay in the log: the store keeps "offset status" pairs after a
            // tab, and a lookup reads the events from the log.
            w.raw("\t")
            var n = 0
            model.forEachEntry(ofRoot: root) { offset, status in
                let letter: UInt8
                switch status {
                case .current: letter = UInt8(ascii: "c")
                case .superseded: letter = UInt8(ascii: "s")
                case .retracted: letter = UInt8(ascii: "r")
                }
                TimelineStore.appendItem(offset, first: n == 0, status: letter, to: &w.out)
                n += 1
            }
            w.raw("\n")
            let length = UInt32(file.written + w.out.count - start)
            for var ref in refs { entries.append((ref.withUTF8 { KeyIndex.hash(UnsafeRawBufferPointer($0)) }, UInt64(start), length)) }
        }
        try file.write(&w.out, force: true)
        entries.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var index = magic
        index.reserveCapacity(16 + entries.count * 20)
        appendLE(UInt64(entries.count), &index)
        for (h, pos, len) in entries { appendLE(h, &index); appendLE(pos, &index); appendLE(len, &index) }
        return index
    }

    /// Completes `timeline.idx` with where each row of `episodes.csv` starts (then its end).
    static func appendRows(_ starts: [UInt64], to index: inout [UInt8]) {
        index.reserveCapacity(index.count + 8 + starts.count * 8)
        appendLE(UInt64(max(starts.count - 1, 0)), &index)
        for p in starts { appendLE(p, &index) }
    }

    /// The timeline document of the child `ref` names, from the read models in `directory`
    /// (its episodes rendered from `episodes.csv`, its events read from the log the manifest
    /// names), or nil when no child has that reference.
    public static func lookup(directory: String, ref: String) throws -> String? {
        guard let idx = try SystemFile.openForReadingIfExists(directory + "/timeline.idx"),
              let dat = try SystemFile.openForReadingIfExists(directory + "/timeline.dat") else {
            throw SchemaError("no timeline store in \(directory) (run waymark project timeline --out \(directory))")
        }
        let head = try idx.read(count: 16, at: 0)
        if head.count == 16, Array(head[0..<8]) == oldMagic {
            throw SchemaError("\(directory)/timeline.idx is from an older Waymark: run waymark project --rebuild --out \(directory)")
        }
        guard head.count == 16, Array(head[0..<8]) == magic else { throw SchemaError("\(directory)/timeline.idx is not a timeline index") }
        // Every number read from the index is checked before it is used: a damaged index is an
        // error, never a crash or a read elsewhere.
        let damaged = SchemaError("\(directory)/timeline.idx is damaged: run waymark project --rebuild --out \(directory)")
        func read(_ n: Int, at position: Int) throws -> [UInt8] {
            let bytes = try idx.read(count: n, at: position)
            guard bytes.count == n else { throw damaged }
            return bytes
        }
        guard let count = Int(exactly: readLE(UInt64.self, head, 8)), count <= (try idx.size() - 16) / 20 else { throw damaged }
        let hash = Array(ref.utf8).withUnsafeBytes { KeyIndex.hash($0) }
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if readLE(UInt64.self, try read(8, at: 16 + mid * 20), 0) < hash { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < count {
            let entry = try read(20, at: 16 + i * 20)
            guard readLE(UInt64.self, entry, 0) == hash else { break }
            guard let position = Int(exactly: readLE(UInt64.self, entry, 8)) else { throw damaged }
            let record = try dat.read(count: Int(readLE(UInt32.self, entry, 16)), at: position)
            let parts = record.split(separator: 0x09, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { throw SchemaError("\(directory)/timeline.dat: a record without its episodes and entries") }
            let head = String(decoding: parts[0], as: UTF8.self)
            guard let value = try? JSONParser.parse(head + "]}"), value["refs"]?.arrayValue?.contains(.string(ref)) == true else { i += 1; continue }
            let rows = try String(decoding: parts[1], as: UTF8.self).split(separator: ",").map { n -> Int in
                guard let row = Int(n) else { throw SchemaError("\(directory)/timeline.dat: episode row \"\(n)\" is not a number") }
                return row
            }
            let episodes = try EpisodeRows.documents(rows, directory: directory, index: idx, at: 16 + count * 20)
            return try head + episodes + "],\"entries\":[" + entries(String(decoding: parts[2], as: UTF8.self), directory: directory) + "]}"
        }
        return nil
    }

    /// The entries, each `{"offset","recordedAt","status","event"}`, from "offset status" pairs.
    static func entries(_ list: String, directory: String) throws -> String {
        let statuses: [Substring: String] = ["c": "current", "s": "superseded", "r": "retracted"]
        let pairs = try list.trimmingCharacters(in: .newlines).split(separator: ",").map { item -> (Offset, String) in
            let parts = item.split(separator: " ")
            guard parts.count == 2, let o = UInt64(parts[0]), let status = statuses[parts[1]] else {
                throw SchemaError("\(directory)/timeline.dat: entry \"\(item)\" is not an offset and a status (c, s or r)")
            }
            return (Offset(o), status)
        }
        guard !pairs.isEmpty else { return "" }
        let manifest = try (FileManager.default.contents(atPath: directory + "/manifest.json") ?? Data()).withUnsafeBytes { try JSONParser.parse($0) }
        guard let log = manifest["log"]?.stringValue else { throw SchemaError("\(directory)/manifest.json names no log") }
        let records = try LogReader(directory: log).records(at: pairs.map(\.0))
        return try pairs.map { (offset, status) -> String in
            guard let r = records[offset] else { throw SchemaError("offset \(offset) is not in the log \(log)") }
            return "{\"offset\":\(offset),\"recordedAt\":\(JSONText.quote(r.recordedAt.rfc3339)),\"status\":\"\(status)\",\"event\":" + String(decoding: r.payload, as: UTF8.self) + "}"
        }.joined(separator: ",")
    }

}

/// Writes compact JSON straight to bytes, for the timeline documents.
struct JSONWriter: ~Copyable {
    var out: ByteBuffer
    /// A literal's bytes (literals come here, not to `text`: copied whole, not byte by byte).
    mutating func raw(_ s: StaticString) { out.append(s) }
    /// A text's bytes as they are (already JSON).
    mutating func text(_ s: String) { out.append(s) }
    /// A JSON string of `s`'s text (null for nil): its bytes whole when nothing needs escaping.
    mutating func string(_ s: String?) {
        guard var s else { raw("null"); return }
        let plain = s.withUTF8 { b in
            guard JSONText.isPlain(b) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(UnsafeRawBufferPointer(b))
            out.append(UInt8(ascii: "\""))
            return true
        }
        if !plain {
            var escaped: [UInt8] = []
            JSONText.appendQuoted(s, to: &escaped)
            out.append(escaped)
        }
    }
    mutating func strings(_ list: [String]) {
        out.append(UInt8(ascii: "["))
        for (n, s) in list.enumerated() { if n > 0 { out.append(UInt8(ascii: ",")) }; string(s) }
        out.append(UInt8(ascii: "]"))
    }
    mutating func time(_ t: Timestamp?) {
        guard let t else { raw("null"); return }
        out.append(UInt8(ascii: "\""))
        Cell.appendTime(t, to: &out)
        out.append(UInt8(ascii: "\""))
    }
    mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }
}
