import WaymarkEvents

/// Deterministic event ids: the same source record, type and content always give the same
/// id, so a re-sent snapshot appends nothing; any change gives a new one.
///
/// `<adapter>-<agency>-<32 hex>`: the first 128 bits of the SHA-256 of system, agency,
/// record id, type, the content fingerprint and the id superseded. The prefix lets the
/// ingester find its own events in the log without parsing the others.
public enum EventIdentity {
    /// The SHA-256 (hex) of what the event says: child, episode, occurredAt and data.
    public static func contentFingerprint(child: String?, episode: String?, occurredAt: String, data: JSONObject) -> String {
        SHA256.hex([child ?? "", episode ?? "", occurredAt, JSONValue.object(data).serialized].joined(separator: "\u{1}"))
    }

    /// The id prefix of every event `adapter` derives from `agency`'s feed.
    public static func prefix(adapter: String, agency: String) -> String { "\(adapter)-\(agency)-" }

    /// The id of an event.
    public static func id(adapter: String, system: String, agency: String, recordId: String, type: String,
                          fingerprint: String, supersedes: String?) -> String {
        let digest = SHA256.hex([system, agency, recordId, type, fingerprint, supersedes ?? ""].joined(separator: "\u{1}"))
        return prefix(adapter: adapter, agency: agency) + digest.prefix(32)
    }
}
