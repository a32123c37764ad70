import WaymarkTime

/// A one-pass check of an event line's bytes against the envelope rules and its type's data
/// schema, without building a JSON tree: the fast path of `append`. It answers only "valid"
/// (with where the id and the top-level members are) or "not sure". Anything unusual (an
/// escape or a non-ASCII byte in a string, a number it would have to round, a schema keyword
/// it does not evaluate, a failed check) is left to the full validator, which decides and
/// writes the message. So it never accepts a line the full validator would refuse; a test
/// holds it to that on every example event and on thousands of mutated ones.
public enum EventBytesCheck {
    /// A line found valid.
    public struct Valid {
        /// Where the event's id is (the log key).
        public var id: Range<Int>
        /// Each top-level member, from its key's opening quote to the end of its value, and
        /// whether the log assigns it (`offset`, `recordedAt`: dropped on append).
        public var members: [(range: Range<Int>, logAssigned: Bool)]
        /// When the event happened.
        public var occurredAt: Timestamp
    }

    /// The line's verdict: valid, or nil for "ask the full validator".
    public static func check(_ line: UnsafeRawBufferPointer, catalogue: EventCatalogue) -> Valid? {
        var c = Cursor(b: line)
        c.ws()
        guard c.peek == UInt8(ascii: "{") else { return nil }
        c.i += 1
        var seen: UInt16 = 0
        var id: Range<Int>?, type: Range<Int>?, data: Range<Int>?, supersedes: Range<Int>?
        var version = 1
        var hasChild = false, hasEpisode = false
        var occurredAt = Timestamp(millisecondsSinceEpoch: 0)
        var members: [(range: Range<Int>, logAssigned: Bool)] = []
        members.reserveCapacity(12)
        c.ws()
        if c.peek == UInt8(ascii: "}") { return nil }
        while true {
            c.ws()
            let start = c.i
            guard let key = c.string(), c.colon() else { return nil }
            guard let field = Field(line, key), seen & field.bit == 0 else { return nil }
            seen |= field.bit
            c.ws()
            switch field {
            case .id:
                guard let s = c.string(), !s.isEmpty, s.count <= Envelope.maxIdLength else { return nil }
                id = s
            case .type:
                guard let s = c.string(), !s.isEmpty else { return nil }
                type = s
            case .schemaVersion:
                guard let n = c.number(), n.isInteger, line[n.range.lowerBound] != UInt8(ascii: "-"),
                      let v = Int(ascii: line, n.range) else { return nil }
                version = v
            case .occurredAt, .recordedAt:
                guard let s = c.string(), let t = RFC3339.parse(UnsafeRawBufferPointer(rebasing: line[s])) else { return nil }
                if field == .occurredAt { occurredAt = t }
            case .source:
                if c.literal("null") { break }
                guard c.peek == UInt8(ascii: "{") else { return nil }
                c.i += 1
                var sourceSeen: UInt8 = 0
                c.ws()
                if c.peek == UInt8(ascii: "}") { c.i += 1; break }
                while true {
                    c.ws()
                    guard let k = c.string(), c.colon() else { return nil }
                    let bit: UInt8 = c.equals(k, "agency") ? 1 : c.equals(k, "system") ? 2 : c.equals(k, "recordId") ? 4 : 0
                    guard bit != 0, sourceSeen & bit == 0 else { return nil }
                    sourceSeen |= bit
                    c.ws()
                    guard c.string() != nil else { return nil }
                    c.ws()
                    if c.peek == UInt8(ascii: ",") { c.i += 1; continue }
                    guard c.peek == UInt8(ascii: "}") else { return nil }
                    c.i += 1
                    break
                }
            case .child, .episode, .supersedes:
                if c.literal("null") { break }
                guard let s = c.string(), !s.isEmpty else { return nil }
                if field == .child { hasChild = true } else if field == .episode { hasEpisode = true } else { supersedes = s }
            case .data:
                let at = c.i
                guard c.peek == UInt8(ascii: "{"), c.skip() else { return nil }
                data = at..<c.i
            case .offset:
                guard let n = c.number(), n.isInteger, line[n.range.lowerBound] != UInt8(ascii: "-") else { return nil }
            }
            members.append((start..<c.i, field == .offset || field == .recordedAt))
            c.ws()
            if c.peek == UInt8(ascii: ",") { c.i += 1; continue }
            guard c.peek == UInt8(ascii: "}") else { return nil }
            c.i += 1
            break
        }
        c.ws()
        guard c.i == line.count, let id, let type, let data, seen & Field.occurredAt.bit != 0 else { return nil }
        if let supersedes, c.equalRanges(supersedes, id) { return nil }
        // The type's subject fields and data schema.
        let typeName = String(decoding: UnsafeRawBufferPointer(rebasing: line[type]), as: UTF8.self)
        guard let schema = catalogue.schemas[typeName]?[version] else { return nil }
        for subject in catalogue.subjects[typeName] ?? [] {
            if subject == "child" && !hasChild || subject == "episode" && !hasEpisode { return nil }
        }
        var d = Cursor(b: line, i: data.lowerBound)
        guard d.check(schema.root), d.i == data.upperBound else { return nil }
        return Valid(id: id, members: members, occurredAt: occurredAt)
    }

