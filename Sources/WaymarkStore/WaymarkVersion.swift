import Foundation
import WaymarkEvents

/// Which Waymark this is: the release number, and a fingerprint of the schema set it runs
/// with (read models and logs from the same number and fingerprint mean the same thing).
public enum WaymarkVersion {
    /// The release number, as read models' `manifest.json` records it.
    public static let number = "0.5.0"

    /// The first 12 hex digits of the SHA-256 of every schema file in `dir` (relative path
    /// and bytes, in path order).
    public static func schemaFingerprint(_ dir: String) -> String {
        let fm = FileManager.default
        let files = (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var bytes: [UInt8] = []
        for f in files {
            bytes += Array(f.utf8) + [0]
            bytes += Array(fm.contents(atPath: dir + "/" + f) ?? Data())
        }
        return String(SHA256.hex(bytes).prefix(12))
    }
}
