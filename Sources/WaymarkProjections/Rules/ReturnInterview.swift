/// Whether a return home interview was on time: `nil` while it is not yet due (the deadline,
/// `deadlineHours` after the child's return, is after `asOf`) and none is held; true when one
/// was held by the deadline (exactly at it is on time), false when held later or not held by
/// a deadline that has passed. Times in milliseconds; `returned` nil: the child is still missing.
func rhiOnTime(returned: Int64?, heldAt: Int64?, asOf: Int64, deadlineHours: Double) -> Bool? {
    guard let returned else { return nil }
    let deadline = returned + Int64(deadlineHours * 3_600_000)
    if let heldAt, heldAt <= asOf { return heldAt <= deadline }
    return deadline < asOf ? false : nil
}
