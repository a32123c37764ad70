import XCTest
import WaymarkTime
@testable import WaymarkProjections

/// Each counting rule at its boundaries, with hand-written cases.
final class CountingRuleTests: XCTestCase {
    let hour: Int64 = 3_600_000

    func testAnEpisodeCountsOnlyWhenLongerThanTheMinimum() {
        XCTAssertTrue(isCounted(categoryCounted: true, hoursSoFar: 0, minimumDurationHours: 0), "no minimum: every episode counts")
        XCTAssertFalse(isCounted(categoryCounted: false, hoursSoFar: 100, minimumDurationHours: 0), "a category the rules do not count")
        XCTAssertFalse(isCounted(categoryCounted: true, hoursSoFar: 24, minimumDurationHours: 24), "exactly 24 h is not more than 24 h")
        XCTAssertTrue(isCounted(categoryCounted: true, hoursSoFar: 24 + 1.0 / 60, minimumDurationHours: 24), "a minute over counts")
        XCTAssertFalse(isCounted(categoryCounted: true, hoursSoFar: 23.99, minimumDurationHours: 24))
        XCTAssertTrue(isCounted(categoryCounted: true, hoursSoFar: nil, minimumDurationHours: 0), "an unknown duration counts with no minimum")
        XCTAssertFalse(isCounted(categoryCounted: true, hoursSoFar: nil, minimumDurationHours: 24), "but cannot be shown to pass one")
    }

    func testAnOpenEpisodeIsAReturnNotRecordedOnlyWhenTheChildWasReportedAgainAfterIt() {
        XCTAssertTrue(returnNotRecorded(start: 100, latestStartOfChild: 200))
        XCTAssertFalse(returnNotRecorded(start: 200, latestStartOfChild: 200), "the latest report is still open")
    }

    func testOutOfAreaNeedsBothLAsKnownAndDifferent() {
        XCTAssertTrue(isOutOfArea(placingLA: "309", hostLA: "356"))
        XCTAssertFalse(isOutOfArea(placingLA: "309", hostLA: "309"))
        XCTAssertFalse(isOutOfArea(placingLA: "309", hostLA: nil), "an unknown host is never out of area")
        XCTAssertFalse(isOutOfArea(placingLA: "", hostLA: "356"), "nor an unknown placing LA")
        XCTAssertFalse(isOutOfArea(placingLA: nil, hostLA: "356"))
    }

    func testFinancialYearsStartOnTheFirstDayOfTheirMonth() {
        XCTAssertEqual(financialYear(of: CivilDate(year: 2023, month: 3, day: 31), startMonth: 4), "2022-23")
        XCTAssertEqual(financialYear(of: CivilDate(year: 2023, month: 4, day: 1), startMonth: 4), "2023-24")
        XCTAssertEqual(financialYear(of: CivilDate(year: 1999, month: 12, day: 31), startMonth: 4), "1999-00")
        XCTAssertEqual(financialYear(of: CivilDate(year: 2023, month: 1, day: 1), startMonth: 1), "2023")
        XCTAssertEqual(financialYearStart(of: CivilDate(year: 2023, month: 3, day: 31), startMonth: 4), 2022)
    }

    func testAnInterviewIsOnTimeWithinTheDeadlineOfTheReturnExactlyIncluded() {
        let back: Int64 = 1_000 * hour
        XCTAssertEqual(rhiOnTime(returned: back, heldAt: back + 72 * hour, asOf: back + 500 * hour, deadlineHours: 72), true, "exactly 72 h is on time")
        XCTAssertEqual(rhiOnTime(returned: back, heldAt: back + 72 * hour + 60_000, asOf: back + 500 * hour, deadlineHours: 72), false, "a minute late")
        XCTAssertNil(rhiOnTime(returned: back, heldAt: nil, asOf: back + 72 * hour, deadlineHours: 72), "not yet due at the deadline itself")
        XCTAssertEqual(rhiOnTime(returned: back, heldAt: nil, asOf: back + 72 * hour + 1, deadlineHours: 72), false, "due and not held")
        XCTAssertNil(rhiOnTime(returned: nil, heldAt: nil, asOf: back, deadlineHours: 72), "still missing: nothing is due")
        XCTAssertNil(rhiOnTime(returned: back, heldAt: back + 10 * hour, asOf: back + 5 * hour, deadlineHours: 72),
                     "an interview after the as-of moment is not known then")
        XCTAssertEqual(rhiOnTime(returned: back, heldAt: back + 30 * hour, asOf: back + 500 * hour, deadlineHours: 24), false, "the deadline is the rules'")
    }

