/// Functions that rewrite an older version of an event's `data` as the next version, so
/// readers see only the newest shape while the log keeps what was written. Registered per
/// type and source version; `upcast` applies them in sequence.
public enum Upcasters {
    /// A rewrite of `data` from one version to the next.
    public typealias Step = @Sendable (JSONObject) -> JSONObject

    /// The registered steps: type → source version → step to source version + 1.
    public static let registered: [String: [Int: Step]] = [
        "MissingReported": [0: missingReportedV0toV1],
    ]

    /// `MissingReported` version 0 graded "absent" as a risk level in one field `risk`
    /// (high, medium, low, absent). Version 1 splits it: `category` (absent → absent, else
    /// missing) and `riskLevel` (absent → noApparentRisk, else the grade).
    @Sendable public static func missingReportedV0toV1(_ data: JSONObject) -> JSONObject {
        var out = JSONObject(data.members.filter { $0.key != "risk" })
        let risk = data["risk"]?.stringValue
        let absent = risk == "absent"
        out.members.append(JSONMember(key: "category", value: .string(absent ? "absent" : "missing")))
        if let risk { out.members.append(JSONMember(key: "riskLevel", value: .string(absent ? "noApparentRisk" : risk))) }
        return out
    }

    /// The envelope with `data` brought to the newest version registered for its type.
    public static func upcast(_ envelope: Envelope) -> Envelope {
        guard let steps = registered[envelope.type] else { return envelope }
        var e = envelope
        while let step = steps[e.schemaVersion] {
            e.data = step(e.data)
            e.schemaVersion += 1
        }
        return e
    }
}
