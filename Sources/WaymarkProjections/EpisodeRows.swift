import WaymarkEvents
import WaymarkLog
import WaymarkStore

/// Rows of a published `episodes.csv`, found by row number through the row positions at the
/// end of `timeline.idx`, and rendered as the timeline's episode objects. The CSV has every
/// field the timeline shows; an empty cell is JSON null (no value the events allow is empty).
enum EpisodeRows {
    /// `{…},{…}`: the episodes in `rows` (row numbers, 0 the first data row), in that order,
    /// from the read models in `directory`; `index` is its `timeline.idx`, whose row count
    /// is at byte `at` (the positions follow it).
    static func documents(_ rows: [Int], directory: String, index: borrowing SystemFile, at: Int) throws -> String {
        guard !rows.isEmpty else { return "" }
        let head = try index.read(count: 8, at: at)
        guard head.count == 8 else { throw SchemaError("\(directory)/timeline.idx ends before its episode rows") }
        guard let rowCount = Int(exactly: readLE(UInt64.self, head, 0)), rowCount < 1 << 40 else {
            throw SchemaError("\(directory)/timeline.idx: damaged count of episode rows")
        }
        guard let csv = try SystemFile.openForReadingIfExists(directory + "/episodes.csv") else {
            throw SchemaError("\(directory)/episodes.csv is missing (the timeline's episodes are its rows)")
        }
        let header = Array((ReadModel.episodeColumns.joined(separator: ",") + "\n").utf8)
        var w = JSONWriter(out: ByteBuffer())
        for (n, row) in rows.enumerated() {
            guard row >= 0, row < rowCount else { throw SchemaError("\(directory)/timeline.dat: episode row \(row) is not among the \(rowCount) rows of episodes.csv") }
            let span = try index.read(count: 16, at: at + 8 + row * 8)
            let damaged = SchemaError("\(directory)/timeline.idx: damaged position of episode row \(row)")
            guard span.count == 16 else { throw damaged }
            let start = readLE(UInt64.self, span, 0), end = readLE(UInt64.self, span, 8)
            guard start > 0, start < end, end - start < 1 << 20 else { throw damaged }
            // The row with the line end before it: a file changed since it was indexed shows.
            let bytes = try csv.read(count: Int(end - start) + 1, at: Int(start) - 1)
            let parsed = CSVFile(bytes: header + bytes.dropFirst())
            guard bytes.first == 0x0A, bytes.last == 0x0A, parsed.rows.count == 1 else {
                throw SchemaError("\(directory)/episodes.csv: row \(row + 1) (byte \(start)) is not one episode row: rebuild the read models")
            }
            if n > 0 { w.raw(",") }
            try render(parsed.rows[0].fields, row: row, directory: directory, into: &w)
        }
        return String(decoding: w.out.bytes, as: UTF8.self)
    }

    /// One episode object from its CSV fields (in `ReadModel.episodeColumns` order).
    private static func render(_ f: [String], row: Int, directory: String, into w: inout JSONWriter) throws {
        func cell(_ name: String) -> String { f[ReadModel.episodeColumns.firstIndex(of: name)!] }
        func optional(_ name: String) -> String? { let v = cell(name); return v.isEmpty ? nil : v }
        func flag(_ name: String) throws -> Bool? {
            switch cell(name) {
            case "": return nil
            case "true": return true
            case "false": return false
            case let v: throw SchemaError("\(directory)/episodes.csv: row \(row + 1), field \(name): \"\(v)\" is not true, false or empty")
            }
        }
        let key = cell("episode"), refs = cell("refs")
        w.raw("{\"episode\":"); w.string(key)
        w.raw(",\"refs\":"); w.strings(EpisodeRows.refs(refs, key: key))
        w.raw(",\"category\":"); w.string(cell("category"))
        w.raw(",\"startedAt\":"); w.string(cell("startedAt"))
        w.raw(",\"endedAt\":"); w.string(optional("endedAt"))
        w.raw(",\"durationHours\":")
        if let h = optional("durationHours") {
            guard Double(h) != nil, h.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || ($0 >= 0x30 && $0 <= 0x39) }) else {
                throw SchemaError("\(directory)/episodes.csv: row \(row + 1), field durationHours: \"\(h)\" is not a number")
            }
            w.text(h)
        } else {
            w.raw("null")
        }
        w.raw(",\"counted\":"); w.bool(try flag("counted") ?? false)
        w.raw(",\"riskLevel\":"); w.string(optional("riskLevel"))
        w.raw(",\"foundBy\":"); w.string(optional("foundBy"))
        w.raw(",\"reportingForce\":"); w.string(optional("reportingForce"))
        w.raw(",\"foundForce\":"); w.string(optional("foundForce"))
        w.raw(",\"placement\":"); w.string(optional("placement"))
        w.raw(",\"debriefAt\":"); w.string(optional("debriefAt"))
        w.raw(",\"rhiOutcome\":"); w.string(optional("rhiOutcome"))
        w.raw(",\"rhiHeldAt\":"); w.string(optional("rhiHeldAt"))
        w.raw(",\"rhiOnTime\":"); if let b = try flag("rhiOnTime") { w.bool(b) } else { w.raw("null") }
        w.raw("}")
    }

    /// The references of an episode from its `refs` cell: the key alone, or the key and the
    /// other agency's reference joined by `;` in sorted order. References may themselves hold
    /// `;`, so the cell is cut where the key is, not at every `;`.
    static func refs(_ cell: String, key: String) -> [String] {
        if cell == key { return [key] }
        if cell.hasSuffix(";" + key) { return [String(cell.dropLast(key.count + 1)), key] }
        if cell.hasPrefix(key + ";") { return [key, String(cell.dropFirst(key.count + 1))] }
        return cell.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
    }
}
