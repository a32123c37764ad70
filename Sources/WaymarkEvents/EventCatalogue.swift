/// Every event type Waymark knows, with the schema of each version of its `data`, compiled
/// from the files in `Schemas/events/` (`<Type>.schema.json` is version 1,
/// `<Type>.v<N>.schema.json` version N). Each schema also names the envelope's subject
/// fields the type requires (`x-waymark-subject`: child, episode).
public struct EventCatalogue: Sendable {
    /// The compiled data schema of each type and version.
    public let schemas: [String: [Int: JSONSchema]]
    /// The envelope fields each type requires.
    public let subjects: [String: [String]]

    /// Compiles the schema documents; `fileName` says which type and version each is.
    public init(documents: [(fileName: String, document: JSONValue)]) throws {
        var schemas: [String: [Int: JSONSchema]] = [:]
        var subjects: [String: [String]] = [:]
        for (fileName, document) in documents {
            guard fileName.hasSuffix(".schema.json") else { continue }
            let stem = String(fileName.dropLast(".schema.json".count))
            let parts = stem.split(separator: ".")
            var version = 1
            if parts.count == 2, parts[1].hasPrefix("v"), let v = Int(parts[1].dropFirst()) { version = v } else if parts.count != 1 {
                throw SchemaError("\(fileName): expected <Type>.schema.json or <Type>.v<N>.schema.json")
            }
            let type = String(parts[0])
            if let declared = document["x-waymark-type"]?.stringValue, declared != type {
                throw SchemaError("\(fileName): x-waymark-type says \(declared)")
            }
            if let declared = document["x-waymark-schemaVersion"]?.numberValue?.intValue, declared != version {
                throw SchemaError("\(fileName): x-waymark-schemaVersion says \(declared), the file name \(version)")
            }
            schemas[type, default: [:]][version] = try JSONSchema(document, name: fileName)
            if version == 1 { subjects[type] = document["x-waymark-subject"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        }
        guard !schemas.isEmpty else { throw SchemaError("no event schemas found") }
        self.schemas = schemas
        self.subjects = subjects
    }

    /// The known event types, sorted.
    public var types: [String] { schemas.keys.sorted() }

    /// The newest schema version of `type`.
    public func latestVersion(of type: String) -> Int? { schemas[type]?.keys.max() }

    /// The first problem with the envelope's type, subject fields or `data`, or nil.
    public func validate(_ envelope: Envelope) -> EnvelopeProblem? {
        guard let versions = schemas[envelope.type] else {
            return EnvelopeProblem(field: "type", reason: "unknown event type \"\(envelope.type)\" (known: \(types.joined(separator: ", ")))")
        }
        guard let schema = versions[envelope.schemaVersion] else {
            return EnvelopeProblem(field: "schemaVersion", reason: "\(envelope.type) has no schema version \(envelope.schemaVersion) (known: \(versions.keys.sorted().map(String.init).joined(separator: ", ")))")
        }
        for field in subjects[envelope.type] ?? [] {
            let value = field == "child" ? envelope.child : field == "episode" ? envelope.episode : nil
            if value == nil { return EnvelopeProblem(field: field, reason: "\(envelope.type) must name its \(field)") }
        }
        if let v = schema.validate(.object(envelope.data), path: "data") { return EnvelopeProblem(field: v.path, reason: v.reason) }
        return nil
    }
}
