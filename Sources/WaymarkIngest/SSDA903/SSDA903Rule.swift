/// One validation rule over the SSDA903 tables, by the DfE's code where the DfE has one
/// (`574`, `1004`, `INT13`; Waymark's own checks are `WM1`...): the table whose rows it
/// flags, the field it blames, what it says, and what happens to a flagged row.
struct SSDA903Rule: Sendable {
    /// What a flagged row becomes.
    enum Outcome: Sendable {
        /// The row cannot become a fact (not a date, unknown code, end before start, a second
        /// period overlapping one already taken): quarantined, not ingested.
        case reject
        /// The row is a fact that breaks a rule relating rows or fields: ingested and reported.
        case finding
    }

    let code: String
    let table: SSDA903Table
    let field: String
    let outcome: Outcome
    /// What is wrong, in words a data officer can act on (never a cell's value).
    let reason: String
    /// The indices (into the table's rows) of the rows the rule flags.
    let flags: @Sendable (SSDA903Context) -> [Int]

    /// A rule that judges each Header row alone (given the context).
    static func header(_ code: String, _ field: String, _ outcome: Outcome, _ reason: String,
                       _ test: @escaping @Sendable (SSDA903Context, HeaderRow) -> Bool) -> SSDA903Rule {
        SSDA903Rule(code: code, table: .header, field: field, outcome: outcome, reason: reason) { ctx in
            (ctx.header ?? []).indices.filter { test(ctx, ctx.header![$0]) }
        }
    }

    /// A rule that judges each Episodes row alone (given the context).
    static func episode(_ code: String, _ field: String, _ outcome: Outcome, _ reason: String,
                        _ test: @escaping @Sendable (SSDA903Context, EpisodeRow) -> Bool) -> SSDA903Rule {
        SSDA903Rule(code: code, table: .episodes, field: field, outcome: outcome, reason: reason) { ctx in
            (ctx.episodes ?? []).indices.filter { test(ctx, ctx.episodes![$0]) }
        }
    }

    /// A rule that judges each Missing row alone (given the context).
    static func missing(_ code: String, _ field: String, _ outcome: Outcome, _ reason: String,
                        _ test: @escaping @Sendable (SSDA903Context, MissingRow) -> Bool) -> SSDA903Rule {
        SSDA903Rule(code: code, table: .missing, field: field, outcome: outcome, reason: reason) { ctx in
            (ctx.missing ?? []).indices.filter { test(ctx, ctx.missing![$0]) }
        }
    }

    /// A rule over each child's episodes in DECOM order: `test` gets the child's episode
    /// indices and returns those it flags.
    static func episodeChain(_ code: String, _ field: String, _ outcome: Outcome, _ reason: String,
                             _ test: @escaping @Sendable (SSDA903Context, [EpisodeRow], [Int]) -> [Int]) -> SSDA903Rule {
        SSDA903Rule(code: code, table: .episodes, field: field, outcome: outcome, reason: reason) { ctx in
            guard let all = ctx.episodes else { return [] }
            return ctx.episodesByChild.values.flatMap { test(ctx, all, $0) }.sorted()
        }
    }
}

/// Every rule Waymark applies to an SSDA903 return, rejecting rules first.
enum SSDA903Rules {
    static let all: [SSDA903Rule] = headerRules + episodeRules + ageRules + placementRules + legalStatusRules + missingRules

    /// The DfE codes covered (Waymark's own `WM` checks left out).
    static var dfeCodes: [String] { Array(Set(all.map(\.code).filter { !$0.hasPrefix("WM") })).sorted() }
}
