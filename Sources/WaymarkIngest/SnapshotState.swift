import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// What the log already holds from one source (adapter and agency): for each source record
/// and event type, the id and content fingerprint of its newest event, and what was
/// retracted. Derived from the log each run (the log is the only state), reading only events
/// whose id carries the source's prefix.
public struct SnapshotState {
    /// One live event.
    public struct Entry: Sendable {
        public var id: String
        public var fingerprint: String
        public var child: String?
        public var episode: String?
        public var recordId: String
        public var occurredAt: Timestamp
    }

    /// Live events by `recordId` + "\u{1}" + type.
    public private(set) var live: [String: Entry] = [:]
    /// Retracted events by the same key: a record that comes back supersedes its retraction.
    public private(set) var retracted: [String: String] = [:]

    /// Reads the source's events from the log in `directory`.
    public init(logDirectory directory: String, adapter: String, agency: String) throws {
        let prefix = Array(EventIdentity.prefix(adapter: adapter, agency: agency).utf8)
        var byId: [String: String] = [:]   // id -> key
        try LogReader(directory: directory).forEach { record in
            guard record.key.count > prefix.count, record.key.starts(with: prefix) else { return true }
            guard let value = try? JSONParser.parse(record.payload), case let .success(e) = Envelope.validate(value),
                  let recordId = e.source?["recordId"]?.stringValue else { return true }
            if e.type == "EventRetracted" {
                if let target = e.data["target"]?.stringValue, let key = byId[target], live[key]?.id == target {
                    live[key] = nil
                    retracted[key] = target
                }
                return true
            }
            let key = SnapshotState.key(recordId, e.type)
            live[key] = Entry(id: e.id, fingerprint: EventIdentity.contentFingerprint(child: e.child, episode: e.episode,
                                                                                      occurredAt: e.occurredAtText ?? e.occurredAt.rfc3339, data: e.data),
                              child: e.child, episode: e.episode, recordId: recordId, occurredAt: e.occurredAt)
            retracted[key] = nil
            byId[e.id] = key
            return true
        }
    }

    /// The key of a record and type.
    public static func key(_ recordId: String, _ type: String) -> String { recordId + "\u{1}" + type }
}
