import Foundation
import WaymarkEvents
import WaymarkLog
import WaymarkStore

/// Compares two read-model directories file by file, CSV rows by key (not by line position),
/// so an analyst sees what a rules change moves. The manifest's build time is not a
/// difference; its offsets, rules hash and counts are.
public struct ReadModelDiff {
    /// The key columns of each read-model file, from the catalogue.
    static let keys: [String: [String]] = Dictionary(uniqueKeysWithValues: ReadModelCatalogue.entries.filter { !$0.key.isEmpty }.map { ($0.file, $0.key) })
    /// Files not compared: the projector's private state (its differences show in the files).
    static let skipped: Set<String> = [".projector-state"]

    /// One file's differences.
    public struct FileDiff {
        public var file: String
        public var added: [String] = []
        public var removed: [String] = []
        public var changed: [String] = []
        public var note: String?
        /// For each column, how many rows present in both had it changed.
        public var columnChanges: [String: Int] = [:]
        /// The columns that changed in most rows, most first (ties by name), with their counts.
        public func mostChanged(_ n: Int = 3) -> [(column: String, rows: Int)] {
            columnChanges.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map { ($0.key, $0.value) }
        }
        /// One line: rows added, removed and changed, and the columns that moved most.
        public var summary: String {
            var line = "\(file): \(added.count) added, \(removed.count) removed, \(changed.count) changed"
            let most = mostChanged()
            if !most.isEmpty { line += " (most changed: " + most.map { "\($0.column) in \($0.rows)" }.joined(separator: ", ") + ")" }
            if let note { line += ", " + note }
            return line
        }
        public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && note == nil }
    }

    /// Every file's differences, files in name order.
    public static func compare(_ a: String, _ b: String) throws -> [FileDiff] {
        let fm = FileManager.default
        for d in [a, b] where !FileSystem.isDirectory(d) { throw SchemaError("no read-model directory at \(d)") }
        let names = Set(try fm.contentsOfDirectory(atPath: a)).union(try fm.contentsOfDirectory(atPath: b)).subtracting(skipped).sorted()
        var out: [FileDiff] = []
        for name in names {
            var d = FileDiff(file: name)
            let pa = a + "/" + name, pb = b + "/" + name
            switch (fm.fileExists(atPath: pa), fm.fileExists(atPath: pb)) {
            case (true, false): d.note = "only in \(a)"
            case (false, true): d.note = "only in \(b)"
            default:
                if name.hasSuffix(".csv") {
                    try compareCSV(try CSVFile(path: pa), try CSVFile(path: pb), keys: keys[name], into: &d)
                } else if name == "manifest.json" {
                    try compareManifest(pa, pb, into: &d)
                } else if fm.contents(atPath: pa) != fm.contents(atPath: pb) {
                    d.note = "contents differ"
                }
            }
            out.append(d)
        }
        return out
    }

    static func compareCSV(_ x: CSVFile, _ y: CSVFile, keys: [String]?, into d: inout FileDiff) throws {
        if x.header != y.header { d.note = "columns differ: \(x.header.joined(separator: ",")) / \(y.header.joined(separator: ","))"; return }
        let keyColumns = (keys ?? x.header).compactMap { x.column($0) }
        func keyed(_ f: CSVFile) -> [String: [String]] {
            var m: [String: [String]] = [:]
            for r in f.rows { m[keyColumns.map { r.fields[$0] }.joined(separator: " ")] = r.fields }
            return m
        }
        let mx = keyed(x), my = keyed(y)
        for k in mx.keys.sorted() where my[k] == nil { d.removed.append(k) }
        for k in my.keys.sorted() where mx[k] == nil { d.added.append(k) }
        for k in mx.keys.sorted() {
            guard let rx = mx[k], let ry = my[k], rx != ry else { continue }
            let moved = x.header.indices.filter { rx[$0] != ry[$0] }
            for c in moved { d.columnChanges[x.header[c], default: 0] += 1 }
            let changes = moved.map { "\(x.header[$0]) \(rx[$0].isEmpty ? "∅" : rx[$0]) → \(ry[$0].isEmpty ? "∅" : ry[$0])" }
            d.changed.append("\(k): " + changes.joined(separator: ", "))
        }
    }

    static func compareManifest(_ pa: String, _ pb: String, into d: inout FileDiff) throws {
        func load(_ p: String) throws -> JSONObject {
            let bytes = FileManager.default.contents(atPath: p) ?? Data()
            return try bytes.withUnsafeBytes { try JSONParser.parse($0) }.objectValue ?? JSONObject()
        }
        let x = try load(pa), y = try load(pb)
        for key in Set(x.keys).union(y.keys).sorted() where key != "builtAt" {
            let vx = x[key]?.serialized ?? "∅", vy = y[key]?.serialized ?? "∅"
            if vx != vy { d.changed.append("\(key): \(vx) → \(vy)"); d.columnChanges[key, default: 0] += 1 }
        }
    }
}
