/// The duration bucket an episode of `hours` falls in, by the ascending bounds of the rules'
/// `durationBucketsHours` ([24, 48, 168, 672]: under 24 h, 24-48 h, 2-7 days, 7-28 days,
/// over 28 days): the index of the first bound the duration is below, or `bounds.count` for
/// the last bucket. A bound belongs to the bucket above it (exactly 24 h is in 24-48 h).
func durationBucket(hours: Double, bounds: [Double]) -> Int {
    bounds.firstIndex { hours < $0 } ?? bounds.count
}

/// The label of bucket `index`: `<24h`, `24-48h`, …, `>=672h`.
func durationBucketLabel(_ index: Int, bounds: [Double]) -> String {
    func h(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
    if bounds.isEmpty { return "all" }
    if index == 0 { return "<\(h(bounds[0]))h" }
    if index >= bounds.count { return ">=\(h(bounds[bounds.count - 1]))h" }
    return "\(h(bounds[index - 1]))-\(h(bounds[index]))h"
}
