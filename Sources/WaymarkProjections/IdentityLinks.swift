/// Which references name the same child. Agencies never share an identifier, so the links
/// come from `IdentityLinked` events and from references that events carry (a police report
/// naming an LA placement, an RHI about a police incident). A union-find over references;
/// each group's canonical reference is its LA reference if it has one, else its police
/// reference, else its RHI reference (the smallest of the kind), so the choice never depends
/// on the order events arrived in.
public struct IdentityLinks {
    private var parent: [String: String] = [:]

    public init() {}

    /// Records that `ref` exists.
    public mutating func add(_ ref: String) { if parent[ref] == nil { parent[ref] = ref } }

    /// Records that `a` and `b` name the same child.
    public mutating func link(_ a: String, _ b: String) {
        add(a); add(b)
        let ra = root(a), rb = root(b)
        if ra == rb { return }
        if IdentityLinks.precedes(ra, rb) { parent[rb] = ra } else { parent[ra] = rb }
    }

    private func root(_ ref: String) -> String {
        var r = ref
        while let p = parent[r], p != r { r = p }
        return r
    }

    /// The canonical reference of the child `ref` names.
    public func canonical(_ ref: String) -> String { parent[ref] == nil ? ref : root(ref) }

    /// Every reference of each child, by canonical reference, sorted.
    public func groups() -> [String: [String]] {
        var out: [String: [String]] = [:]
        for ref in parent.keys { out[root(ref), default: []].append(ref) }
        for k in out.keys { out[k]!.sort() }
        return out
    }

    /// Whether `a` is preferred to `b` as the canonical reference: la, then police, then rhi.
    static func precedes(_ a: String, _ b: String) -> Bool {
        func rank(_ r: String) -> Int { r.hasPrefix("la:") ? 0 : r.hasPrefix("police:") ? 1 : 2 }
        return (rank(a), a) < (rank(b), b)
    }
}
