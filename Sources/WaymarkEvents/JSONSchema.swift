import Foundation
import WaymarkTime

/// Why a schema document cannot be used.
public struct SchemaError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where a value breaks its schema: the path (`data.riskFactors[2]`) and why.
public struct SchemaViolation: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path of the value at fault, from the root being validated.
    public var path: String
    /// What is wrong with it.
    public var reason: String
    public var description: String { path.isEmpty ? reason : "field \(path): \(reason)" }
}

/// A compiled JSON Schema (draft 2020-12), limited to the keywords Waymark's schemas use:
/// `type`, `enum`, `const`, `required`, `properties`, `additionalProperties`, `items`,
/// `minItems`, `maxItems`, `uniqueItems`, `minLength`, `maxLength`, `pattern`, `minimum`,
/// `maximum`, `format` (`date-time`, `date`), `anyOf`, `oneOf`, `allOf`, `$ref` (to `#` or
/// `#/$defs/…`) and `$defs`. Annotations (`title`, `description`, `$comment`, `examples`,
/// `default`, `$schema`, `$id`, and any `x-…`) are ignored. Any other keyword is refused when
/// the schema is loaded, so a schema file can never silently mean more than is checked.
public final class JSONSchema: @unchecked Sendable {
    let root: Node
    let definitions: [String: Node]

    /// Compiles `document`; `name` is used in error messages (a file name).
    public init(_ document: JSONValue, name: String) throws {
        var defs: [String: Node] = [:]
        if let d = document["$defs"]?.objectValue {
            for m in d.members { defs[m.key] = try Node(m.value, at: "\(name)#/$defs/\(m.key)") }
        }
        self.root = try Node(document, at: name + "#")
        self.definitions = defs
        var stack = [root] + Array(defs.values)
        while let node = stack.popLast() {
            if let ref = node.ref, ref.hasPrefix("#/$defs/") { node.refTarget = defs[String(ref.dropFirst("#/$defs/".count))] }
            stack += node.children
        }
    }

    /// The schema for `#/$defs/<name>` of this document, sharing its definitions.
    public func definition(_ name: String) -> JSONSchema? {
        guard let node = definitions[name] else { return nil }
        return JSONSchema(root: node, definitions: definitions)
    }

    private init(root: Node, definitions: [String: Node]) {
        self.root = root
        self.definitions = definitions
    }

    /// The first way `value` breaks the schema, or nil when it conforms.
    public func validate(_ value: JSONValue, path: String = "") -> SchemaViolation? {
        root.check(value, path: path)
    }

    /// The keywords understood, and those ignored as annotations.
    static let checked: Set<String> = ["type", "enum", "const", "required", "properties", "additionalProperties", "items",
                                       "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum",
                                       "maximum", "format", "anyOf", "oneOf", "allOf", "$ref", "$defs"]
    static let annotations: Set<String> = ["title", "description", "$comment", "examples", "default", "$schema", "$id", "deprecated"]

    final class Node {
        var types: [String]?
        var enumValues: [JSONValue]?
        var constValue: JSONValue?
        var required: [String] = []
        var properties: [String: Node] = [:]
        var additional: Node?
        var additionalAllowed = true
        var items: Node?
        var minItems: Int?, maxItems: Int?
        var uniqueItems = false
        var minLength: Int?, maxLength: Int?
        var pattern: SchemaPattern?
        var minimum: Double?, maximum: Double?
        var format: String?
        var anyOf: [Node]?, oneOf: [Node]?, allOf: [Node]?
        var ref: String?
        var alwaysFalse = false
        /// The schema's `description`, said in a message where a value does not fit it.
        var summary: String?
        /// The same facts as bytes, for readers of raw JSON (`EventBytesCheck`): each property's
        /// name and schema, the required names, the enum's strings (nil: no enum, or one with a
        /// value that is not a string), and the `$defs` schema `ref` names (set by the document,
        /// so both validators follow a reference without looking it up).
        private(set) var propertyList: [(name: [UInt8], node: Node)] = []
        private(set) var requiredNames: [[UInt8]] = []
        private(set) var enumStrings: [[UInt8]]?
        fileprivate(set) var refTarget: Node?

