import Foundation
import WaymarkEvents
import WaymarkTime

/// The police adapter: a force's missing-person incident export (`Schemas/feeds/police.schema.json`),
/// one row per incident, re-sent whole as the incident progresses.
///
/// Per row (record `incident/<INCIDENT_REF>`): `MissingReported` (the report as first graded),
/// `RiskAssessed` for the latest regrading (`#risk@<time>`: each regrading is a new fact),
/// `ChildFound`, `FoundDebriefRecorded`, `CaseTransferRequested` / `CaseTransferAccepted`
/// (`#transfer><force>`), `IdentityLinked` when the row names the LA child (`#link`). Per
/// person (record `person/<PERSON_REF>`): `ChildRecorded` from the person's latest incident.
public struct PoliceAdapter: FeedAdapter {
    public let name = "police"
    public let system = "police-missing-export"
    /// The force whose export this is.
    public let force: String
    let table: FeedTableSchema

    public init(force: String, schema document: JSONValue) throws {
        self.force = force
        self.table = try FeedTableSchema(document: document, fileName: "police.schema.json")
    }

    public var agency: String { force }

    public func read(files: [String], quarantine: inout Quarantine) throws -> AdapterOutput {
        var out = AdapterOutput()
        var earliest: Timestamp? = nil
        var latestByPerson: [String: FeedRow] = [:]
        var incidents: Set<String> = []
        for path in files {
            guard let rows = try table.read(path: path, rowCount: &out.rows, into: &quarantine) else { continue }
            for row in rows {
                let ref = row["INCIDENT_REF"]!
                guard incidents.insert(ref).inserted else {
                    row.reject("INCIDENT_REF", "incident \(ref) appears twice in the snapshot", into: &quarantine)
                    continue
                }
                guard let records = incident(row, &quarantine) else { out.quarantinedRowKeys.insert("incident/\(ref)"); continue }
                out.records += records
                if let t = RFC3339.parse(row["REPORTED_AT"]!), earliest.map({ t < $0 }) ?? true { earliest = t }
                let person = row["PERSON_REF"]!
                if let other = latestByPerson[person], (other["REPORTED_AT"]!, other["INCIDENT_REF"]!) > (row["REPORTED_AT"]!, ref) { continue }
                latestByPerson[person] = row
            }
            for q in quarantine.rows where q.file == path {
                if let ref = q.values?["INCIDENT_REF"], !ref.isEmpty { out.quarantinedRowKeys.insert("incident/\(ref)") }
            }
        }
        // An export speaks for incidents reported since its earliest one (a year-to-date export
        // does not make last year's incidents missing). People are derived, never missing.
        if let earliest { out.coverage["incident"] = .since(earliest) }
        for person in latestByPerson.keys.sorted() {
            let row = latestByPerson[person]!
            guard let dob = row["DOB"], let sex = row["SEX"] else { continue }
            var d = DataBuilder()
            d.string("dateOfBirth", dob)
            d.string("sex", sex)
            d.string("ethnicity", row["ETHNICITY"])
            out.records.append(FeedRecord(recordId: "person/\(person)", type: "ChildRecorded", child: "police:\(force):\(person)", episode: nil,
                                          occurredAt: (dob.count == 7 ? dob + "-01" : dob) + "T00:00:00Z", data: d.object, row: row))
        }
        return out
    }