    /// The envelope's fields, each with a bit for duplicate detection.
    private enum Field: UInt16 {
        case id, type, schemaVersion, occurredAt, source, child, episode, supersedes, data, offset, recordedAt
        var bit: UInt16 { 1 << rawValue }

        init?(_ line: UnsafeRawBufferPointer, _ key: Range<Int>) {
            let k = UnsafeRawBufferPointer(rebasing: line[key])
            if k.is("id") { self = .id } else if k.is("type") { self = .type } else if k.is("schemaVersion") { self = .schemaVersion }
            else if k.is("occurredAt") { self = .occurredAt } else if k.is("source") { self = .source } else if k.is("child") { self = .child }
            else if k.is("episode") { self = .episode } else if k.is("supersedes") { self = .supersedes } else if k.is("data") { self = .data }
            else if k.is("offset") { self = .offset } else if k.is("recordedAt") { self = .recordedAt } else { return nil }
        }
    }
}

private extension Int {
    /// The decimal digits in `range` of `bytes` (at most 15 of them).
    init?(ascii bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard range.count <= 15 else { return nil }
        var v = 0
        for k in range { v = v * 10 + Int(bytes[k] - 48) }
        self = v
    }
}

/// A position in a line and the strict, conservative JSON reading the fast check needs.
/// The member names of one object seen so far, to find a repeated one: a short list while
/// the object is small, a hash set of the names' bytes past `listed`, so an object of many
/// members costs time in proportion to its size, not its square.
private struct MemberNames {
    static let listed = 16
    private var few: [Range<Int>] = []
    private var many: Set<[UInt8]>? = nil

    /// Adds the name at `r` in `b`; false when the object already has it.
    mutating func insert(_ r: Range<Int>, in b: UnsafeRawBufferPointer) -> Bool {
        let name = UnsafeRawBufferPointer(rebasing: b[r])
        if var set = many {
            many = nil
            defer { many = set }
            return set.insert(Array(name)).inserted
        }
        if few.contains(where: { UnsafeRawBufferPointer(rebasing: b[$0]).equalBytes(name) }) { return false }
        few.append(r)
        if few.count > MemberNames.listed { many = Set(few.map { Array(UnsafeRawBufferPointer(rebasing: b[$0])) }) }
        return true
    }

    /// Whether the object has the member `name`.
    func contains(_ name: UnsafeRawBufferPointer, in b: UnsafeRawBufferPointer) -> Bool {
        if let many { return many.contains(Array(name)) }
        return few.contains(where: { UnsafeRawBufferPointer(rebasing: b[$0]).equalBytes(name) })
    }
}

private struct Cursor {
    let b: UnsafeRawBufferPointer
    var i = 0
    /// Deeper data is left to the full parser (whose limit counts from the envelope).
    static let maxDepth = 16

    var peek: UInt8 { i < b.count ? b[i] : 0 }