        /// Every schema directly inside this one.
        fileprivate var children: [Node] {
            Array(properties.values) + [additional, items].compactMap { $0 } + (anyOf ?? []) + (oneOf ?? []) + (allOf ?? [])
        }

        init(_ schema: JSONValue, at location: String) throws {
            if case let .bool(b) = schema { alwaysFalse = !b; return }
            guard let o = schema.objectValue else { throw SchemaError("\(location): a schema must be an object or a boolean") }
            for m in o.members {
                let k = m.key, v = m.value
                if k == "description" { summary = v.stringValue }
                if JSONSchema.annotations.contains(k) || k.hasPrefix("x-") { continue }
                guard JSONSchema.checked.contains(k) else { throw SchemaError("\(location): keyword \"\(k)\" is not supported") }
                func int() throws -> Int {
                    guard let n = v.numberValue?.intValue, n >= 0 else { throw SchemaError("\(location): \(k) must be a non-negative integer") }
                    return n
                }
                func subschemas() throws -> [Node] {
                    guard let a = v.arrayValue, !a.isEmpty else { throw SchemaError("\(location): \(k) must be a non-empty array") }
                    return try a.enumerated().map { try Node($1, at: "\(location)/\(k)/\($0)") }
                }
                switch k {
                case "type":
                    if let s = v.stringValue { types = [s] } else if let a = v.arrayValue { types = a.compactMap(\.stringValue) } else {
                        throw SchemaError("\(location): type must be a string or an array")
                    }
                case "enum": enumValues = v.arrayValue
                case "const": constValue = v
                case "required": required = v.arrayValue?.compactMap(\.stringValue) ?? []
                case "properties":
                    for p in v.objectValue?.members ?? [] { properties[p.key] = try Node(p.value, at: "\(location)/properties/\(p.key)") }
                case "additionalProperties":
                    if case let .bool(b) = v { additionalAllowed = b } else { additional = try Node(v, at: "\(location)/additionalProperties") }
                case "items": items = try Node(v, at: "\(location)/items")
                case "minItems": minItems = try int()
                case "maxItems": maxItems = try int()
                case "uniqueItems": uniqueItems = v.boolValue ?? false
                case "minLength": minLength = try int()
                case "maxLength": maxLength = try int()
                case "pattern":
                    guard let p = v.stringValue, let compiled = SchemaPattern(p) else {
                        throw SchemaError("\(location): pattern is not a valid regular expression")
                    }
                    pattern = compiled
                case "minimum": minimum = v.numberValue?.value
                case "maximum": maximum = v.numberValue?.value
                case "format":
                    guard let f = v.stringValue, ["date-time", "date"].contains(f) else {
                        throw SchemaError("\(location): format \(v) is not supported (date-time, date)")
                    }
                    format = f
                case "anyOf": anyOf = try subschemas()
                case "oneOf": oneOf = try subschemas()
                case "allOf": allOf = try subschemas()
                case "$ref":
                    guard let r = v.stringValue, r == "#" || r.hasPrefix("#/$defs/") else {
                        throw SchemaError("\(location): only local references (#/$defs/…) are supported")
                    }
                    ref = r
                case "$defs": break   // compiled by the document
                default: break
                }
            }
            propertyList = properties.map { (Array($0.key.utf8), $0.value) }
            requiredNames = required.map { Array($0.utf8) }
            if let enumValues {
                let strings = enumValues.compactMap(\.stringValue)
                enumStrings = strings.count == enumValues.count ? strings.map { Array($0.utf8) } : nil
            }
        }

