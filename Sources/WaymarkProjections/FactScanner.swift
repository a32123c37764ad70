import WaymarkEvents
import WaymarkTime

/// Reads the facts the projector keeps straight from an event's bytes, without building a JSON
/// tree: identity, subjects, time and the flat members of `data`. Events in the log were
/// validated when appended, so this only has to be fast and to know when to step aside: for an
/// older schema version (the upcasters apply), an escaped string, or any shape it does not
/// expect, it returns nil and the projector takes the full path.
enum FactScanner {
    struct Facts {
        var envelope: CompactEnvelope
        var supersedes: String?
    }

    static func scan(_ b: UnsafeRawBufferPointer) -> Facts? {
        var i = 0
        let n = b.count
        @inline(__always) func ws() { while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 } }
        @inline(__always) func expect(_ c: UInt8) -> Bool { ws(); guard i < n, b[i] == c else { return false }; i += 1; return true }
        /// A string without escapes (nil when it has one: the full path handles those).
        func string() -> String? {
            ws()
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            var ascii = true
            while i < n, b[i] != UInt8(ascii: "\"") {
                if b[i] == UInt8(ascii: "\\") { return nil }
                if b[i] >= 0x80 { ascii = false }
                i += 1
            }
            guard i < n else { return nil }
            let slice = UnsafeRawBufferPointer(rebasing: b[start..<i])
            i += 1
            return ascii ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
        }
        /// Skips any value; false if it is malformed.
        func skip() -> Bool {
            ws()
            guard i < n else { return false }
            switch b[i] {
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < n {
                    let c = b[i]
                    if c == UInt8(ascii: "\"") { if string() == nil { return false }; continue }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1; if depth == 0 { i += 1; return true } }
                    i += 1
                }
                return false
            default:
                while i < n, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]") { i += 1 }
                return true
            }
        }
        /// A scalar literal's text (number, true, false, null).
        func literal() -> Substring {
            ws()
            let start = i
            while i < n, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"), b[i] != 0x20 { i += 1 }
            return Substring(String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
        }
        /// The members of an object: calls `member` with each key, positioned at its value.
        func members(_ member: (String) -> Bool) -> Bool {
            guard expect(UInt8(ascii: "{")) else { return false }
            ws()
            if i < n, b[i] == UInt8(ascii: "}") { i += 1; return true }
            while true {
                guard let key = string(), expect(UInt8(ascii: ":")), member(key) else { return false }
                ws()
                guard i < n else { return false }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return true }
                return false
            }
        }

        var id: String?, type: String?, child: String?, episode: String?, occurred: Timestamp?, supersedes: String?
        var version = 1
        var fields = Fields()
        let ok = members { key in
            switch key {
            case "id": id = string(); return id != nil
            case "type": type = string(); return type != nil
            case "child", "episode", "supersedes":
                ws()
                if i + 4 <= n, b[i] == UInt8(ascii: "n") { i += 4; return true }
                guard let s = string() else { return false }
                if key == "child" { child = s } else if key == "episode" { episode = s } else { supersedes = s }
                return true
            case "occurredAt":
                guard let s = string() else { return false }
                occurred = RFC3339.parse(s)
                return occurred != nil
            case "schemaVersion":
                guard let v = Int(literal()) else { return false }
                version = v
                return true
            case "data":
                return members { field in
                    ws()
                    guard i < n else { return false }
                    switch b[i] {
                    case UInt8(ascii: "\""):
                        guard let s = string() else { return false }
                        fields.values[field] = .string(s)
                    case UInt8(ascii: "["):
                        i += 1
                        var list: [String] = []
                        ws()
                        if i < n, b[i] == UInt8(ascii: "]") { i += 1 } else {
                            while true {
                                guard let s = string() else { return false }
                                list.append(s)
                                ws()
                                guard i < n else { return false }
                                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                                if b[i] == UInt8(ascii: "]") { i += 1; break }
                                return false
                            }
                        }
                        fields.values[field] = .list(list)
                    case UInt8(ascii: "{"):
                        return skip()
                    default:
                        let text = literal()
                        if text == "true" { fields.values[field] = .bool(true) } else if text == "false" { fields.values[field] = .bool(false) } else if text != "null" {
                            fields.values[field] = .number(String(text))
                        }
                    }
                    return true
                }
            default:
                return skip()
            }
        }
        guard ok, let id, let type, let occurred else { return nil }
        // An older schema version goes through the registered upcasters on the full path.
        if Upcasters.registered[type]?[version] != nil { return nil }
        return Facts(envelope: CompactEnvelope(id: id, type: type, child: child, episode: episode, occurredAt: occurred, data: fields),
                     supersedes: supersedes)
    }
}
