import Foundation
import WaymarkEvents
import WaymarkLog

/// The feeds a log has taken, one line each in `DIR/ingested.txt` (mode 0600): the feed's
/// fingerprint (SHA-256 of adapter, agency, recordedAt and every file's bytes), so that a
/// manifest run again after an interruption skips the feeds it already took instead of
/// replaying an older snapshot over a newer one. A note about runs, not about the world: the
/// log stays the only record of events, and a lost ledger costs only the skipping.
public struct IngestLedger {
    let path: String
    private(set) var fingerprints: Set<String> = []

    /// The ledger of the log in `logDirectory` (empty when there is none yet).
    public init(logDirectory: String) {
        path = logDirectory + "/ingested.txt"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            fingerprints = Set(text.split(separator: "\n").map { String($0.split(separator: " ")[0]) })
        }
    }

    /// The fingerprint of a feed: what it is and when it is recorded.
    public static func fingerprint(adapter: String, agency: String, recordedAt: String?, files: [String]) throws -> String {
        var bytes = Array("\(adapter)\u{1}\(agency)\u{1}\(recordedAt ?? "")\u{1}".utf8)
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else { throw IngestError.unreadable(f) }
            bytes += Array(SHA256.hex(Array(data)).utf8)
        }
        return SHA256.hex(bytes)
    }

    /// Whether the log took this feed before.
    public func contains(_ fingerprint: String) -> Bool { fingerprints.contains(fingerprint) }

    /// Notes that the log took a feed (`label` says which, for a person reading the file).
    public mutating func record(_ fingerprint: String, label: String) throws {
        guard fingerprints.insert(fingerprint).inserted else { return }
        let old = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try FileSystem.writeAtomically(Array((old + fingerprint + " " + label + "\n").utf8), to: path, durable: true)
    }
}