    func testRepeatMissingIsThreeStartsWithinNinetyDays() {
        let day: Int64 = 86_400_000
        XCTAssertTrue(isRepeatMissing(starts: [0, 10 * day, 90 * day], episodes: 3, withinDays: 90), "the third exactly 90 days after the first")
        XCTAssertFalse(isRepeatMissing(starts: [0, 10 * day, 90 * day + 1], episodes: 3, withinDays: 90))
        XCTAssertTrue(isRepeatMissing(starts: [0, 100 * day, 110 * day, 120 * day], episodes: 3, withinDays: 90), "any three in a row")
        XCTAssertFalse(isRepeatMissing(starts: [0, 1], episodes: 3, withinDays: 90), "two are not three")
        XCTAssertFalse(isRepeatMissing(starts: [0, 1, 2], episodes: 0, withinDays: 90))
    }

    func testDurationBucketsPutABoundInTheBucketAboveIt() {
        let bounds: [Double] = [24, 48, 168, 672]
        XCTAssertEqual(durationBucket(hours: 23.99, bounds: bounds), 0)
        XCTAssertEqual(durationBucket(hours: 24, bounds: bounds), 1)
        XCTAssertEqual(durationBucket(hours: 47.9, bounds: bounds), 1)
        XCTAssertEqual(durationBucket(hours: 672, bounds: bounds), 4)
        XCTAssertEqual((0...4).map { durationBucketLabel($0, bounds: bounds) }, ["<24h", "24-48h", "48-168h", "168-672h", ">=672h"])
    }

    func testAHandoffIsOverdueOnlyAfterItsDeadline() {
        let start: Int64 = 100 * hour
        XCTAssertEqual(handoffStatus(startedAt: start, completedAt: nil, asOf: start + 120 * hour, deadlineHours: 120), "open", "at the deadline: still open")
        XCTAssertEqual(handoffStatus(startedAt: start, completedAt: nil, asOf: start + 120 * hour + 1, deadlineHours: 120), "overdue")
        XCTAssertEqual(handoffStatus(startedAt: start, completedAt: start + 200 * hour, asOf: start + 300 * hour, deadlineHours: 120), "completed", "late, but done")
        XCTAssertEqual(handoffStatus(startedAt: start, completedAt: start + 200 * hour, asOf: start + 150 * hour, deadlineHours: 120), "overdue",
                       "done after the as-of moment: not done then")
    }
}

/// The merge of a police incident with the council's record of the same episode.
final class EpisodeMergeRuleTests: XCTestCase {
    let day: Int64 = 86_400_000, hour: Int64 = 3_600_000
    /// 2023-05-26T00:00:00Z in milliseconds.
    let may26: Int64 = 19_503 * 86_400_000

    func testTheSameCalendarDateComesBeforeACloserStart() {
        // Reported at 15:00 on 26 May; the council's periods start 26 May and 27 May (9 h away).
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 15 * hour, periodStarts: [may26, may26 + day], toleranceMs: day), 0)
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 15 * hour, periodStarts: [may26 + day], toleranceMs: day), 0,
                       "the next day's period, 9 h away, when there is no same-date one")
    }

    func testTheToleranceIsInclusiveAndNothingBeyondItMerges() {
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 12 * hour, periodStarts: [may26 - day + 12 * hour], toleranceMs: day), 0, "exactly a day")
        XCTAssertNil(mergeCandidate(incidentStart: may26 + 12 * hour, periodStarts: [may26 - day + 12 * hour - 1], toleranceMs: day))
        XCTAssertNil(mergeCandidate(incidentStart: may26, periodStarts: [], toleranceMs: day))
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 23 * hour, periodStarts: [may26], toleranceMs: 0), 0,
                       "the same date merges even with no tolerance")
    }

    func testTiesGoToTheEarlierPeriod() {
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 12 * hour, periodStarts: [may26 - 12 * hour, may26 + day + 12 * hour], toleranceMs: 2 * day), 0)
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 12 * hour, periodStarts: [may26, may26 + 20 * hour], toleranceMs: day), 1,
                       "two on the same date: the closer (8 h after, not 12 h before)")
        XCTAssertEqual(mergeCandidate(incidentStart: may26 + 12 * hour, periodStarts: [may26 + 6 * hour, may26 + 18 * hour], toleranceMs: day), 0,
                       "two on the same date equally close: the earlier")
    }
}