    /// The events of one incident row, or nil when the row contradicts itself (quarantined).
    func incident(_ row: FeedRow, _ quarantine: inout Quarantine) -> [FeedRecord]? {
        let ref = row["INCIDENT_REF"]!
        let child = "police:\(force):\(row["PERSON_REF"]!)"
        let episode = "police:\(force):\(ref)"
        let recordId = "incident/\(ref)"
        let reportedAt = row["REPORTED_AT"]!
        func time(_ column: String) -> Timestamp? { row[column].flatMap(RFC3339.parse) }
        guard let reported = RFC3339.parse(reportedAt) else {
            row.reject("REPORTED_AT", "not an RFC 3339 date-time", into: &quarantine); return nil
        }
        if let dob = row["DOB"], ISODate.parse(dob.count == 7 ? dob + "-01" : dob) == nil {
            row.reject("DOB", "not a date (YYYY-MM-DD or YYYY-MM)", into: &quarantine); return nil
        }
        for column in ["LAST_SEEN_AT", "RISK_ASSESSED_AT", "FOUND_AT", "DEBRIEF_AT", "TRANSFER_REQUESTED_AT", "TRANSFER_ACCEPTED_AT"] {
            if let text = row[column], RFC3339.parse(text) == nil {
                row.reject(column, "not an RFC 3339 date-time", into: &quarantine); return nil
            }
        }
        if let found = time("FOUND_AT"), found < reported {
            row.reject("FOUND_AT", "the child is found before the report was taken", into: &quarantine); return nil
        }
        if let seen = time("LAST_SEEN_AT"), seen > reported {
            row.reject("LAST_SEEN_AT", "last seen after the report was taken", into: &quarantine); return nil
        }
        if (row["RISK_ASSESSED_AT"] == nil) != (row["RISK_LEVEL"] == nil) {
            row.reject(row["RISK_LEVEL"] == nil ? "RISK_LEVEL" : "RISK_ASSESSED_AT", "RISK_LEVEL and RISK_ASSESSED_AT go together", into: &quarantine); return nil
        }
        if row["TRANSFER_TO_FORCE"] != nil && (row["TRANSFER_KIND"] == nil || row["TRANSFER_REQUESTED_AT"] == nil) {
            row.reject(row["TRANSFER_KIND"] == nil ? "TRANSFER_KIND" : "TRANSFER_REQUESTED_AT", "a transfer needs its kind and request time", into: &quarantine); return nil
        }
        if row["TRANSFER_ACCEPTED_AT"] != nil && row["TRANSFER_TO_FORCE"] == nil {
            row.reject("TRANSFER_TO_FORCE", "an acceptance without a transfer request", into: &quarantine); return nil
        }
        if row["DEBRIEF_AT"] != nil && row["DEBRIEF_MODE"] == nil {
            row.reject("DEBRIEF_MODE", "a debrief time without its mode", into: &quarantine); return nil
        }
        var out: [FeedRecord] = []
        func add(_ id: String, _ type: String, _ at: String, _ d: DataBuilder) {
            out.append(FeedRecord(recordId: id, type: type, child: child, episode: episode, occurredAt: at, data: d.object, row: row))
        }
        var m = DataBuilder()
        m.string("reportedAt", reportedAt)
        m.string("lastSeenAt", row["LAST_SEEN_AT"])
        m.string("reportedBy", row["REPORTED_BY"])
        m.string("missingFrom", row["MISSING_FROM"])
        m.string("placement", row["PLACEMENT_REF"])
        m.string("la", row["MISSING_LA"])
        m.string("force", force)
        m.string("category", row["CATEGORY"])
        m.string("riskLevel", row["INITIAL_RISK"])
        m.list("riskFactors", row["RISK_FACTORS"], alwaysPresent: true)
        add(recordId, "MissingReported", reportedAt, m)
        if let la = row["LA_CHILD_REF"] {
            var l = DataBuilder()
            l.string("sameAs", la)
            l.string("basis", "sourceStated")
            out.append(FeedRecord(recordId: recordId + "#link", type: "IdentityLinked", child: child, episode: nil,
                                  occurredAt: reportedAt, data: l.object, row: row))
        }
        if let at = row["RISK_ASSESSED_AT"] {
            var r = DataBuilder()
            r.string("assessedAt", at)
            r.string("riskLevel", row["RISK_LEVEL"])
            r.list("riskFactors", row["RISK_FACTORS"])
            r.string("by", force)
            add(recordId + "#risk@" + at, "RiskAssessed", at, r)
        }
        if let at = row["FOUND_AT"] {
            var f = DataBuilder()
            f.string("foundAt", at)
            f.string("foundBy", row["FOUND_BY"])
            f.string("foundLA", row["FOUND_LA"])
            f.string("foundForce", row["FOUND_FORCE"])
            add(recordId, "ChildFound", at, f)
        }
        if let mode = row["DEBRIEF_MODE"] {
            var b = DataBuilder()
            b.string("heldAt", row["DEBRIEF_AT"])
            b.string("by", row["DEBRIEF_BY"] ?? force)
            b.string("mode", mode)
            b.list("disclosures", row["DEBRIEF_DISCLOSURES"])
            b.bool("harmReported", row["HARM_REPORTED"].map { $0 == "yes" })
            add(recordId, "FoundDebriefRecorded", row["DEBRIEF_AT"] ?? row["FOUND_AT"] ?? reportedAt, b)
        }
        if let to = row["TRANSFER_TO_FORCE"], let at = row["TRANSFER_REQUESTED_AT"] {
            var t = DataBuilder()
            t.string("fromForce", force)
            t.string("toForce", to)
            t.string("requestedAt", at)
            t.string("kind", row["TRANSFER_KIND"])
            add(recordId + "#transfer>" + to, "CaseTransferRequested", at, t)
            if let accepted = row["TRANSFER_ACCEPTED_AT"] {
                var a = DataBuilder()
                a.string("acceptedAt", accepted)
                a.string("by", to)
                add(recordId + "#transfer>" + to, "CaseTransferAccepted", accepted, a)
            }
        }
        return out
    }
}
