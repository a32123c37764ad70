import WaymarkEvents

/// An event an adapter derived from a feed, before it has an id: what it says, which source
/// record it comes from, and the row that gave it.
///
/// `recordId` names the source record: `<table>/<key>` for the row itself
/// (`missing/538333/2023-03-01`, `incident/M-2023-004411`), with `#<part>` for a further
/// fact the same row carries (`incident/M-2023-004411#risk@2023-03-02T09:00:00Z`). A snapshot
/// that no longer has a row misses every record under its `<table>/<key>`.
public struct FeedRecord: Sendable {
    public var recordId: String
    public var type: String
    public var child: String?
    public var episode: String?
    /// RFC 3339 text.
    public var occurredAt: String
    public var data: JSONObject
    /// The row it came from (for quarantine if the event fails its schema).
    public var row: FeedRow

    public init(recordId: String, type: String, child: String?, episode: String?, occurredAt: String, data: JSONObject, row: FeedRow) {
        self.recordId = recordId
        self.type = type
        self.child = child
        self.episode = episode
        self.occurredAt = occurredAt
        self.data = data
        self.row = row
    }

    /// The source row's key: `recordId` up to any `#`.
    public var rowKey: Substring { recordId.split(separator: "#", maxSplits: 1)[0] }
    /// The table: `recordId` up to the first `/`.
    public var table: Substring { recordId.split(separator: "/", maxSplits: 1)[0] }
}

/// Builds `data` objects member by member, leaving out absent values.
public struct DataBuilder {
    public private(set) var members: [JSONMember] = []
    public init() {}
    public mutating func string(_ key: String, _ value: String?) {
        if let value { members.append(JSONMember(key: key, value: .string(value))) }
    }
    public mutating func nullableString(_ key: String, _ value: String?) {
        members.append(JSONMember(key: key, value: value.map(JSONValue.string) ?? .null))
    }
    public mutating func bool(_ key: String, _ value: Bool?) {
        if let value { members.append(JSONMember(key: key, value: .bool(value))) }
    }
    public mutating func int(_ key: String, _ value: Int?) {
        if let value { members.append(JSONMember(key: key, value: .number(JSONNumber(text: String(value), value: Double(value))))) }
    }
    /// A `;`-separated list as an array (always present when `alwaysPresent`, else only if non-empty).
    public mutating func list(_ key: String, _ value: String?, alwaysPresent: Bool = false) {
        let items = (value ?? "").split(separator: ";").map { JSONValue.string(String($0)) }
        if alwaysPresent || !items.isEmpty { members.append(JSONMember(key: key, value: .array(items))) }
    }
    public var object: JSONObject { JSONObject(members) }
}
