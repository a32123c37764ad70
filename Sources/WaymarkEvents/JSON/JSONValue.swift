/// A parsed JSON value. Objects keep their members in document order.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number, with its text as written (so integers of any size survive) and its value.
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON Schema type name: null, boolean, integer, number, string, array, object.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case let .number(n): return n.isInteger ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The string, when this is one.
    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    /// The object, when this is one.
    public var objectValue: JSONObject? { if case let .object(o) = self { return o } else { return nil } }
    /// The array, when this is one.
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }
    /// The number, when this is one.
    public var numberValue: JSONNumber? { if case let .number(n) = self { return n } else { return nil } }
    /// The boolean, when this is one.
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    /// Whether this is null.
    public var isNull: Bool { self == .null }

    /// The member `key` when this is an object that has it.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A JSON number: its text and its value as a Double.
public struct JSONNumber: Equatable, Sendable {
    /// The number as written in the document.
    public var text: String
    /// Its value.
    public var value: Double
    /// Whether its value is a whole number (JSON Schema's "integer", which includes 1.0).
    public var isInteger: Bool { value.rounded() == value && value.isFinite }
    /// The value as an Int when it is a whole number that fits.
    public var intValue: Int? { isInteger && abs(value) < 9.0e15 ? Int(value) : nil }

    public init(text: String, value: Double) {
        self.text = text
        self.value = value
    }
}

/// One member of a JSON object. (A struct, not a tuple: arrays of tuples cost a runtime
/// metadata lookup on every allocation.)
public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON object: members in document order, keys unique.
public struct JSONObject: Equatable, Sendable {
    /// The members in document order.
    public var members: [JSONMember]

    public init(_ members: [JSONMember] = []) { self.members = members }

    /// The value of member `key`.
    public subscript(key: String) -> JSONValue? {
        for m in members where m.key == key { return m.value }
        return nil
    }

    /// The member keys in order.
    public var keys: [String] { members.map(\.key) }

}
