import Foundation
import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// The per-child timeline store: one JSON document per child (`timeline.dat`) and an index
/// from every linked reference to its child's document (`timeline.idx`), so one child's
/// whole history is found in milliseconds among millions.
///
/// `timeline.idx`: `WMTLIDX1`, u64 entry count, then entries of 20 bytes sorted by hash
/// (u64 hash of the reference, u64 document position, u32 document length), little-endian.
/// A hash hit is confirmed against the document's `refs`.
public enum TimelineStore {
    static let magic = Array("WMTLIDX1".utf8)

    /// The two files' bytes for `model`.
    static func build(_ model: ReadModel) -> (data: [UInt8], index: [UInt8]) {
        var data: [UInt8] = []
        var entries: [(UInt64, UInt64, UInt32)] = []
        let groups = model.groups
        var episodesByChild: [String: [EpisodeView]] = [:]
        for e in model.episodes { episodesByChild[e.child, default: []].append(e) }
        var placementsByChild: [String: [PlacementView]] = [:]
        for p in model.placements.values { placementsByChild[p.child, default: []].append(p) }
        for child in groups.keys.sorted() {
            let refs = groups[child]!
            var doc = "{\"child\":\(JSONText.quote(child)),\"refs\":[" + refs.map(JSONText.quote).joined(separator: ",") + "],\"placements\":["
            doc += (placementsByChild[child] ?? []).sorted { ($0.start, $0.ref) < ($1.start, $1.ref) }.map { p in
                JSONText.object(["placement": .string(p.ref), "placingLA": .string(p.placingLA), "hostLA": .string(p.hostLA), "type": .string(p.type),
                                 "homeUrn": .string(p.homeUrn), "start": .string(Cell.time(p.start)), "end": .string(p.end.map { Cell.time($0) }),
                                 "hostNotifiedAt": .string(p.notifiedAt.map { Cell.time($0) })])
            }.joined(separator: ",") + "],\"episodes\":["
            doc += (episodesByChild[child] ?? []).map { e in
                JSONText.object(["episode": .string(e.key), "refs": JSONText.Raw(text: "[" + e.refs.map(JSONText.quote).joined(separator: ",") + "]"),
                                 "category": .string(e.category), "startedAt": .string(Cell.time(e.startedAt)),
                                 "endedAt": .string(e.endedAt.map { Cell.time($0) }), "durationHours": JSONText.Raw(text: e.durationHours.map(Cell.hours) ?? "null"),
                                 "counted": .bool(e.counted), "riskLevel": .string(e.riskLevel), "foundBy": .string(e.foundBy),
                                 "reportingForce": .string(e.reportingForce), "foundForce": .string(e.foundForce),
                                 "placement": .string(e.placement?.ref), "debriefAt": .string(e.debriefAt.map { Cell.time($0) }),
                                 "rhiOutcome": .string(e.rhiOutcome), "rhiHeldAt": .string(e.rhiHeldAt.map { Cell.time($0) }),
                                 "rhiOnTime": e.rhiOnTime.map { JSONText.Raw.bool($0) } ?? .null])
            }.joined(separator: ",") + "],\"entries\":["
            // The entries' events stay in the log: the store keeps "offset status" pairs after a
            // tab, and a lookup reads the events from the log.
            doc += "\t" + (model.entries[child] ?? []).map { h in
                switch h.status {
                case .current: return "\(h.offset) c"
                case .superseded: return "\(h.offset) s"
                case .retracted: return "\(h.offset) r"
                }
            }.joined(separator: ",") + "\n"
            let bytes = Array(doc.utf8)
            for ref in refs { entries.append((Array(ref.utf8).withUnsafeBytes { KeyIndex.hash($0) }, UInt64(data.count), UInt32(bytes.count))) }
            data += bytes
        }
        entries.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var index = magic
        appendLE(UInt64(entries.count), &index)
        for (h, pos, len) in entries { appendLE(h, &index); appendLE(pos, &index); appendLE(len, &index) }
        return (data, index)
    }

    /// The timeline document of the child `ref` names, from the read models in `directory`
    /// (its events read from the log the manifest names), or nil when no child has that reference.
    public static func lookup(directory: String, ref: String) throws -> String? {
        guard let idx = try SystemFile.openForReadingIfExists(directory + "/timeline.idx"),
              let dat = try SystemFile.openForReadingIfExists(directory + "/timeline.dat") else {
            throw SchemaError("no timeline store in \(directory) (run waymark project timeline --out \(directory))")
        }
        let head = try idx.read(count: 16, at: 0)
        guard head.count == 16, Array(head[0..<8]) == magic else { throw SchemaError("\(directory)/timeline.idx is not a timeline index") }
        let count = Int(readLE(UInt64.self, head, 8))
        let hash = Array(ref.utf8).withUnsafeBytes { KeyIndex.hash($0) }
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if readLE(UInt64.self, try idx.read(count: 8, at: 16 + mid * 20), 0) < hash { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < count {
            let entry = try idx.read(count: 20, at: 16 + i * 20)
            guard readLE(UInt64.self, entry, 0) == hash else { break }
            let record = try dat.read(count: Int(readLE(UInt32.self, entry, 16)), at: Int(readLE(UInt64.self, entry, 8)))
            guard let tab = record.firstIndex(of: 0x09) else { throw SchemaError("\(directory)/timeline.dat: a record without its entries") }
            let head = String(decoding: record[..<tab], as: UTF8.self)
            guard let value = try? JSONParser.parse(head + "]}"), value["refs"]?.arrayValue?.contains(.string(ref)) == true else { i += 1; continue }
            return try head + entries(String(decoding: record[(tab + 1)...], as: UTF8.self), directory: directory) + "]}"
            i += 1
        }
        return nil
    }

    /// The entries, each `{"offset","recordedAt","status","event"}`, from "offset status" pairs.
    static func entries(_ list: String, directory: String) throws -> String {
        let pairs = list.trimmingCharacters(in: .newlines).split(separator: ",").compactMap { item -> (Offset, String)? in
            let parts = item.split(separator: " ")
            guard parts.count == 2, let o = UInt64(parts[0]) else { return nil }
            return (Offset(o), parts[1] == "c" ? "current" : parts[1] == "s" ? "superseded" : "retracted")
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
