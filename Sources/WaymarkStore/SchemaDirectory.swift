import Foundation
import WaymarkEvents

/// Finds and loads the `Schemas/` directory at run time: the event catalogue and the feed
/// schemas are read from these files, never from a copy compiled into the program.
///
/// Looked for in order: `$WAYMARK_SCHEMAS`; a `Schemas/` (or `share/waymark/Schemas/`, where
/// `make install` puts it) beside the executable or in any directory above it (so
/// `.build/debug/waymark` finds the repository's, and `PREFIX/bin/waymark` the installed
/// one); `./Schemas`.
public enum SchemaDirectory {
    /// The directory, or an error saying how to point Waymark at it.
    public static func locate() throws -> String {
        let fm = FileManager.default
        func usable(_ dir: String) -> Bool { fm.fileExists(atPath: dir + "/events/MissingReported.schema.json") }
        if let env = ProcessInfo.processInfo.environment["WAYMARK_SCHEMAS"], !env.isEmpty {
            guard usable(env) else { throw SchemaError("WAYMARK_SCHEMAS=\(env) holds no events/*.schema.json") }
            return env
        }
        var dir = URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        while dir.path != "/" {
            dir.deleteLastPathComponent()
            if usable(dir.path + "/Schemas") { return dir.path + "/Schemas" }
            // An installed binary: PREFIX/bin/waymark finds PREFIX/share/waymark/Schemas.
            if usable(dir.path + "/share/waymark/Schemas") { return dir.path + "/share/waymark/Schemas" }
        }
        if usable(fm.currentDirectoryPath + "/Schemas") { return fm.currentDirectoryPath + "/Schemas" }
        throw SchemaError("cannot find the Schemas directory (with events/*.schema.json) beside the program or in share/waymark/ above it; install with `make install`, or set WAYMARK_SCHEMAS to it")
    }

    /// Parses one schema file.
    public static func load(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw SchemaError("cannot read \(path)") }
        do {
            return try data.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw SchemaError("\(path): \(error)")
        }
    }

    /// The event catalogue compiled from `dir/events/*.schema.json`.
    public static func catalogue(in dir: String) throws -> EventCatalogue {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/events").filter { $0.hasSuffix(".schema.json") }.sorted()
        return try EventCatalogue(documents: names.map { ($0, try load(dir + "/events/" + $0)) })
    }

    /// The compiled rules-file schema (`dir/rules.schema.json`).
    public static func rulesSchema(in dir: String) throws -> JSONSchema {
        try JSONSchema(load(dir + "/rules.schema.json"), name: "rules.schema.json")
    }

    /// The compiled feed schema of `adapter` (`dir/feeds/<adapter>.schema.json`).
    public static func feed(_ adapter: String, in dir: String) throws -> JSONSchema {
        try JSONSchema(load(dir + "/feeds/\(adapter).schema.json"), name: "\(adapter).schema.json")
    }
}
