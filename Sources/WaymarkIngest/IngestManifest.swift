import Foundation
import WaymarkStore
import WaymarkEvents
import WaymarkTime

/// A list of feed files to ingest in order, each with its adapter and options: what
/// `waymark generate` writes and what an agency's drop folder can hold for one scheduled
/// `waymark ingest --manifest`.
///
/// ```json
/// {"feeds": [
///   {"adapter": "care-homes", "files": ["care-homes.csv"], "recordedAt": "2022-04-02T06:00:00Z"},
///   {"adapter": "ssda903", "la": "309", "files": ["la-309/header.csv", "la-309/episodes.csv", "la-309/missing.csv"],
///    "postcodeMap": "postcodes.csv", "recordedAt": "2023-04-05T06:00:00Z"},
///   {"adapter": "police", "force": "MPS", "files": ["police-MPS.csv"]},
///   {"adapter": "rhi", "provider": "CATCH22", "files": ["rhi-CATCH22.csv"], "retractMissing": false}
/// ]}
/// ```
/// File paths are relative to the manifest's directory, and must stay inside it (after `..`
/// and symbolic links are followed) unless `allowOutside`: a manifest dropped in an agency's
/// folder cannot make Waymark read `../../etc/passwd` into a quarantine file.
public struct IngestManifest: Sendable {
    /// One feed to ingest.
    public struct Feed: Sendable, Equatable {
        public var adapter: String
        public var files: [String]
        public var la: String?
        public var force: String?
        public var provider: String?
        public var register: String?
        public var postcodeMap: String?
        public var recordedAt: String?
        public var retractMissing: Bool
        /// The SSDA903 collection year (`2023-24`); nil: the year of the return's latest date.
        public var collectionYear: String?

        public init(adapter: String, files: [String], la: String? = nil, force: String? = nil, provider: String? = nil,
                    register: String? = nil, postcodeMap: String? = nil, recordedAt: String? = nil, retractMissing: Bool = false,
                    collectionYear: String? = nil) {
            self.adapter = adapter; self.files = files; self.la = la; self.force = force; self.provider = provider
            self.register = register; self.postcodeMap = postcodeMap; self.recordedAt = recordedAt; self.retractMissing = retractMissing
            self.collectionYear = collectionYear
        }

        /// The feed as one JSON object.
        public var json: String {
            var m: [(String, JSONText.Raw)] = [("adapter", .string(adapter))]
            for (k, v) in [("la", la), ("force", force), ("provider", provider), ("register", register), ("postcodeMap", postcodeMap), ("collectionYear", collectionYear), ("recordedAt", recordedAt)] {
                if let v { m.append((k, .string(v))) }
            }
            if retractMissing { m.append(("retractMissing", .bool(true))) }
            m.append(("files", JSONText.Raw(text: "[" + files.map(JSONText.quote).joined(separator: ",") + "]")))
            return JSONText.object(m)
        }
    }

    public var feeds: [Feed]
    /// The directory relative paths are resolved against.
    public var baseDirectory: String
    /// Whether files may lie outside `baseDirectory` (files named on the command line may).
    public var allowOutside: Bool

    public init(feeds: [Feed], baseDirectory: String, allowOutside: Bool = true) {
        self.feeds = feeds
        self.baseDirectory = baseDirectory
        self.allowOutside = allowOutside
    }

    /// Reads a manifest file.
    public init(path: String, allowOutside: Bool = false) throws {
        self.allowOutside = allowOutside
        guard let bytes = FileManager.default.contents(atPath: path) else { throw IngestError.unreadable(path) }
        let doc: JSONValue
        do { doc = try bytes.withUnsafeBytes { try JSONParser.parse($0) } } catch { throw IngestError.usage("\(path): \(error)") }
        guard let feeds = doc["feeds"]?.arrayValue else { throw IngestError.usage("\(path): expected {\"feeds\": [...]}") }
        self.baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        self.feeds = try feeds.enumerated().map { i, f in
            guard let adapter = f["adapter"]?.stringValue, let files = f["files"]?.arrayValue?.compactMap(\.stringValue), !files.isEmpty else {
                throw IngestError.usage("\(path): feed \(i + 1) needs \"adapter\" and a non-empty \"files\" list")
            }
            return Feed(adapter: adapter, files: files, la: f["la"]?.stringValue, force: f["force"]?.stringValue,
                        provider: f["provider"]?.stringValue, register: f["register"]?.stringValue, postcodeMap: f["postcodeMap"]?.stringValue,
                        recordedAt: f["recordedAt"]?.stringValue, retractMissing: f["retractMissing"]?.boolValue ?? false,
                        collectionYear: f["collectionYear"]?.stringValue)
        }
    }

