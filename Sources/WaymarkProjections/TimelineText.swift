import WaymarkEvents

/// One child's timeline for a person to read: who the child is across agencies, then its
/// placements, its episodes and every event, one line each, in time order.
public enum TimelineText {
    /// The text of the timeline document `json` (as `TimelineStore.lookup` gives it).
    public static func render(_ json: String) throws -> String {
        let doc = try JSONParser.parse(json)
        func s(_ v: JSONValue?) -> String { v?.stringValue ?? "" }
        func time(_ v: JSONValue?) -> String {
            guard let t = v?.stringValue else { return "…" }
            return t.hasSuffix("T00:00:00Z") ? String(t.prefix(10)) : t.replacingOccurrences(of: ":00Z", with: "Z")
        }
        var out: [String] = []
        let refs = (doc["refs"]?.arrayValue ?? []).compactMap(\.stringValue)
        let child = s(doc["child"])
        let others = refs.filter { $0 != child }
        out.append("child      \(child)" + (others.isEmpty ? "" : " (also \(others.joined(separator: ", ")))"))
        for p in doc["placements"]?.arrayValue ?? [] {
            var line = "placement  \(time(p["start"])) to \(time(p["end"]))  \(s(p["type"]))"
            if let name = p["typeName"]?.stringValue, !name.isEmpty { line += " (\(name))" }
            if let urn = p["homeUrn"]?.stringValue { line += " home \(urn)" }
            line += "  placed by LA \(s(p["placingLA"]))"
            if let host = p["hostLA"]?.stringValue, host != s(p["placingLA"]) {
                line += " in LA \(host)" + (p["hostNotifiedAt"]?.stringValue.map { ", host told \(time(.string($0)))" } ?? ", host not told")
            }
            out.append(line)
        }
        for e in doc["episodes"]?.arrayValue ?? [] {
            var line = "episode    \(time(e["startedAt"])) to \(time(e["endedAt"]))"
            if let h = e["durationHours"]?.numberValue?.text { line += "  \(h) h" }
            line += "  \(s(e["category"]))"
            if let risk = e["riskLevel"]?.stringValue { line += ", risk \(risk)" }
            if let by = e["foundBy"]?.stringValue { line += ", found by \(by)" }
            if let force = e["foundForce"]?.stringValue, force != s(e["reportingForce"]) { line += " (\(force))" }
            if let rhi = e["rhiOutcome"]?.stringValue {
                line += ", RHI \(rhi)" + (e["rhiOnTime"]?.boolValue.map { $0 ? " on time" : " late" } ?? "")
            }
            if e["counted"]?.boolValue == false { line += "  [not counted]" }
            line += "  \(s(e["episode"]))"
            out.append(line)
        }
        for entry in doc["entries"]?.arrayValue ?? [] {
            let event = entry["event"]
            var line = "event      \(time(event?["occurredAt"]))  \(s(event?["type"]))"
            if let agency = event?["source"]?["agency"]?.stringValue { line += "  from \(agency)" }
            let status = s(entry["status"])
            if status != "current" { line += "  [\(status)]" }
            line += "  (offset \(entry["offset"]?.numberValue?.intValue.map(String.init) ?? "?"))"
            out.append(line)
        }
        return out.joined(separator: "\n")
    }
}
