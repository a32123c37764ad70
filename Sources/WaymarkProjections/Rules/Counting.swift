/// Whether an episode counts as an incident under the rules: its category is one the rules
/// count, and it lasted (or, still open, has lasted so far) longer than the minimum
/// duration. "Longer than": with `minimumDurationHours` 24 an episode of exactly 24 hours
/// does not count (the statutory return counts absences of more than 24 hours).
func isCounted(categoryCounted: Bool, hoursSoFar: Double, minimumDurationHours: Double) -> Bool {
    categoryCounted && (minimumDurationHours == 0 || hoursSoFar > minimumDurationHours)
}
