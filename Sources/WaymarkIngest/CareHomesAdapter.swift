import Foundation
import WaymarkEvents

/// The care-homes adapter: the register of children's homes and unregulated settings
/// (`Schemas/feeds/care-homes.schema.json`), one row per home (record `home/<URN>`), giving
/// `CareHomeRegistered`.
public struct CareHomesAdapter: FeedAdapter {
    public let name = "care-homes"
    public let system = "care-home-register"
    /// Who keeps the register (default OFSTED).
    public let register: String
    let table: FeedTableSchema

    public init(register: String = "OFSTED", schema document: JSONValue) throws {
        self.register = register
        self.table = try FeedTableSchema(document: document, fileName: "care-homes.schema.json")
    }

    public var agency: String { register }

    public func read(files: [String], quarantine: inout Quarantine) throws -> AdapterOutput {
        var out = AdapterOutput()
        out.coverage["home"] = .all
        var urns: Set<String> = []
        for path in files {
            guard let rows = try table.read(path: path, rowCount: &out.rows, into: &quarantine) else { continue }
            for row in rows {
                let urn = row["URN"]!
                guard urns.insert(urn).inserted else { row.reject("URN", "home \(urn) appears twice in the register", into: &quarantine); continue }
                guard let registered = ISODate.parse(row["REGISTERED_ON"]!) else {
                    row.reject("REGISTERED_ON", "not a date (YYYY-MM-DD)", into: &quarantine); out.quarantinedRowKeys.insert("home/\(urn)"); continue
                }
                if let p = row["PHILOMENA_DATE"], ISODate.parse(p) == nil {
                    row.reject("PHILOMENA_DATE", "not a date (YYYY-MM-DD)", into: &quarantine); out.quarantinedRowKeys.insert("home/\(urn)"); continue
                }
                var d = DataBuilder()
                d.string("homeUrn", urn)
                d.string("name", row["NAME"])
                d.string("la", row["LA"])
                d.bool("regulated", row["REGULATED"] == "yes")
                d.string("sector", row["SECTOR"])
                d.int("places", row["PLACES"].flatMap { Int($0) })
                d.nullableString("philomenaAgreement", row["PHILOMENA_DATE"])
                out.records.append(FeedRecord(recordId: "home/\(urn)", type: "CareHomeRegistered", child: nil, episode: nil,
                                              occurredAt: ISODate.format(registered) + "T00:00:00Z", data: d.object, row: row))
            }
        }
        return out
    }
}
