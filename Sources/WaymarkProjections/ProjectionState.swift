import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// One value of an event's `data` as the projector keeps it: flat, no JSON tree.
public enum FieldValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    /// A number as written.
    case number(String)
    /// A list (of strings, as every list in the catalogue is).
    case list([String])

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var arrayValue: [FieldValue]? { if case let .list(l) = self { return l.map(FieldValue.string) } else { return nil } }
}

/// An event's `data`, flattened to the values the read models use (nested objects dropped).
public struct Fields: Sendable, Equatable {
    public var values: [String: FieldValue] = [:]
    public subscript(key: String) -> FieldValue? { values[key] }

    init() {}

    init(_ data: JSONObject) {
        for m in data.members {
            switch m.value {
            case let .string(s): values[m.key] = .string(s)
            case let .bool(b): values[m.key] = .bool(b)
            case let .number(n): values[m.key] = .number(n.text)
            case let .array(a): values[m.key] = .list(a.map { $0.stringValue ?? $0.serialized })
            default: break
            }
        }
    }

    init(json: JSONValue?) {
        for m in json?.objectValue?.members ?? [] {
            switch m.value {
            case let .string(s): values[m.key] = .string(s)
            case let .bool(b): values[m.key] = .bool(b)
            case let .number(n): values[m.key] = .number(n.text)
            case let .array(a): values[m.key] = .list(a.compactMap(\.stringValue))
            default: break
            }
        }
    }

