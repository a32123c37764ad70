import WaymarkTime

/// The financial year a day falls in, written `2022-23`, when years start on day 1 of
/// `startMonth` (4: April; 1: calendar years, written `2022`).
func financialYear(of day: CivilDate, startMonth: Int) -> String {
    let first = day.month >= startMonth ? day.year : day.year - 1
    if startMonth == 1 { return String(first) }
    let next = String(first + 1)
    return "\(first)-\(next.suffix(2))"
}

/// The financial year's first calendar year, as a number for grouping (2022 for 2022-23).
func financialYearStart(of day: CivilDate, startMonth: Int) -> Int {
    day.month >= startMonth ? day.year : day.year - 1
}
