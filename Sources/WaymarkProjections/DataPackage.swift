import WaymarkEvents
import WaymarkLog

/// `datapackage.json`: a Frictionless Data Package describing the CSV read models (each
/// file's columns and their types), so a reader can load codes as text rather than guess
/// (a column of LA numbers with blanks is not a column of floats), booleans as booleans,
/// times as times. https://specs.frictionlessdata.io/data-package/
enum DataPackage {
    /// The type of `column` in `file`.
    static func type(of column: String, in file: String) -> (type: String, format: String?) {
        switch column {
        case "counted", "fromCare", "regulated", "repeatMissing", "currentlyMissing", "returnNotRecorded": return ("boolean", nil)
        case "rhiOnTime": return file.hasPrefix("care-homes") ? ("integer", nil) : ("boolean", nil)
        case "durationHours", "hoursMissing", "latencyHours", "medianDurationHours": return ("number", nil)
        case "incidents", "children", "outOfAreaIncidents", "outOfAreaChildren", "rhiDue", "episodes", "placements", "offset": return ("integer", nil)
        case "philomena": return ("date", nil)
        case "firstMissing", "lastMissing": return ("datetime", nil)
        default: return column.hasSuffix("At") ? ("datetime", nil) : ("string", nil)
        }
    }

    /// The package's JSON for the CSV files `names` in `directory` (their header rows give
    /// the columns).
    static func json(directory: String, names: [String]) throws -> String {
        var resources: [String] = []
        for name in names.sorted() where name.hasSuffix(".csv") {
            guard let file = try SystemFile.openForReadingIfExists(directory + "/" + name) else { continue }
            let head = try file.read(count: 4096, at: 0)
            let header = String(decoding: head.prefix(while: { $0 != 0x0A }), as: UTF8.self).split(separator: ",").map(String.init)
            let fields = header.map { column -> String in
                let t = type(of: column, in: name)
                var members: [(String, JSONText.Raw)] = [("name", .string(column)), ("type", .string(t.type))]
                if t.type == "boolean" {
                    members.append(("trueValues", JSONText.Raw(text: "[\"true\"]")))
                    members.append(("falseValues", JSONText.Raw(text: "[\"false\"]")))
                }
                return JSONText.object(members)
            }
            resources.append(JSONText.object([
                ("name", .string(String(name.dropLast(4)))), ("path", .string(name)), ("format", .string("csv")),
                ("mediatype", .string("text/csv")), ("encoding", .string("utf-8")),
                ("schema", JSONText.Raw(text: JSONText.object([("fields", JSONText.Raw(text: "[" + fields.joined(separator: ",") + "]")),
                                                             ("missingValues", JSONText.Raw(text: "[\"\"]"))]))),
            ]))
        }
        return JSONText.object([("name", .string("waymark-read-models")), ("profile", .string("tabular-data-package")),
                                ("resources", JSONText.Raw(text: "[" + resources.joined(separator: ",") + "]"))]) + "\n"
    }
}
