import Foundation

/// A JSON Schema `pattern`, compiled. The schemas' patterns use a small ASCII subset (anchors,
/// literals, `.`, character classes with ranges and negation, groups with `|`, and `?`, `*`,
/// `+`, `{n}`, `{n,m}`); those are matched over the UTF-8 bytes by a `PatternAutomaton` (or, if
/// that would be too large, a small backtracking matcher), at a fraction of `NSRegularExpression`'s
/// cost per call. Any other pattern falls back to
/// `NSRegularExpression`, so the answer is always the ECMA-262 one.
final class SchemaPattern: @unchecked Sendable {
    /// The subset's syntax: bytes, `.`, classes, groups of alternatives (each a sequence), and
    /// repetitions (max `Int.max`: unbounded).
    private typealias Node = PatternAutomaton.Term
    private let program: (nodes: [Node], anchoredStart: Bool, anchoredEnd: Bool)?
    /// The program as an automaton (nil: too many states; the backtracking matcher answers).
    private let automaton: PatternAutomaton?
    /// The reference matcher, for patterns outside the subset and strings beyond ASCII.
    private let fallback: NSRegularExpression?
    /// The pattern as written.
    let text: String

    /// Compiles `pattern`; nil when it is not a valid regular expression.
    init?(_ pattern: String) {
        text = pattern
        fallback = try? NSRegularExpression(pattern: pattern)
        if let p = SchemaPattern.compile(Array(pattern.utf8)) {
            program = p
            automaton = PatternAutomaton(p.nodes, anchoredStart: p.anchoredStart, anchoredEnd: p.anchoredEnd)
        } else {
            guard fallback != nil else { return nil }
            program = nil
            automaton = nil
        }
    }

    /// Whether `s` contains a match (anchors make it a whole-string match), as JSON Schema says.
    /// A string with characters beyond ASCII goes to `NSRegularExpression`: the byte matchers
    /// would take `.` or `[^:]{1,20}` to count bytes where a pattern counts characters.
    func matches(_ s: String) -> Bool {
        var copy = s
        if let answer = copy.withUTF8({ matches(bytes: $0) }) { return answer }
        if let fallback { return fallback.firstMatch(in: s, range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil }
        // ICU refuses a few patterns of the subset (the empty one): the bytes answer.
        return copy.withUTF8 { onBytes($0)! }
    }

    /// Whether the UTF-8 bytes contain a match; nil when that needs `NSRegularExpression` (a
    /// pattern outside the subset, or bytes beyond ASCII).
    func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        return onBytes(bytes)
    }

    /// The byte matchers' answer (nil: the pattern is outside the subset).
    private func onBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let program else { return nil }
        if let automaton { return automaton.matches(bytes) }
        return backtrack(program, bytes)
    }

    /// The backtracking matcher, for a pattern whose automaton would be too large.
    private func backtrack(_ program: (nodes: [Node], anchoredStart: Bool, anchoredEnd: Bool), _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let starts = program.anchoredStart ? 0...0 : 0...bytes.count
        for start in starts {
            if SchemaPattern.match(program.nodes[...], bytes, start, end: program.anchoredEnd) { return true }
        }
        return false
    }

    // MARK: - Matching

    private static func match(_ seq: ArraySlice<Node>, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, end: Bool) -> Bool {
        matchThen(seq, b, i) { j in !end || j == b.count }
    }

    /// Matches `seq` at `i`, then calls `next` with each possible end position (backtracking).
    private static func matchThen(_ seq: ArraySlice<Node>, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ next: (Int) -> Bool) -> Bool {
        guard let first = seq.first else { return next(i) }
        let rest = seq.dropFirst()
        switch first {
        case let .repeated(node, min, max):
            func attempt(_ count: Int, _ at: Int) -> Bool {
                // Greedy: try one more first, then stop here.
                if count < max, matchOne(node, b, at, { j in j != at && attempt(count + 1, j) }) { return true }
                return count >= min && matchThen(rest, b, at, next)
            }
            return attempt(0, i)
        default:
            return matchOne(first, b, i) { j in matchThen(rest, b, j, next) }
        }
    }

    private static func matchOne(_ node: Node, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ next: (Int) -> Bool) -> Bool {
        switch node {
        case let .byte(c): return i < b.count && b[i] == c && next(i + 1)
        case .any: return i < b.count && b[i] != 0x0A && next(i + 1)
        case let .set(ranges, negated):
            guard i < b.count else { return false }
            return ranges.contains { $0.contains(b[i]) } != negated && next(i + 1)
        case let .group(alternatives):
            for alt in alternatives where matchThen(alt[...], b, i, next) { return true }
            return false
        case .repeated:
            return matchThen([node][...], b, i, next)
        }
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
