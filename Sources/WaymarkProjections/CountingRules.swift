import Foundation
import WaymarkEvents

/// The definitions every count depends on, loaded from a rules file (`rules/default.json`),
/// checked against `Schemas/rules.schema.json`. A projection records the file and its SHA-256.
public struct CountingRules: Sendable, Equatable {
    public var name: String
    public var countedCategories: Set<String>
    public var minimumDurationHours: Double
    public var rhiDeadlineHours: Double
    public var repeatEpisodes: Int
    public var repeatWithinDays: Int
    public var durationBucketsHours: [Double]
    public var episodeMergeToleranceDays: Double
    public var financialYearStartMonth: Int
    public var hostNotificationDeadlineDays: Double
    public var caseTransferDeadlineHours: Double
    public var crossForceDebriefDeadlineHours: Double
    /// The file it was read from.
    public var path: String
    /// SHA-256 (hex) of the file's bytes.
    public var sha256: String

    /// Reads and checks a rules file.
    public init(path: String, schema: JSONSchema) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw SchemaError("cannot read rules file \(path)") }
        let doc: JSONValue
        do { doc = try bytes.withUnsafeBytes { try JSONParser.parse($0) } } catch { throw SchemaError("\(path): \(error)") }
        if let v = schema.validate(doc) { throw SchemaError("\(path): \(v)") }
        func num(_ k: String) -> Double { doc[k]!.numberValue!.value }
        name = doc["name"]!.stringValue!
        countedCategories = Set(doc["countedCategories"]!.arrayValue!.compactMap(\.stringValue))
        minimumDurationHours = num("minimumDurationHours")
        rhiDeadlineHours = num("rhiDeadlineHours")
        repeatEpisodes = doc["repeatMissing"]!["episodes"]!.numberValue!.intValue!
        repeatWithinDays = doc["repeatMissing"]!["withinDays"]!.numberValue!.intValue!
        durationBucketsHours = doc["durationBucketsHours"]!.arrayValue!.compactMap { $0.numberValue?.value }
        episodeMergeToleranceDays = num("episodeMergeToleranceDays")
        financialYearStartMonth = doc["financialYearStartMonth"]!.numberValue!.intValue!
        hostNotificationDeadlineDays = num("hostNotificationDeadlineDays")
        caseTransferDeadlineHours = num("caseTransferDeadlineHours")
        crossForceDebriefDeadlineHours = num("crossForceDebriefDeadlineHours")
        self.path = path
        self.sha256 = SHA256.hex(Array(bytes))
    }
}