    /// Appends compact JSON, keys sorted (so the state file is deterministic), to `out`.
    func appendJSON(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (n, k) in values.keys.sorted().enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(k, to: &out)
            out.append(UInt8(ascii: ":"))
            switch values[k]! {
            case let .string(s): JSONText.appendQuoted(s, to: &out)
            case let .bool(b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
            case let .number(t): out.append(contentsOf: t.utf8)
            case let .list(l):
                out.append(UInt8(ascii: "["))
                for (m, item) in l.enumerated() {
                    if m > 0 { out.append(UInt8(ascii: ",")) }
                    JSONText.appendQuoted(item, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// What the projector keeps of an envelope: identity, subjects, time and flat data.
public struct CompactEnvelope: Sendable {
    public var id: String
    public var type: String
    public var child: String?
    public var episode: String?
    public var occurredAt: Timestamp
    public var data: Fields
}

/// One event as the projector holds it: where it is in the log, what it says (upcast to the
/// newest schema version, flattened), and whether a later event superseded or retracted it.
/// The full event stays in the log; the timeline reads it from there.
public struct HeldEvent: Sendable {
    public enum Status: Sendable, Equatable {
        case current
        case superseded(by: String)
        case retracted(by: String)
    }
    public var offset: UInt64
    public var recordedAt: Timestamp
    public var envelope: CompactEnvelope
    public var status: Status
}

/// An event the projector could not place: a correction or retraction of an event it does
/// not know, or a report about an episode nobody reported missing. Counted and listed.
public struct UnplacedEvent: Sendable, Equatable {
    public var offset: UInt64
    public var id: String
    public var type: String
    public var reason: String
}

/// The projector's folded state: every event applied so far, in log order, with the effect of
/// `supersedes` and `EventRetracted` recorded on the events they name. The read models are a
/// pure function of this state (and the rules and as-of time), so an incremental run that
/// applies only new events ends exactly where a rebuild does.
public final class ProjectionState {
    public private(set) var events: [HeldEvent] = []
    private var position: [String: Int] = [:]
    /// The last offset applied (nil: none yet).
    public private(set) var lastOffset: Offset?
    /// Corrections and retractions whose target is unknown.
    public private(set) var unplaced: [UnplacedEvent] = []

    /// Whether to read facts with the fast scanner (tests turn it off to compare with the full path).
    var useScanner = true

    public init() {}

    /// The event with this id.
    public func event(_ id: String) -> HeldEvent? { position[id].map { events[$0] } }

    /// Applies one record from the log. Returns false (and applies nothing) for a payload
    /// that is not a valid envelope, which `append` never lets in.
    @discardableResult
    public func apply(offset: Offset, recordedAt: Timestamp, payload: UnsafeRawBufferPointer) -> Bool {
        lastOffset = offset
        if useScanner, let facts = FactScanner.scan(payload) {
            apply(HeldEvent(offset: offset.rawValue, recordedAt: recordedAt, envelope: facts.envelope, status: .current), supersedes: facts.supersedes)
            return true
        }
        guard let value = try? JSONParser.parse(payload), case let .success(envelope) = Envelope.validate(value) else {
            unplaced.append(UnplacedEvent(offset: offset.rawValue, id: "", type: "", reason: "not a valid envelope"))
            return false
        }
        let e = Upcasters.upcast(envelope)
        apply(HeldEvent(offset: offset.rawValue, recordedAt: recordedAt,
                        envelope: CompactEnvelope(id: e.id, type: e.type, child: e.child, episode: e.episode, occurredAt: e.occurredAt, data: Fields(e.data)),
                        status: .current), supersedes: e.supersedes)
        return true
    }

    private func apply(_ event: HeldEvent, supersedes: String?) {
        let e = event.envelope
        if let target = supersedes {
            if let i = position[target] {
                if events[i].status == .current { events[i].status = .superseded(by: e.id) }
            } else {
                unplaced.append(UnplacedEvent(offset: event.offset, id: e.id, type: e.type, reason: "supersedes \(target), which is not in the log"))
            }
        }
        if e.type == "EventRetracted", let target = e.data["target"]?.stringValue {
            if let i = position[target] { events[i].status = .retracted(by: e.id) } else {
                unplaced.append(UnplacedEvent(offset: event.offset, id: e.id, type: e.type, reason: "retracts \(target), which is not in the log"))
            }
        }
        position[e.id] = events.count
        events.append(event)
    }

    // MARK: - Persistence

    /// The state as bytes: a header line, then one line per event (compact: no payloads).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 240 + 4096)
        out += (JSONText.object(["lastOffset": .int(lastOffset?.rawValue), "events": .int(events.count),
                                 "unplaced": JSONText.Raw(text: "[" + unplaced.map {
                                     JSONText.object(["o": .int($0.offset), "id": .string($0.id), "type": .string($0.type), "reason": .string($0.reason)])
                                 }.joined(separator: ",") + "]")]) + "\n").utf8
        for h in events {
            let status: String
            switch h.status {
            case .current: status = ""
            case let .superseded(by): status = "s:" + by
            case let .retracted(by): status = "r:" + by
            }
            let e = h.envelope
            out.append(contentsOf: "{\"o\":".utf8); JSONText.appendInt(h.offset, to: &out)
            out.append(contentsOf: ",\"r\":".utf8); JSONText.appendInt(h.recordedAt.millisecondsSinceEpoch, to: &out)
            out.append(contentsOf: ",\"s\":".utf8); JSONText.appendQuoted(status, to: &out)
            out.append(contentsOf: ",\"id\":".utf8); JSONText.appendQuoted(e.id, to: &out)
            out.append(contentsOf: ",\"t\":".utf8); JSONText.appendQuoted(e.type, to: &out)
            if let c = e.child { out.append(contentsOf: ",\"c\":".utf8); JSONText.appendQuoted(c, to: &out) }
            if let ep = e.episode { out.append(contentsOf: ",\"e\":".utf8); JSONText.appendQuoted(ep, to: &out) }
            out.append(contentsOf: ",\"at\":".utf8); JSONText.appendInt(e.occurredAt.millisecondsSinceEpoch, to: &out)
            out.append(contentsOf: ",\"f\":".utf8); e.data.appendJSON(to: &out)
            out.append(contentsOf: "}\n".utf8)
        }
        return out
    }

    /// Reads state written by `serialized()`.
    public static func load(_ bytes: [UInt8]) throws -> ProjectionState {
        let state = ProjectionState()
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)[...]
        guard let head = lines.popFirst() else { throw SchemaError("empty projection state") }
        let header = try head.withUnsafeBytes { try JSONParser.parse($0) }
        state.lastOffset = header["lastOffset"]?.numberValue.map { Offset(UInt64($0.value)) }
        state.unplaced = header["unplaced"]?.arrayValue?.map {
            UnplacedEvent(offset: UInt64($0["o"]!.numberValue!.value), id: $0["id"]!.stringValue!, type: $0["type"]!.stringValue!, reason: $0["reason"]!.stringValue!)
        } ?? []
        for line in lines {
            let v = try line.withUnsafeBytes { try JSONParser.parse($0) }
            guard let id = v["id"]?.stringValue, let type = v["t"]?.stringValue, let o = v["o"]?.numberValue, let r = v["r"]?.numberValue,
                  let at = v["at"]?.numberValue, let s = v["s"]?.stringValue else { throw SchemaError("projection state: a malformed line") }
            let status: HeldEvent.Status = s.hasPrefix("s:") ? .superseded(by: String(s.dropFirst(2))) : s.hasPrefix("r:") ? .retracted(by: String(s.dropFirst(2))) : .current
            state.position[id] = state.events.count
            state.events.append(HeldEvent(offset: UInt64(o.value), recordedAt: Timestamp(millisecondsSinceEpoch: Int64(r.value)),
                                          envelope: CompactEnvelope(id: id, type: type, child: v["c"]?.stringValue, episode: v["e"]?.stringValue,
                                                                    occurredAt: Timestamp(millisecondsSinceEpoch: Int64(at.value)), data: Fields(json: v["f"])),
                                          status: status))
        }
        return state
    }
}
