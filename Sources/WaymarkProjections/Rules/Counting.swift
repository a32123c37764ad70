/// Whether an episode counts as an incident under the rules: its category is one the rules
/// count, and it lasted (or, still open, has lasted so far) longer than the minimum
/// duration. "Longer than": with `minimumDurationHours` 24 an episode of exactly 24 hours
/// does not count (the statutory return counts absences of more than 24 hours).
/// `hoursSoFar` nil: the duration is unknown (a return never recorded): it counts only when
/// the rules set no minimum.
func isCounted(categoryCounted: Bool, hoursSoFar: Double?, minimumDurationHours: Double) -> Bool {
    guard categoryCounted else { return false }
    if minimumDurationHours == 0 { return true }
    return hoursSoFar.map { $0 > minimumDurationHours } ?? false
}

/// Whether an episode with no recorded end, started at `start`, is one whose return was never
/// recorded: the same child was reported missing again after it started (`latestStartOfChild`
/// is the latest start among the child's episodes). Such an episode is not open: its end is
/// unknown.
func returnNotRecorded(start: Int64, latestStartOfChild: Int64) -> Bool {
    start < latestStartOfChild
}
