/// Writing JSON text: quoted strings and one-line objects for summaries.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quote(_ s: String) -> String {
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
