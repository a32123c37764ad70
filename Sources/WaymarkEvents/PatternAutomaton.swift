/// A schema pattern as a deterministic automaton over UTF-8 bytes: one table lookup per byte,
/// no backtracking, no allocation, so checking a value costs about as much as reading it.
///
/// Built from the pattern's syntax tree by Thompson's construction (a nondeterministic
/// automaton with empty moves, counted repetitions written out) and then the subset
/// construction. For a yes/no "is there a match" question over patterns without
/// back-references or look-arounds, it gives the same answer as ECMA-262's backtracking.
struct PatternAutomaton: Sendable {
    /// `next[state << 8 | byte]`: the state after reading `byte`; state 0 is dead.
    private let next: [UInt16]
    private let accepting: [Bool]
    private let start: UInt16
    /// Without `$`, a match may end anywhere: the first accepting state answers yes.
    private let anchoredEnd: Bool

    /// The most states a pattern may need before it is left to `NSRegularExpression`.
    static let stateLimit = 4096

    /// One step of the nondeterministic automaton: empty moves, and at most one byte move.
    private struct Step {
        var empty: [Int] = []
        var bytes: [Bool]? = nil
        var to = 0
    }

    /// The byte-level syntax tree `SchemaPattern` compiles the subset into.
    indirect enum Term {
        case byte(UInt8)
        case any
        case set([ClosedRange<UInt8>], negated: Bool)
        case group([[Term]])
        case repeated(Term, min: Int, max: Int)
    }

    /// Builds the automaton; nil when it would need more than `stateLimit` states.
    init?(_ terms: [Term], anchoredStart: Bool, anchoredEnd: Bool) {
        var steps: [Step] = [Step()]
        func state() -> Int { steps.append(Step()); return steps.count - 1 }
        func move(_ accepts: [Bool], from s: Int) -> Int {
            let a = state(), b = state()
            steps[s].empty.append(a)
            steps[a].bytes = accepts
            steps[a].to = b
            return b
        }
        func sequence(_ terms: [Term], from s: Int) -> Int {
            terms.reduce(s) { term($1, from: $0) }
        }
        func term(_ t: Term, from s: Int) -> Int {
            switch t {
            case let .byte(c):
                var accepts = [Bool](repeating: false, count: 256)
                accepts[Int(c)] = true
                return move(accepts, from: s)
            case .any:
                var accepts = [Bool](repeating: true, count: 256)
                accepts[0x0A] = false
                return move(accepts, from: s)
            case let .set(ranges, negated):
                let accepts = (0..<256).map { b in ranges.contains { $0.contains(UInt8(b)) } != negated }
                return move(accepts, from: s)
            case let .group(alternatives):
                let end = state()
                for alternative in alternatives {
                    let a = state()
                    steps[s].empty.append(a)
                    steps[sequence(alternative, from: a)].empty.append(end)
                }
                return end
            case let .repeated(inner, min, max):
                var at = s
                for _ in 0..<min { at = term(inner, from: at) }
                let end = state()
                if max == .max {
                    let loop = state()
                    steps[at].empty.append(loop)
                    steps[term(inner, from: loop)].empty.append(loop)
                    steps[loop].empty.append(end)
                } else {
                    for _ in min..<max {
                        steps[at].empty.append(end)
                        at = term(inner, from: at)
                    }
                    steps[at].empty.append(end)
                }
                return end
            }
        }
        let final = sequence(terms, from: 0)

        func closure(_ states: [Int]) -> [Int] {
            var seen = Set(states), stack = states
            while let s = stack.popLast() {
                for t in steps[s].empty where seen.insert(t).inserted { stack.append(t) }
            }
            return seen.sorted()
        }
        let startSet = closure([0])
        var ids: [[Int]: UInt16] = [[]: 0]
        var sets: [[Int]] = [[]]
        var table: [UInt16] = []
        var accepting: [Bool] = []
        func id(_ set: [Int]) -> UInt16? {
            if let known = ids[set] { return known }
            guard sets.count < PatternAutomaton.stateLimit else { return nil }
            ids[set] = UInt16(sets.count)
            sets.append(set)
            return UInt16(sets.count - 1)
        }
        guard let first = id(startSet) else { return nil }
        // Bytes every move treats alike form a class (digits, letters, ...): each state's
        // moves are worked out once per class, not once per byte.
        let moves = steps.compactMap(\.bytes)
        var classOf = [Int](repeating: 0, count: 256)
        var representatives: [Int] = []
        var classes: [[Bool]: Int] = [:]
        for byte in 0..<256 {
            let signature = moves.map { $0[byte] }
            if let known = classes[signature] { classOf[byte] = known } else {
                classes[signature] = representatives.count
                classOf[byte] = representatives.count
                representatives.append(byte)
            }
        }
        var n = 0
        while n < sets.count {
            let set = sets[n]
            accepting.append(set.contains(final))
            var byClass: [UInt16] = []
            for byte in representatives {
                var targets = set.compactMap { steps[$0].bytes?[byte] == true ? steps[$0].to : nil }
                // Unanchored: a match may also start at every later byte.
                if !anchoredStart { targets += startSet }
                guard let to = id(targets.isEmpty ? [] : closure(targets)) else { return nil }
                byClass.append(to)
            }
            table += classOf.map { byClass[$0] }
            n += 1
        }
        next = table
        self.accepting = accepting
        start = first
        self.anchoredEnd = anchoredEnd
    }

    /// Whether the bytes contain a match (the whole of them, when the pattern is anchored).
    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        next.withUnsafeBufferPointer { next in
            accepting.withUnsafeBufferPointer { accepting in
                var state = Int(start)
                if !anchoredEnd && accepting[state] { return true }
                for b in bytes {
                    state = Int(next[state &<< 8 | Int(b)])
                    if state == 0 { return false }
                    if !anchoredEnd && accepting[state] { return true }
                }
                return accepting[state]
            }
        }
    }
}
