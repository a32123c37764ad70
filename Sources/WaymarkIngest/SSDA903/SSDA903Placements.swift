import WaymarkTime

/// A placement as SSDA903 episodes describe it: one or more episodes of one child in DECOM
/// order. An episode starts on any change of legal status or placement, and RNE says which:
/// `L` (legal status only) continues the placement; `P`, `B`, `T`, `U` start a new one (`T`
/// and `U` with the same carer); the child's first episode in the return starts one whatever
/// its RNE, unless it continues a placement an earlier return began and left open (its RNE is
/// `L`, or it began before this return's collection year, so the earlier return listed it as
/// part of that placement). A temporary
/// placement (T0-T4) interrupts the placement before it, which resumes when the child
/// returns to it (same PLACE, PL_POST and URN).
struct PlacementSpan: Sendable {
    /// The episodes, in order (those of the placement it resumed included).
    var episodes: [EpisodeRow]
    /// The placement's start: its first episode's DECOM, or that of the earlier return's
    /// episode it continues.
    var start: CivilDate
    /// Whether the carer stayed the same (RNE T or U); nil for the first placement of a
    /// period of care, and where the return does not say.
    var sameCarer: Bool?
    /// Whether it is a temporary placement (T0-T4).
    var temporary: Bool
    /// Whether a temporary placement interrupts it at the end of the return.
    var interrupted = false

    /// The episode whose placement fields (type, provider, URN, postcode) describe it.
    var first: EpisodeRow { episodes[0] }
    /// The last episode: its DEC ends the placement.
    var last: EpisodeRow { episodes[episodes.count - 1] }
    /// The end date, nil while the placement lasts (or is only interrupted).
    var end: CivilDate? { interrupted ? nil : last.dec }

    /// Whether `e` returns to this placement (same PLACE, PL_POST and URN as where it began).
    func isReturn(_ e: EpisodeRow) -> Bool {
        e.place == first.place && e.urn == first.urn && e.plPost.flatMap { Postcode($0)?.normalised } == first.plPost.flatMap { Postcode($0)?.normalised }
    }

    /// The placements of one child's episodes (in DECOM order) in a return for the collection
    /// year starting `yearStart`. `continuing` gives the start of a placement an earlier return
    /// began on or before `date` and left open, if any.
    static func spans(of chain: [EpisodeRow], yearStart: CivilDate, continuing: (CivilDate) -> CivilDate?) -> [PlacementSpan] {
        var spans: [PlacementSpan] = []
        var current: Int? = nil
        var interrupted: Int? = nil
        for e in chain {
            guard let decom = e.decom else { continue }
            let temporary = SSDA903Rules.temporaryPlacements.contains(e.place ?? "")
            if let c = current, e.rne == "L" {
                spans[c].episodes.append(e)
                continue
            }
            if let c = current, spans[c].temporary, let i = interrupted, spans[i].isReturn(e) {
                spans[i].episodes.append(e)
                spans[i].interrupted = false
                current = i
                interrupted = nil
                continue
            }
            if current == nil, e.rne == "L" || decom < yearStart, let earlier = continuing(decom) {
                spans.append(PlacementSpan(episodes: [e], start: earlier, sameCarer: nil, temporary: temporary))
                current = spans.count - 1
                continue
            }
            let sameCarer: Bool? = current == nil ? nil : ["T", "U"].contains(e.rne ?? "") ? true : ["P", "B"].contains(e.rne ?? "") ? false : nil
            if temporary, let c = current, !spans[c].temporary, spans[c].last.dec == decom {
                spans[c].interrupted = true
                interrupted = c
            } else if let i = interrupted {
                spans[i].interrupted = false
                interrupted = nil
            }
            spans.append(PlacementSpan(episodes: [e], start: decom, sameCarer: sameCarer, temporary: temporary))
            current = spans.count - 1
        }
        return spans
    }
}