        func check(_ value: JSONValue, path: String) -> SchemaViolation? {
            func fail(_ reason: String) -> SchemaViolation { SchemaViolation(path: path, reason: reason) }
            if alwaysFalse { return fail("not allowed") }
            if let ref {
                guard let target = refTarget else { return fail("schema reference \(ref) is not defined") }
                if let v = target.check(value, path: path) { return v }
            }
            if let types {
                let actual = value.typeName
                let ok = types.contains(actual) || (actual == "integer" && types.contains("number"))
                if !ok { return fail("must be \(types.map(article).joined(separator: " or ")), not \(article(actual))") }
            }
            if let constValue, value != constValue { return fail("must be \(describe(constValue))") }
            if let enumValues, !enumValues.contains(value) {
                // The rejected value is not repeated: a free-text value may be personal data.
                return fail("not a known code; must be one of " + enumValues.map(describe).joined(separator: ", "))
            }
            switch value {
            case let .string(s):
                let length = s.unicodeScalars.count
                if let minLength, length < minLength { return fail(minLength == 1 ? "must not be empty" : "shorter than \(minLength) characters") }
                if let maxLength, length > maxLength { return fail("longer than \(maxLength) characters") }
                if let pattern, !pattern.matches(s) { return fail("does not have the expected form" + (summary.map { ": " + $0 } ?? "")) }
                if let format {
                    switch format {
                    case "date-time": if RFC3339.parse(s) == nil { return fail("not an RFC 3339 date-time (e.g. 2023-03-01T21:15:00Z)") }
                    default: if ISODate.parse(s) == nil { return fail("not a date like 2023-03-31") }
                    }
                }
            case let .number(n):
                if let minimum, n.value < minimum { return fail("must be at least \(describe(.number(JSONNumber(text: "", value: minimum))))") }
                if let maximum, n.value > maximum { return fail("must be at most \(describe(.number(JSONNumber(text: "", value: maximum))))") }
            case let .array(a):
                if let minItems, a.count < minItems { return fail("needs at least \(minItems) item\(minItems == 1 ? "" : "s")") }
                if let maxItems, a.count > maxItems { return fail("allows at most \(maxItems) items") }
                if uniqueItems {
                    for i in a.indices where a[..<i].contains(a[i]) { return fail("item \(i) repeats an earlier item") }
                }
                if let items {
                    for (i, item) in a.enumerated() {
                        if let v = items.check(item, path: "\(path)[\(i)]") { return v }
                    }
                }
            case let .object(o):
                for name in required where o[name] == nil {
                    return SchemaViolation(path: join(path, name), reason: "required field is missing")
                }
                for m in o.members {
                    if let p = properties[m.key] {
                        if let v = p.check(m.value, path: join(path, m.key)) { return v }
                    } else if let additional {
                        if let v = additional.check(m.value, path: join(path, m.key)) { return v }
                    } else if !additionalAllowed {
                        return SchemaViolation(path: join(path, m.key), reason: "unknown field")
                    }
                }
            default: break
            }
            if let allOf {
                for s in allOf { if let v = s.check(value, path: path) { return v } }
            }
            if let anyOf {
                var first: SchemaViolation? = nil
                for s in anyOf {
                    guard let v = s.check(value, path: path) else { first = nil; break }
                    if first == nil { first = v }
                }
                if let first { return SchemaViolation(path: first.path, reason: first.reason + " (or another allowed form)") }
            }
            if let oneOf {
                let results = oneOf.map { $0.check(value, path: path) }
                let matches = results.filter { $0 == nil }.count
                if matches == 0, let first = results.compactMap({ $0 }).first {
                    return SchemaViolation(path: first.path, reason: first.reason + " (or another allowed form)")
                }
                if matches > 1 { return fail("matches more than one allowed form") }
            }
            return nil
        }

        private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
        private func article(_ t: String) -> String { (["integer", "array", "object"].contains(t) ? "an " : "a ") + t }
        private func describe(_ v: JSONValue) -> String {
            switch v {
            case let .string(s): return s
            case let .number(n): return n.isInteger ? String(Int(n.value)) : String(n.value)
            case let .bool(b): return String(b)
            case .null: return "null"
            default: return v.typeName
            }
        }
    }
}

/// Calendar dates written `YYYY-MM-DD`.
public enum ISODate {
    /// The date, or nil when the text is not a real `YYYY-MM-DD` date.
    public static func parse(_ text: String) -> CivilDate? {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard u[i] >= 48 && u[i] <= 57 else { return nil }; v = v * 10 + Int(u[i] - 48) }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
        let date = CivilDate(year: y, month: m, day: d)
        return date.isValid ? date : nil
    }

    /// `YYYY-MM-DD`.
    public static func format(_ date: CivilDate) -> String {
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
    }
}
