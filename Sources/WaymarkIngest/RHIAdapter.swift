import Foundation
import WaymarkEvents
import WaymarkTime

/// The return-home-interview adapter: a provider's return (`Schemas/feeds/rhi.schema.json`),
/// one row per interview offer (record `interview/<RHI_REF>`). Gives
/// `ReturnInterviewRecorded` about the provider's child reference (`rhi:<provider>:<ref>`)
/// and the episode named by the police incident, or by the LA missing period's start; and
/// `IdentityLinked` from the provider's reference to the LA's (`#link`).
public struct RHIAdapter: FeedAdapter {
    public let name = "rhi"
    public let system = "rhi-return"
    /// The provider whose return this is.
    public let provider: String
    let table: FeedTableSchema

    public init(provider: String, schema document: JSONValue) throws {
        self.provider = provider
        self.table = try FeedTableSchema(document: document, fileName: "rhi.schema.json")
    }

    public var agency: String { provider }

    public func read(files: [String], quarantine: inout Quarantine) throws -> AdapterOutput {
        var out = AdapterOutput()
        var earliest: Timestamp? = nil
        var refs: Set<String> = []
        for path in files {
            guard let rows = try table.read(path: path, rowCount: &out.rows, into: &quarantine) else { continue }
            for row in rows {
                let ref = row["RHI_REF"]!
                guard refs.insert(ref).inserted else {
                    row.reject("RHI_REF", "interview \(ref) appears twice in the snapshot", into: &quarantine); continue
                }
                if let records = interview(row, &quarantine) {
                    out.records += records
                    if let t = RFC3339.parse(records[0].occurredAt), earliest.map({ t < $0 }) ?? true { earliest = t }
                } else {
                    out.quarantinedRowKeys.insert("interview/\(ref)")
                }
            }
        }
        if let earliest { out.coverage["interview"] = .since(earliest) }
        return out
    }

    func interview(_ row: FeedRow, _ quarantine: inout Quarantine) -> [FeedRecord]? {
        for column in ["OFFERED_AT", "HELD_AT"] {
            if let text = row[column], RFC3339.parse(text) == nil { row.reject(column, "not an RFC 3339 date-time", into: &quarantine); return nil }
        }
        if let start = row["MISSING_START"], ISODate.parse(start) == nil { row.reject("MISSING_START", "not a date (YYYY-MM-DD)", into: &quarantine); return nil }
        if let offered = row["OFFERED_AT"].flatMap(RFC3339.parse), let held = row["HELD_AT"].flatMap(RFC3339.parse), held < offered {
            row.reject("HELD_AT", "held before it was offered", into: &quarantine); return nil
        }
        if row["OUTCOME"] == "completed" && row["HELD_AT"] == nil {
            row.reject("HELD_AT", "a completed interview needs the time it was held", into: &quarantine); return nil
        }
        let laRef = row["LA_CHILD_REF"]!
        let episode: String
        if let police = row["POLICE_INCIDENT_REF"] { episode = police } else if let start = row["MISSING_START"] { episode = "\(laRef):\(start)" } else {
            row.reject("POLICE_INCIDENT_REF", "names no episode: give POLICE_INCIDENT_REF or MISSING_START", into: &quarantine); return nil
        }
        let occurredAt = row["HELD_AT"] ?? row["OFFERED_AT"] ?? row["MISSING_START"].map { $0 + "T00:00:00Z" }
        guard let occurredAt else {
            row.reject("OFFERED_AT", "nothing dates the record: give OFFERED_AT, HELD_AT or MISSING_START", into: &quarantine); return nil
        }
        let child = "rhi:\(provider):\(row["CHILD_REF"]!)"
        let recordId = "interview/\(row["RHI_REF"]!)"
        var d = DataBuilder()
        d.string("responsibleLA", row["RESPONSIBLE_LA"])
        d.string("provider", provider)
        d.string("offeredAt", row["OFFERED_AT"])
        d.string("heldAt", row["HELD_AT"])
        d.string("outcome", row["OUTCOME"])
        d.bool("independent", row["INDEPENDENT"].map { $0 == "yes" })
        d.list("disclosures", row["DISCLOSURES"])
        d.list("referrals", row["REFERRALS"])
        var l = DataBuilder()
        l.string("sameAs", laRef)
        l.string("basis", "sourceStated")
        return [FeedRecord(recordId: recordId, type: "ReturnInterviewRecorded", child: child, episode: episode, occurredAt: occurredAt, data: d.object, row: row),
                FeedRecord(recordId: recordId + "#link", type: "IdentityLinked", child: child, episode: nil, occurredAt: occurredAt, data: l.object, row: row)]
    }
}
