import WaymarkEvents
import WaymarkTime

/// Which events `waymark read` prints: by type, by the child they are about, by when the log
/// took them. Each test looks at the stored bytes first (a byte search for the field) and
/// parses an event only when the bytes could match, so a filter costs little on a big log.
public struct EventFilter: Sendable {
    /// Only these types (nil: any).
    public var types: Set<String>?
    /// Only events whose `child` is this reference, exactly (nil: any).
    public var child: String?
    /// Only events recorded at or after this time (nil: any).
    public var recordedSince: Timestamp?

    public init(types: Set<String>? = nil, child: String? = nil, recordedSince: Timestamp? = nil) {
        self.types = types
        self.child = child
        self.recordedSince = recordedSince
    }

    /// Whether nothing is filtered out.
    public var passesAll: Bool { types == nil && child == nil && recordedSince == nil }

    /// Whether the stored event `payload`, recorded at `recordedAt`, passes.
    public func passes(_ payload: UnsafeRawBufferPointer, recordedAt: Timestamp) -> Bool {
        if let since = recordedSince, recordedAt < since { return false }
        if types == nil && child == nil { return true }
        // Quick refusals: the wanted values do not even occur in the bytes.
        if let child, !EventFilter.occurs(child, in: payload) { return false }
        if let types, !types.contains(where: { EventFilter.occurs($0, in: payload) }) { return false }
        guard let value = try? JSONParser.parse(payload) else { return false }
        if let types, !(value["type"]?.stringValue.map(types.contains) ?? false) { return false }
        if let child, value["child"]?.stringValue != child { return false }
        return true
    }

    static func occurs(_ text: String, in bytes: UnsafeRawBufferPointer) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return needle.isEmpty }
        return needle.withUnsafeBytes { n in
            var i = 0
            let last = bytes.count - n.count
            while i <= last {
                if bytes[i] == n[0], memcmp(bytes.baseAddress! + i, n.baseAddress!, n.count) == 0 { return true }
                i += 1
            }
            return false
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
