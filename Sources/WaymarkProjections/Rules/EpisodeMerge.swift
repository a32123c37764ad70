/// Which LA period a police incident of the same child is merged with, if any: SSDA903
/// periods are dates (their starts are midnight UTC), police reports are times. A period that
/// starts on the incident's own calendar date (UTC) comes first; else the period whose start
/// is closest to the incident's within `toleranceMs` either side. Ties go to the earlier
/// period (the lower index: `periodStarts` ascending, as the merger orders them). Returns the
/// index into `periodStarts`, or nil when none is near enough.
func mergeCandidate(incidentStart: Int64, periodStarts: [Int64], toleranceMs: Int64) -> Int? {
    func day(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000 }
    let incidentDay = day(incidentStart)
    var best: (index: Int, sameDay: Bool, distance: Int64)? = nil
    for (k, start) in periodStarts.enumerated() {
        let distance = abs(start - incidentStart)
        let sameDay = day(start) == incidentDay
        guard sameDay || distance <= toleranceMs else { continue }
        if let b = best {
            // Same date beats any other; then the closer; an equal one keeps the earlier.
            if sameDay != b.sameDay ? sameDay : distance < b.distance { best = (k, sameDay, distance) }
        } else {
            best = (k, sameDay, distance)
        }
    }
    return best?.index
}
