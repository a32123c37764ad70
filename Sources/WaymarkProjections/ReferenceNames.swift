import WaymarkEvents
import WaymarkLog
import WaymarkStore

/// The names of the codes the read models carry (LA numbers, police force codes, SSDA903
/// placement types), from the
/// reference files in `Schemas/reference/` (`code,name`), so each code column has its name
/// beside it. A code with no name there gets an empty name.
public struct ReferenceNames: Sendable {
    /// Name by code (LA numbers are digits, force codes words, placement types a letter and a
    /// digit, so one table holds them all).
    public private(set) var byCode: [String: String] = [:]

    /// No names (every name column empty).
    public init() {}

    /// The names in `directory/local-authorities.csv`, `police-forces.csv` and
    /// `placement-types.csv` (a missing file gives no names).
    public init(directory: String) throws {
        for file in ["local-authorities.csv", "police-forces.csv", "placement-types.csv"] {
            let path = directory + "/" + file
            guard FileSystem.exists(path) else { continue }
            let csv = try CSVFile(path: path)
            guard let c = csv.header.firstIndex(of: "code"), let n = csv.header.firstIndex(of: "name") else {
                throw SchemaError("\(path): the header must name the columns code and name")
            }
            for row in csv.rows { byCode[row.fields[c]] = row.fields[n] }
        }
    }

    /// The name of `code` ("" when none is known, or no code).
    public func name(_ code: String?) -> String { known(code) ?? "" }

    /// The name of `code`, nil when none is known (JSON's null).
    public func known(_ code: String?) -> String? { code.flatMap { byCode[$0] } }

    /// The names by symbol, for the codes `symbols` holds (a table's rows then look a name up
    /// by the symbol they already have, not by making its text).
    func bySymbol(in symbols: Symbols) -> [Symbol: String] {
        var out: [Symbol: String] = [:]
        for (code, name) in byCode { if let s = symbols.find(code) { out[s] = name } }
        return out
    }
}

