import WaymarkTime

/// An SSDA903 collection year: 1 April to 31 March, written `2023-24`. An annual return
/// lists the episodes and missing periods open at some time in its year, and the code lists
/// it accepts change from year to year.
public struct CollectionYear: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The calendar year in which the collection year starts (2023 for 2023-24).
    public let startYear: Int

    public init(startYear: Int) { self.startYear = startYear }

    /// `2023-24` (or `2023/24`); nil for anything else, or a second part that does not follow the first.
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" })
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let a = Int(parts[0]), let b = Int(parts[1]),
              (a + 1) % 100 == b else { return nil }
        startYear = a
    }

    /// The collection year that contains `date`.
    public init(containing date: CivilDate) { startYear = date.month >= 4 ? date.year : date.year - 1 }

    /// 1 April of the start year.
    public var firstDay: CivilDate { CivilDate(year: startYear, month: 4, day: 1) }
    /// 31 March of the next year.
    public var lastDay: CivilDate { CivilDate(year: startYear + 1, month: 3, day: 31) }

    /// The oldest and newest years whose code lists Waymark knows. Years before 2022-23 use the
    /// 2022-23 lists (the oldest the DfE's validator publishes).
    public static let supported = CollectionYear(startYear: 2017)...CollectionYear(startYear: 2025)

    public var description: String { "\(startYear)-\(String(format2: (startYear + 1) % 100))" }

    public static func < (a: CollectionYear, b: CollectionYear) -> Bool { a.startYear < b.startYear }
}

extension String {
    /// A number written with two digits.
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
