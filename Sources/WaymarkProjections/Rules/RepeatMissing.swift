/// Whether a child is a repeat missing child: `episodes` counted episodes (by their start
/// times, ascending, in milliseconds) within `withinDays` days of the first of them, start to
/// start (3 within 90 days: the third starts no more than 90 days after the first).
func isRepeatMissing(starts: [Int64], episodes: Int, withinDays: Int) -> Bool {
    guard episodes > 0, starts.count >= episodes else { return false }
    let window = Int64(withinDays) * 86_400_000
    for i in 0...(starts.count - episodes) where starts[i + episodes - 1] - starts[i] <= window { return true }
    return false
}
