import WaymarkEvents
import WaymarkLog
import WaymarkTime

/// One event as the projector holds it: where it is in the log, what it says (upcast to the
/// newest schema version), and whether a later event superseded or retracted it.
public struct HeldEvent: Sendable {
    public enum Status: Sendable, Equatable {
        case current
        case superseded(by: String)
        case retracted(by: String)
    }
    public var offset: UInt64
    public var recordedAt: Timestamp
    public var envelope: Envelope
    /// The stored envelope's JSON text, as appended.
    public var raw: String
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

    public init() {}

    /// The event with this id.
    public func event(_ id: String) -> HeldEvent? { position[id].map { events[$0] } }

    /// Applies one record from the log. Returns false (and applies nothing) for a payload
    /// that is not a valid envelope, which `append` never lets in.
    @discardableResult
    public func apply(offset: Offset, recordedAt: Timestamp, payload: UnsafeRawBufferPointer) -> Bool {
        lastOffset = offset
        guard let value = try? JSONParser.parse(payload), case let .success(envelope) = Envelope.validate(value) else {
            unplaced.append(UnplacedEvent(offset: offset.rawValue, id: "", type: "", reason: "not a valid envelope"))
            return false
        }
        apply(HeldEvent(offset: offset.rawValue, recordedAt: recordedAt, envelope: Upcasters.upcast(envelope),
                        raw: String(decoding: payload, as: UTF8.self), status: .current))
        return true
    }

    private func apply(_ event: HeldEvent) {
        let e = event.envelope
        if let target = e.supersedes {
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

    /// The state as bytes: a header line, then one line per event.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.reduce(0) { $0 + $1.raw.utf8.count + 64 } + 4096)
        out += (JSONText.object(["lastOffset": .int(lastOffset?.rawValue), "events": .int(events.count),
                                 "unplaced": JSONText.Raw(text: "[" + unplaced.map {
                                     JSONText.object(["o": .int($0.offset), "id": .string($0.id), "type": .string($0.type), "reason": .string($0.reason)])
                                 }.joined(separator: ",") + "]")]) + "\n").utf8
        for e in events {
            let status: String
            switch e.status {
            case .current: status = ""
            case let .superseded(by): status = "s:" + by
            case let .retracted(by): status = "r:" + by
            }
            out += "{\"o\":\(e.offset),\"r\":\(e.recordedAt.millisecondsSinceEpoch),\"s\":\(JSONText.quote(status)),\"e\":".utf8
            out += e.raw.utf8
            out += "}\n".utf8
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
            let parsed = try line.withUnsafeBytes { try JSONParser.parseWithMembers($0) }
            guard let e = parsed.members.first(where: { $0.key == "e" }), case let .success(envelope) = Envelope.validate(parsed.value["e"]!) else {
                throw SchemaError("projection state: a line without a valid event")
            }
            let rawRange = e.range
            let rawText = String(decoding: line[(line.startIndex + rawRange.lowerBound + 4)..<(line.startIndex + rawRange.upperBound)], as: UTF8.self)
            let s = parsed.value["s"]!.stringValue!
            let status: HeldEvent.Status = s.hasPrefix("s:") ? .superseded(by: String(s.dropFirst(2))) : s.hasPrefix("r:") ? .retracted(by: String(s.dropFirst(2))) : .current
            state.position[envelope.id] = state.events.count
            state.events.append(HeldEvent(offset: UInt64(parsed.value["o"]!.numberValue!.value),
                                          recordedAt: Timestamp(millisecondsSinceEpoch: Int64(parsed.value["r"]!.numberValue!.value)),
                                          envelope: Upcasters.upcast(envelope), raw: rawText, status: status))
        }
        return state
    }
}
