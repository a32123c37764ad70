import Foundation

/// A JSON Schema `pattern`, compiled. The schemas' patterns use a small ASCII subset (anchors,
/// literals, `.`, character classes with ranges and negation, groups with `|`, and `?`, `*`,
/// `+`, `{n}`, `{n,m}`); those are matched over the UTF-8 bytes by a `PatternAutomaton`, at a
/// fraction of `NSRegularExpression`'s cost per call. Any other pattern (or one whose
/// automaton would be too large), and any string beyond ASCII, goes to `NSRegularExpression`.
final class SchemaPattern: @unchecked Sendable {
    /// The subset's syntax: bytes, `.`, classes, groups of alternatives (each a sequence), and
    /// repetitions (max `Int.max`: unbounded).
    private typealias Node = PatternAutomaton.Term
    /// The pattern as an automaton (nil: outside the subset, or too many states).
    private let automaton: PatternAutomaton?
    /// The reference matcher (nil only for the few patterns of the subset ICU refuses, such
    /// as the empty one).
    private let fallback: NSRegularExpression?
    /// The pattern as written.
    let text: String

    /// Compiles `pattern`; nil when it is not a valid regular expression.
    init?(_ pattern: String) {
        text = pattern
        fallback = try? NSRegularExpression(pattern: pattern)
        automaton = SchemaPattern.compile(Array(pattern.utf8)).flatMap {
            PatternAutomaton($0.nodes, anchoredStart: $0.anchoredStart, anchoredEnd: $0.anchoredEnd)
        }
        guard automaton != nil || fallback != nil else { return nil }
    }

    /// Whether `s` contains a match (anchors make it a whole-string match), as JSON Schema says.
    /// A string with characters beyond ASCII goes to `NSRegularExpression`: the automaton would
    /// take `.` or `[^:]{1,20}` to count bytes where a pattern counts characters.
    func matches(_ s: String) -> Bool {
        var copy = s
        if let answer = copy.withUTF8({ matches(bytes: $0) }) { return answer }
        if let fallback { return fallback.firstMatch(in: s, range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil }
        // ICU refuses this pattern of the subset: the automaton answers, bytes or not.
        return copy.withUTF8 { automaton!.matches($0) }
    }

    /// Whether the UTF-8 bytes contain a match; nil when that needs `NSRegularExpression` (a
    /// pattern without an automaton, or bytes beyond ASCII).
    func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let automaton, !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        return automaton.matches(bytes)
    }

    // MARK: - Compiling the subset

    private static func compile(_ p: [UInt8]) -> (nodes: [Node], anchoredStart: Bool, anchoredEnd: Bool)? {
        guard p.allSatisfy({ $0 < 0x80 }) else { return nil }
        var i = 0
        var anchoredStart = false, anchoredEnd = false
        var body = p[...]
        if body.first == UInt8(ascii: "^") { anchoredStart = true; body = body.dropFirst() }
        if body.last == UInt8(ascii: "$"), body.count < 2 || body[body.index(before: body.index(before: body.endIndex))] != UInt8(ascii: "\\") {
            anchoredEnd = true
            body = body.dropLast()
        }
        let bytes = Array(body)
        guard let alternatives = parseAlternatives(bytes, &i), i == bytes.count else { return nil }
        return ([alternatives.count == 1 ? .group(alternatives) : .group(alternatives)], anchoredStart, anchoredEnd)
    }

    private static func parseAlternatives(_ p: [UInt8], _ i: inout Int) -> [[Node]]? {
        var alternatives: [[Node]] = [[]]
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: ")") { break }
            if c == UInt8(ascii: "|") { alternatives.append([]); i += 1; continue }
            guard var atom = parseAtom(p, &i) else { return nil }
            if i < p.count {
                switch p[i] {
                case UInt8(ascii: "?"): atom = .repeated(atom, min: 0, max: 1); i += 1
                case UInt8(ascii: "*"): atom = .repeated(atom, min: 0, max: .max); i += 1
                case UInt8(ascii: "+"): atom = .repeated(atom, min: 1, max: .max); i += 1
                case UInt8(ascii: "{"):
                    guard let close = p[i...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
                    let parts = String(decoding: p[(i + 1)..<close], as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
                    guard let lo = Int(parts[0]), parts.count <= 2 else { return nil }
                    let hi = parts.count == 2 ? (parts[1].isEmpty ? Int.max : Int(parts[1])) : lo
                    guard let hi, hi >= lo else { return nil }
                    atom = .repeated(atom, min: lo, max: hi)
                    i = close + 1
                default: break
                }
                if i < p.count, [UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "{")].contains(p[i]) { return nil }
            }
            alternatives[alternatives.count - 1].append(atom)
        }
        return alternatives
    }

    private static func parseAtom(_ p: [UInt8], _ i: inout Int) -> Node? {
        let c = p[i]
        switch c {
        case UInt8(ascii: "("):
            i += 1
            if i < p.count, p[i] == UInt8(ascii: "?") { return nil }   // (?:…), lookarounds: not in the subset
            guard let alternatives = parseAlternatives(p, &i), i < p.count, p[i] == UInt8(ascii: ")") else { return nil }
            i += 1
            return .group(alternatives)
        case UInt8(ascii: "["):
            i += 1
            var negated = false
            if i < p.count, p[i] == UInt8(ascii: "^") { negated = true; i += 1 }
            var ranges: [ClosedRange<UInt8>] = []
            while i < p.count, p[i] != UInt8(ascii: "]") {
                guard let lo = classByte(p, &i) else { return nil }
                if i + 1 < p.count, p[i] == UInt8(ascii: "-"), p[i + 1] != UInt8(ascii: "]") {
                    i += 1
                    guard let hi = classByte(p, &i), hi >= lo else { return nil }
                    ranges.append(lo...hi)
                } else {
                    ranges.append(lo...lo)
                }
            }
            guard i < p.count else { return nil }
            i += 1
            return .set(ranges, negated: negated)
        case UInt8(ascii: "."): i += 1; return .any
        case UInt8(ascii: "\\"):
            guard i + 1 < p.count else { return nil }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "d"): return .set([48...57], negated: false)
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "|"),
                 UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "^"), UInt8(ascii: "$"):
                return .byte(e)
            default: return nil
            }
        case UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"):
            return nil
        default:
            i += 1
            return .byte(c)
        }
    }

    private static func classByte(_ p: [UInt8], _ i: inout Int) -> UInt8? {
        if p[i] == UInt8(ascii: "\\") {
            guard i + 1 < p.count else { return nil }
            let e = p[i + 1]
            i += 2
            return [UInt8(ascii: "d"), UInt8(ascii: "w"), UInt8(ascii: "s")].contains(e) ? nil : e
        }
        let c = p[i]
        i += 1
        return c
    }
}
