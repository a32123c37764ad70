import WaymarkTime

/// The envelope every event travels in (DOMAIN.md §3; `Schemas/envelope.schema.json`):
/// identity, type, schema version, when it happened, where it came from, whom it is about,
/// what it corrects, and the type-specific `data`.
public struct Envelope: Sendable, Equatable {
    /// Unique across the log; the idempotency key.
    public var id: String
    /// The event type, e.g. `MissingReported`.
    public var type: String
    /// The version of the type's `data` schema (1 when absent).
    public var schemaVersion: Int
    /// When it happened in the world (valid time).
    public var occurredAt: Timestamp
    /// `occurredAt` as the source wrote it (kept so a re-written envelope says the same).
    public var occurredAtText: String?
    /// The agency, system and record it came from.
    public var source: JSONObject?
    /// The child reference, as the source agency knows the child.
    public var child: String?
    /// The episode reference.
    public var episode: String?
    /// The id of the earlier event this one corrects.
    public var supersedes: String?
    /// The type-specific payload.
    public var data: JSONObject

    /// An envelope with these fields.
    public init(id: String, type: String, schemaVersion: Int = 1, occurredAt: Timestamp, occurredAtText: String? = nil,
                source: JSONObject? = nil, child: String? = nil, episode: String? = nil, supersedes: String? = nil, data: JSONObject) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.occurredAtText = occurredAtText
        self.source = source
        self.child = child
        self.episode = episode
        self.supersedes = supersedes
        self.data = data
    }
}

/// What is wrong with an envelope: the field (nil for the whole line) and why.
public struct EnvelopeProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field at fault, as a path (`source.agency`), or nil when the line as a whole is.
    public var field: String?
    /// Why it was refused.
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.map { "field \($0): \(reason)" } ?? reason }
}

extension Envelope {
    /// The longest `id` accepted, in characters.
    public static let maxIdLength = 200

    /// Fields the log assigns; accepted on input (as `waymark read` prints them) and dropped.
    public static let logAssignedFields: Set<String> = ["offset", "recordedAt"]

    /// Fields an envelope may carry.
    public static let knownFields: Set<String> = ["id", "type", "schemaVersion", "occurredAt", "source", "child",
                                                  "episode", "supersedes", "data", "offset", "recordedAt"]

    /// Checks `value` against the envelope rules and returns the envelope, or the first problem.
    public static func validate(_ value: JSONValue) -> Result<Envelope, EnvelopeProblem> {
        guard case let .object(o) = value else {
            return .failure(EnvelopeProblem(field: nil, reason: "an event must be a JSON object, not \(article(value.typeName))"))
        }
        for key in o.keys where !knownFields.contains(key) {
            return .failure(EnvelopeProblem(field: key, reason: "unknown envelope field (type-specific fields belong in data)"))
        }
        func requiredString(_ name: String) -> Result<String, EnvelopeProblem> {
            guard let v = o[name] else { return .failure(EnvelopeProblem(field: name, reason: "required field is missing")) }
            guard case let .string(s) = v else { return .failure(EnvelopeProblem(field: name, reason: "must be a string, not \(article(v.typeName))")) }
            if s.isEmpty { return .failure(EnvelopeProblem(field: name, reason: "must not be empty")) }
            return .success(s)
        }
        func optionalString(_ name: String) -> Result<String?, EnvelopeProblem> {
            guard let v = o[name], v != .null else { return .success(nil) }
            guard case let .string(s) = v else {
                return .failure(EnvelopeProblem(field: name, reason: "must be a string or null, not \(article(v.typeName))"))
            }
            if s.isEmpty { return .failure(EnvelopeProblem(field: name, reason: "must not be empty (use null)")) }
            return .success(s)
        }
        do {
            let id = try requiredString("id").get()
            if id.unicodeScalars.count > maxIdLength {
                throw EnvelopeProblem(field: "id", reason: "longer than \(maxIdLength) characters")
            }
            let type = try requiredString("type").get()
            var version = 1
            if let v = o["schemaVersion"] {
                guard case let .number(n) = v, let int = n.intValue else {
                    throw EnvelopeProblem(field: "schemaVersion", reason: "must be an integer, not \(article(v.typeName))")
                }
                guard int >= 0 else { throw EnvelopeProblem(field: "schemaVersion", reason: "must not be negative") }
                version = int
            }
            let occurredText = try requiredString("occurredAt").get()
            guard let occurredAt = RFC3339.parse(occurredText) else {
                throw EnvelopeProblem(field: "occurredAt", reason: "not an RFC 3339 date-time (e.g. 2023-03-01T21:15:00Z)")
            }
            var source: JSONObject? = nil
            if let v = o["source"], v != .null {
                guard case let .object(s) = v else { throw EnvelopeProblem(field: "source", reason: "must be an object, not \(article(v.typeName))") }
                for m in s.members {
                    guard ["agency", "system", "recordId"].contains(m.key) else {
                        throw EnvelopeProblem(field: "source.\(m.key)", reason: "unknown field (source has agency, system, recordId)")
                    }
                    guard case .string = m.value else {
                        throw EnvelopeProblem(field: "source.\(m.key)", reason: "must be a string, not \(article(m.value.typeName))")
                    }
                }
                source = s
            }
            let child = try optionalString("child").get()
            let episode = try optionalString("episode").get()
            let supersedes = try optionalString("supersedes").get()
            if let s = supersedes, s == id { throw EnvelopeProblem(field: "supersedes", reason: "an event cannot supersede itself") }
            guard let dataValue = o["data"] else { throw EnvelopeProblem(field: "data", reason: "required field is missing") }
            guard case let .object(data) = dataValue else {
                throw EnvelopeProblem(field: "data", reason: "must be an object, not \(article(dataValue.typeName))")
            }
            if let v = o["offset"], !(v.numberValue.map { $0.isInteger && $0.value >= 0 } ?? false) {
                throw EnvelopeProblem(field: "offset", reason: "must be a non-negative integer (it is assigned by the log and ignored)")
            }
            if let v = o["recordedAt"], v.stringValue.flatMap(RFC3339.parse) == nil {
                throw EnvelopeProblem(field: "recordedAt", reason: "not an RFC 3339 date-time (it is assigned by the log and ignored)")
            }
            return .success(Envelope(id: id, type: type, schemaVersion: version, occurredAt: occurredAt,
                                     occurredAtText: occurredText, source: source,
                                     child: child, episode: episode, supersedes: supersedes, data: data))
        } catch let problem as EnvelopeProblem {
            return .failure(problem)
        } catch {
            return .failure(EnvelopeProblem(field: nil, reason: "\(error)"))
        }
    }

    private static func article(_ typeName: String) -> String {
        (["integer", "array", "object"].contains(typeName) ? "an " : "a ") + typeName
    }
}
