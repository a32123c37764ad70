import WaymarkStore

/// Finding a child in published read models by what a person knows: a bare local id (the
/// `538333` of `la:309:538333`, the `P0001234` of `police:GMP:P0001234`), through the `refs`
/// column of `children.csv`.
public enum ChildDirectory {
    /// A child and all its references.
    public struct Match: Equatable, Sendable {
        public var child: String
        public var refs: [String]
    }

    /// The children one of whose references ends in `:id`.
    public static func children(withLocalID id: String, in directory: String) throws -> [Match] {
        let csv = try CSVFile(path: directory + "/children.csv")
        guard let c = csv.header.firstIndex(of: "child"), let r = csv.header.firstIndex(of: "refs") else { return [] }
        let suffix = ":" + id
        return csv.rows.compactMap { row in
            let refs = row.fields[r].split(separator: ";").map(String.init)
            return refs.contains(where: { $0.hasSuffix(suffix) }) ? Match(child: row.fields[c], refs: refs) : nil
        }
    }
}