    /// The manifest as JSON text, one feed a line.
    public var json: String { "{\"feeds\": [\n  " + feeds.map(\.json).joined(separator: ",\n  ") + "\n]}\n" }

    /// `path` resolved against the manifest's directory; refused when it leads outside it
    /// (unless `allowOutside`).
    public func resolve(_ path: String) throws -> String {
        let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        guard !allowOutside else { return full }
        let base = IngestManifest.realPath(baseDirectory) ?? baseDirectory
        // A file that does not exist yet is judged by its directory (reading it fails later).
        let real = IngestManifest.realPath(full) ?? IngestManifest.realPath(URL(fileURLWithPath: full).deletingLastPathComponent().path)
        guard let real, real == base || real.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            throw IngestError.usage("the manifest names a file outside its directory (\(base)); give --allow-outside to read it anyway")
        }
        return full
    }

    /// The absolute path with every `..` and symbolic link resolved, or nil if it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}

/// Makes the adapter a feed names, from the schema directory.
public enum AdapterFactory {
    /// The adapter for `feed` (postcode-map problems are added to `quarantine`).
    public static func make(_ feed: IngestManifest.Feed, schemas: String, resolve: (String) throws -> String,
                            quarantine: inout Quarantine) throws -> FeedAdapter {
        func need(_ value: String?, _ option: String) throws -> String {
            guard let value, !value.isEmpty else { throw IngestError.usage("the \(feed.adapter) adapter needs --\(option)") }
            return value
        }
        func schema(_ name: String) throws -> JSONValue { try SchemaDirectory.load(schemas + "/feeds/\(name).schema.json") }
        switch feed.adapter {
        case "ssda903":
            let la = try need(feed.la, "la")
            // ASCII digits only: `isNumber` would also take "½" or Arabic-Indic digits.
            guard la.utf8.count == 3, la.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw IngestError.usage("--la must be a three-digit DfE LA number (ASCII digits)")
            }
            let doc = try schema("ssda903")
            var year: CollectionYear? = nil
            if let text = feed.collectionYear {
                guard let y = CollectionYear(text), CollectionYear.supported.contains(y) else {
                    throw IngestError.usage("--collection-year must be a year from \(CollectionYear.supported.lowerBound) to \(CollectionYear.supported.upperBound), written like 2023-24")
                }
                year = y
            }
            let map = try feed.postcodeMap.map { try SSDA903Adapter.postcodeMap(path: try resolve($0), schema: doc, quarantine: &quarantine) } ?? [:]
            return try SSDA903Adapter(la: la, schema: doc, postcodeMap: map, collectionYear: year)
        case "police":
            let force = try need(feed.force, "force")
            guard force.range(of: "^[A-Z][A-Z0-9]{1,9}$", options: .regularExpression) != nil else { throw IngestError.usage("--force must be a force code of 2-10 capital letters and digits, such as MPS") }
            return try PoliceAdapter(force: force, schema: schema("police"))
        case "rhi":
            let provider = try need(feed.provider, "provider")
            guard provider.range(of: "^[A-Z0-9][A-Z0-9_-]{0,31}$", options: .regularExpression) != nil else { throw IngestError.usage("--provider must be a code of capital letters, digits, '-' and '_', such as CATCH22") }
            return try RHIAdapter(provider: provider, schema: schema("rhi"))
        case "care-homes":
            let register = feed.register ?? "OFSTED"
            guard register.range(of: "^[A-Z0-9]{2,10}$", options: .regularExpression) != nil else {
                throw IngestError.usage("--register must be a code of 2-10 capital letters and digits, such as OFSTED")
            }
            return try CareHomesAdapter(register: register, schema: schema("care-homes"))
        default:
            throw IngestError.usage("unknown adapter '\(feed.adapter)' (ssda903, police, rhi, care-homes)")
        }
    }
}