    mutating func ws() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 } }

    mutating func colon() -> Bool {
        ws()
        guard peek == UInt8(ascii: ":") else { return false }
        i += 1
        return true
    }

    /// A string of printable ASCII without escapes: the range of its contents.
    mutating func string() -> Range<Int>? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var k = start
        // Eight bytes at a time while none of them ends the string or needs a closer look.
        while k + 8 <= b.count, !Cursor.special(b.loadUnaligned(fromByteOffset: k, as: UInt64.self)) { k += 8 }
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: "\"") { i = k + 1; return start..<k }
            if c < 0x20 || c >= 0x7F || c == UInt8(ascii: "\\") { return nil }
            k += 1
        }
        return nil
    }

    /// Whether any of eight bytes is a quote, a backslash, a control character, DEL or not ASCII
    /// (the classic "has a zero byte" bit tricks, applied to the word and to it XOR each byte).
    @inline(__always)
    static func special(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & high }
        let below20 = (x &- 0x20 &* ones) & ~x & high
        return (hasZero(x ^ (0x22 &* ones)) | hasZero(x ^ (0x5C &* ones)) | hasZero(x ^ (0x7F &* ones)) | below20 | (x & high)) != 0
    }

    /// A number in JSON's grammar: its text, and whether it has neither fraction nor exponent.
    mutating func number() -> (range: Range<Int>, isInteger: Bool)? {
        let start = i
        var k = i
        func digit(_ at: Int) -> Bool { at < b.count && b[at] >= 48 && b[at] <= 57 }
        if k < b.count, b[k] == UInt8(ascii: "-") { k += 1 }
        guard digit(k) else { return nil }
        if b[k] == 48 { k += 1; if digit(k) { return nil } } else { while digit(k) { k += 1 } }
        var integer = true
        if k < b.count, b[k] == UInt8(ascii: ".") {
            integer = false
            k += 1
            guard digit(k) else { return nil }
            while digit(k) { k += 1 }
        }
        if k < b.count, b[k] == UInt8(ascii: "e") || b[k] == UInt8(ascii: "E") {
            integer = false
            k += 1
            if k < b.count, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") { k += 1 }
            guard digit(k) else { return nil }
            while digit(k) { k += 1 }
        }
        // Long digit strings are left to the full parser (rounding to Double).
        guard k - start <= 15 else { return nil }
        i = k
        return (start..<k, integer)
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count, UnsafeRawBufferPointer(rebasing: b[i..<(i + n)]).is(word) else { return false }
        i += n
        return true
    }

    func equals(_ r: Range<Int>, _ s: StaticString) -> Bool {
        UnsafeRawBufferPointer(rebasing: b[r]).is(s)
    }

    func equalRanges(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
        UnsafeRawBufferPointer(rebasing: b[x]).equalBytes(UnsafeRawBufferPointer(rebasing: b[y]))
    }

    func text(_ r: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self) }

    /// Skips any value, reading it as strictly as `check` does (objects' keys must differ).
    mutating func skip(depth: Int = 0) -> Bool {
        guard depth < Cursor.maxDepth else { return false }
        ws()
        switch peek {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "["):
            i += 1
            ws()
            if peek == UInt8(ascii: "]") { i += 1; return true }
            while true {
                guard skip(depth: depth + 1) else { return false }
                ws()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                guard peek == UInt8(ascii: "]") else { return false }
                i += 1
                return true
            }
        case UInt8(ascii: "{"):
            i += 1
            var keys = MemberNames()
            ws()
            if peek == UInt8(ascii: "}") { i += 1; return true }
            while true {
                ws()
                guard let k = string(), keys.insert(k, in: b), colon(), skip(depth: depth + 1) else { return false }
                ws()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                guard peek == UInt8(ascii: "}") else { return false }
                i += 1
                return true
            }
        default:
            return number() != nil
        }
    }

    /// Reads the value here and checks it against `node`; false when it fails or when the
    /// check needs something this reader leaves to the full validator.
    mutating func check(_ node: JSONSchema.Node, depth: Int = 0) -> Bool {
        guard depth < Cursor.maxDepth, !node.alwaysFalse, node.constValue == nil, node.oneOf == nil else { return false }
        ws()
        let start = i
        let end: Int
        // Sub-schemas that apply to the same value: each reads it again from its start.
        if node.ref != nil {
            guard let target = node.refTarget else { return false }
            var other = self
            guard other.check(target, depth: depth + 1) else { return false }
        }
        for sub in node.allOf ?? [] {
            var other = self
            guard other.check(sub, depth: depth + 1) else { return false }
        }
        if let anyOf = node.anyOf {
            guard anyOf.contains(where: { sub in var other = self; return other.check(sub, depth: depth + 1) }) else { return false }
        }
        /// Whether a value of JSON type `type` may stand here (this reader checks enums of strings only).
        func plain(_ type: String) -> Bool { (node.types.map { $0.contains(type) } ?? true) && node.enumValues == nil }
        switch peek {
        case UInt8(ascii: "\""):
            guard let s = string() else { return false }
            if let types = node.types, !types.contains("string") { return false }
            if node.enumValues != nil {
                let value = UnsafeRawBufferPointer(rebasing: b[s])
                guard let strings = node.enumStrings, strings.contains(where: { $0.withUnsafeBytes { $0.equalBytes(value) } }) else { return false }
            }
            if let min = node.minLength, s.count < min { return false }
            if let max = node.maxLength, s.count > max { return false }
            if let pattern = node.pattern {
                let ok = b.baseAddress.map { base in pattern.matches(bytes: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + s.lowerBound, count: s.count)) } ?? nil
                guard ok == true else { return false }
            }
            if let format = node.format {
                if format == "date-time" {
                    guard RFC3339.parse(UnsafeRawBufferPointer(rebasing: b[s])) != nil else { return false }
                } else {
                    guard ISODate.parse(text(s)) != nil else { return false }
                }
            }
            end = i
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            guard literal("true") || literal("false") else { return false }
            guard plain("boolean") else { return false }
            end = i
        case UInt8(ascii: "n"):
            guard literal("null") else { return false }
            guard plain("null") else { return false }
            end = i
        case UInt8(ascii: "["):
            guard plain("array") else { return false }
            i += 1
            var items: [Range<Int>] = []
            ws()
            if peek == UInt8(ascii: "]") { i += 1 } else {
                while true {
                    ws()
                    let itemStart = i
                    if let itemNode = node.items {
                        guard check(itemNode, depth: depth + 1) else { return false }
                    } else {
                        guard skip(depth: depth + 1) else { return false }
                    }
                    items.append(itemStart..<i)
                    ws()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    guard peek == UInt8(ascii: "]") else { return false }
                    i += 1
                    break
                }
            }
            if let min = node.minItems, items.count < min { return false }
            if let max = node.maxItems, items.count > max { return false }
            if node.uniqueItems {
                // Equal text is equal value only for strings without escapes.
                for (n, item) in items.enumerated() {
                    guard b[item.lowerBound] == UInt8(ascii: "\"") else { return false }
                    if items[..<n].contains(where: { equalRanges($0, item) }) { return false }
                }
            }
            end = i
        case UInt8(ascii: "{"):
            guard plain("object") else { return false }
            i += 1
            var keys = MemberNames()
            ws()
            if peek == UInt8(ascii: "}") { i += 1 } else {
                while true {
                    ws()
                    guard let k = string(), keys.insert(k, in: b), colon() else { return false }
                    ws()
                    let name = UnsafeRawBufferPointer(rebasing: b[k])
                    if let property = node.propertyList.first(where: { $0.name.withUnsafeBytes { $0.equalBytes(name) } })?.node {
                        guard check(property, depth: depth + 1) else { return false }
                    } else if let additional = node.additional {
                        guard check(additional, depth: depth + 1) else { return false }
                    } else {
                        guard node.additionalAllowed, skip(depth: depth + 1) else { return false }
                    }
                    ws()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    guard peek == UInt8(ascii: "}") else { return false }
                    i += 1
                    break
                }
            }
            for name in node.requiredNames where !name.withUnsafeBytes({ keys.contains($0, in: b) }) {
                return false
            }
            end = i
        default:
            guard let n = number() else { return false }
            if let types = node.types, !(types.contains("number") || n.isInteger && types.contains("integer")) { return false }
            if node.enumValues != nil { return false }
            if node.minimum != nil || node.maximum != nil {
                guard let v = Double(text(n.range)) else { return false }
                if let min = node.minimum, v < min { return false }
                if let max = node.maximum, v > max { return false }
            }
            end = i
        }
        _ = start
        i = end
        return true
    }
}
