/// Whether a placement is out of area: its host LA is known and is not the placing LA. One
/// definition for every table (care homes' out-of-area counts, the host-notification duty);
/// an unknown host or placing LA is never out of area.
func isOutOfArea(placingLA: String?, hostLA: String?) -> Bool {
    guard let placingLA, !placingLA.isEmpty, let hostLA, !hostLA.isEmpty else { return false }
    return hostLA != placingLA
}
