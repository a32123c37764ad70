/// Writing JSON text: quoted strings and one-line objects for summaries.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quote(_ s: String) -> String {
        // Most strings need no escaping: check the bytes and wrap them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A value for `object(_:)`: already-encoded JSON text.
    public struct Raw: Sendable {
        /// The encoded JSON.
        public let text: String
        public init(text: String) { self.text = text }

        /// Encodes a string (nil: null).
        public static func string(_ s: String?) -> Raw { Raw(text: s.map(quote) ?? "null") }
        /// Encodes an integer (nil: null).
        public static func int<I: BinaryInteger>(_ n: I?) -> Raw { Raw(text: n.map { String($0) } ?? "null") }
        /// Encodes a boolean.
        public static func bool(_ b: Bool) -> Raw { Raw(text: b ? "true" : "false") }
        /// null.
        public static let null = Raw(text: "null")
    }

    /// A one-line JSON object with members in the order given.
    public static func object(_ members: KeyValuePairs<String, Raw>) -> String {
        "{" + members.map { quote($0.key) + ":" + $0.value.text }.joined(separator: ",") + "}"
    }

    /// A one-line JSON object with members in the order given.
    public static func object(_ members: [(String, Raw)]) -> String {
        "{" + members.map { quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
    }
}

extension JSONValue {
    /// Compact JSON text: members in their order, numbers as written.
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(n): out += n.text.isEmpty ? (n.isInteger ? String(Int(n.value)) : String(n.value)) : n.text
        case let .string(s): out += JSONText.quote(s)
        case let .array(a):
            out += "["
            for (i, v) in a.enumerated() { if i > 0 { out += "," }; v.write(to: &out) }
            out += "]"
        case let .object(o):
            out += "{"
            for (i, m) in o.members.enumerated() {
                if i > 0 { out += "," }
                out += JSONText.quote(m.key) + ":"
                m.value.write(to: &out)
            }
            out += "}"
        }
    }
}

extension Envelope {
    /// The envelope as one line of JSON, fields in the documented order (absent optional
    /// fields left out).
    public var json: JSONValue {
        var m: [JSONMember] = [JSONMember(key: "id", value: .string(id)), JSONMember(key: "type", value: .string(type)),
                               JSONMember(key: "schemaVersion", value: .number(JSONNumber(text: String(schemaVersion), value: Double(schemaVersion)))),
                               JSONMember(key: "occurredAt", value: .string(occurredAtText ?? occurredAt.rfc3339))]
        if let source { m.append(JSONMember(key: "source", value: .object(source))) }
        if let child { m.append(JSONMember(key: "child", value: .string(child))) }
        if let episode { m.append(JSONMember(key: "episode", value: .string(episode))) }
        if let supersedes { m.append(JSONMember(key: "supersedes", value: .string(supersedes))) }
        m.append(JSONMember(key: "data", value: .object(data)))
        return .object(JSONObject(m))
    }
}

extension JSONText {
    /// Appends `s` as a JSON string literal to `out`, escaping only what must be.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy their bytes whole.
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard isPlain(bytes) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain == true { out.append(UInt8(ascii: "\"")); return }
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether UTF-8 bytes go into a JSON string as they are: no control character, quote or
    /// backslash to escape.
    @inlinable
    public static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    /// Appends the decimal digits of `n` to `out`.
    @inlinable
    public static func appendInt<I: BinaryInteger>(_ n: I, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = UInt64(n.magnitude)
        if m < 10 { out.append(UInt8(truncatingIfNeeded: 48 + m)); return }
        // The digits go lowest first into 24 bytes on the stack, then are appended at once.
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { b in
            var k = b.count
            repeat { k -= 1; b[k] = UInt8(truncatingIfNeeded: 48 + m % 10); m /= 10 } while m > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[k...]))
        }
    }
}
