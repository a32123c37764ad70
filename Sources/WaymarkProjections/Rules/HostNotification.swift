/// The status of the duty to tell a host area of a placement: `completed` when it was told by
/// `asOf`, `overdue` when not told and the deadline (`deadlineHours` after the placement
/// started) has passed, `open` otherwise. Times in milliseconds.
func handoffStatus(startedAt: Int64, completedAt: Int64?, asOf: Int64, deadlineHours: Double) -> String {
    if let completedAt, completedAt <= asOf { return "completed" }
    return asOf > startedAt + Int64(deadlineHours * 3_600_000) ? "overdue" : "open"
}
