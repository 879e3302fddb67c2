"""Episodes of care: windows, baseline, response and remission (waymark.clinical.episodes)."""

from __future__ import annotations

from datetime import date, timedelta

from waymark.clinical.episodes import (
    BAM,
    PHQ9,
    Episode,
    FollowUp,
    Result,
    add_months,
    followup_window,
    outcome,
)
from waymark.clinical.report import (
    MIN_CELL,
    Report,
    ReportBuilder,
    report_as_dict,
    report_from_dict,
)

ADMITTED = date(2025, 1, 15)
LATER = date(2026, 1, 1)


def phq9(on: date, score: int) -> Result:
    return Result(on, PHQ9, score)


def test_six_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2025, 1, 15), 6) == date(2025, 7, 15)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)  # leap year
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_the_window_is_six_months_plus_or_minus_thirty_days() -> None:
    assert followup_window(ADMITTED, FollowUp()) == (
        date(2025, 6, 15),
        date(2025, 7, 15),
        date(2025, 8, 14),
    )


def test_a_result_on_either_edge_of_the_window_counts_and_one_day_out_does_not() -> None:
    start, _target, end = followup_window(ADMITTED, FollowUp())
    for on, achieved in (
        (start, True),
        (end, True),
        (start - timedelta(days=1), False),
        (end + timedelta(days=1), False),
    ):
        found = outcome(Episode(ADMITTED), [phq9(on, 3)], LATER)
        assert found.followup_achieved is achieved, on


def test_the_window_follows_the_programs_settings() -> None:
    found = outcome(Episode(ADMITTED), [phq9(date(2025, 4, 20), 3)], LATER, FollowUp(3, 7))
    assert found.followup_achieved is True
    assert found.window_start == date(2025, 4, 8)


def test_the_baseline_is_the_nearest_result_from_30_days_before_to_14_after() -> None:
    results = [phq9(ADMITTED - timedelta(days=31), 20), phq9(ADMITTED + timedelta(days=14), 12)]
    assert outcome(Episode(ADMITTED), results, LATER).baseline_phq9 == 12
    results.append(phq9(ADMITTED - timedelta(days=30), 18))
    results.append(phq9(ADMITTED + timedelta(days=15), 1))
    assert outcome(Episode(ADMITTED), results, LATER).baseline_phq9 == 12
    results.append(phq9(ADMITTED - timedelta(days=14), 16))  # a tie: the earlier
    assert outcome(Episode(ADMITTED), results, LATER).baseline_phq9 == 16


def test_without_a_baseline_there_is_no_response_or_remission() -> None:
    found = outcome(Episode(ADMITTED), [phq9(date(2025, 7, 15), 2)], LATER)
    assert found.followup_achieved is True
    assert found.response is None and found.remission is None


def test_a_drop_of_exactly_half_is_a_response() -> None:
    found = outcome(Episode(ADMITTED), [phq9(ADMITTED, 16), phq9(date(2025, 7, 15), 8)], LATER)
    assert found.response is True and found.remission is False
    found = outcome(Episode(ADMITTED), [phq9(ADMITTED, 16), phq9(date(2025, 7, 15), 9)], LATER)
    assert found.response is False


def test_remission_is_under_five() -> None:
    for score, remission in ((4, True), (5, False)):
        results = [phq9(ADMITTED, 10), phq9(date(2025, 7, 15), score)]
        assert outcome(Episode(ADMITTED), results, LATER).remission is remission


def test_a_baseline_of_zero_cannot_respond() -> None:
    found = outcome(Episode(ADMITTED), [phq9(ADMITTED, 0), phq9(date(2025, 7, 15), 0)], LATER)
    assert found.response is None and found.remission is True


def test_without_a_follow_up_the_discharge_measure_is_the_outcome() -> None:
    episode = Episode(ADMITTED, date(2025, 3, 1), "completed")
    results = [phq9(ADMITTED, 14), phq9(date(2025, 3, 15), 4), phq9(date(2025, 3, 16), 1)]
    found = outcome(episode, results, LATER)
    assert found.discharge_phq9 == 4
    assert found.followup_phq9 is None and found.response is True and found.remission is True


def test_bam_use_change_reads_the_use_subscale() -> None:
    results = [Result(ADMITTED, BAM, 6), Result(date(2025, 7, 1), BAM, 2)]
    found = outcome(Episode(ADMITTED), results, LATER)
    assert (found.baseline_bam_use, found.followup_bam_use, found.bam_use_change) == (6, 2, -4)


def test_an_open_window_is_not_counted_yet() -> None:
    found = outcome(Episode(ADMITTED), [], date(2025, 8, 14))
    assert found.window_closed is False
    assert outcome(Episode(ADMITTED), [], date(2025, 8, 15)).window_closed is True


def _summary(people: int) -> Report:
    builder = ReportBuilder(LATER, target=75)
    for person in range(people):
        results = [phq9(ADMITTED, 20), phq9(date(2025, 7, 15), 4)]
        if person % 2:
            results = [phq9(ADMITTED, 20)]
        builder.add_episodes(person, [outcome(Episode(ADMITTED), results, LATER)])
    return builder.report()


def test_the_episode_cells_are_withheld_under_eleven_people() -> None:
    summary = _summary(MIN_CELL - 1).episodes
    assert summary is not None
    assert summary.episodes.value is None and summary.followup_rate.value is None
    summary = _summary(MIN_CELL).episodes
    assert summary is not None and summary.target == 75
    assert summary.episodes.value == 11
    assert summary.followup_rate.value == round(100 * 6 / 11, 1)
    assert summary.response.value is None  # only 6 people have both measures


def test_a_kept_report_gives_the_episodes_back_equal() -> None:
    report = _summary(MIN_CELL)
    assert report_from_dict(report_as_dict(report)) == report
    kept = report_as_dict(report)
    del kept["episodes"]  # a report kept before episodes existed
    assert report_from_dict(kept).episodes is None
