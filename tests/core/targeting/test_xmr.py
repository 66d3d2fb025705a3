"""Weekly attendance as an XmR chart (issue 10 part 6): centre line, moving ranges, natural
process limits (mean +/- 2.66 x average moving range) and the two signal rules (a value outside
the limits; a run of 8 on one side of the centre line). A planted shift shows as a signal."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from muster.core.targeting.xmr import SignalKind, chart, weekly_attendance
from tests.core.weeks import FIRST_MONDAY, weeks_matrix


def test_the_centre_line_moving_ranges_and_limits_of_a_small_series():
    result = chart([90, 94, 92, 96, 93])
    assert result.mean == pytest.approx(93.0)
    assert result.moving_ranges.tolist() == [4, 2, 4, 3]
    assert result.average_moving_range == pytest.approx(3.25)
    assert result.lower_limit == pytest.approx(93 - 2.66 * 3.25)
    assert result.upper_limit == pytest.approx(93 + 2.66 * 3.25)
    assert result.upper_range_limit == pytest.approx(3.268 * 3.25)
    assert result.signals == ()


def test_a_value_outside_the_limits_is_a_signal_and_one_just_inside_is_not():
    base = [95, 93, 95, 93, 95, 93]  # mean 94, average moving range 2: limits 88.68 and 99.32
    outside = chart(base + [88.5], baseline=6)
    assert [(s.kind, s.first) for s in outside.signals] == [(SignalKind.BELOW_LIMIT, 6)]
    inside = chart(base + [88.7], baseline=6)
    assert inside.signals == ()


def test_a_run_of_8_on_one_side_is_a_signal_and_a_run_of_7_is_not():
    eight = chart([96, 94] * 4 + [95.5] * 8, baseline=8)  # centre 95: eight values above it
    [run] = [s for s in eight.signals if s.kind is SignalKind.RUN_ABOVE]
    assert (run.first, run.last) == (8, 15)
    seven = chart([96, 94] * 4 + [95.5] * 7 + [94.5], baseline=8)
    assert not [s for s in seven.signals if s.kind is SignalKind.RUN_ABOVE]


def test_a_value_on_the_centre_line_ends_a_run():
    result = chart([96, 94] * 4 + [95.5] * 4 + [95] + [95.5] * 4, baseline=8)
    assert result.signals == ()


def test_the_chart_refuses_too_few_values_and_a_bad_baseline():
    with pytest.raises(ValueError, match="two or more"):
        chart([95])
    with pytest.raises(ValueError, match="baseline must be 2 to 3"):
        chart([95, 96, 97], baseline=1)


def test_weekly_attendance_pools_sessions_and_skips_holidays():
    matrix = weeks_matrix([["I/////////", "..........", "II////////"],
                           ["//////////", "..........", "IIII//////"]])
    weeks = weekly_attendance(matrix, FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(days=20))
    assert weeks.weeks == (FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(weeks=2))
    assert weeks.attended.tolist() == [19, 14] and weeks.possible.tolist() == [20, 20]
    one = weekly_attendance(matrix, FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(days=20), units=[1])
    assert one.percent.tolist() == [100.0, 60.0]


def planted_shift_matrix(pupils: int = 30, weeks: int = 24, shift_week: int = 16):
    """A cohort with 1-in-20 absence, and 1-in-5 from `shift_week` on."""
    rng = np.random.default_rng(2025)
    rows = []
    for _ in range(pupils):
        row = []
        for w in range(weeks):
            rate = 0.05 if w < shift_week else 0.2
            row.append("".join("I" if rng.random() < rate else "/" for _ in range(10)))
        rows.append(row)
    return weeks_matrix(rows)


def test_a_planted_shift_in_a_cohorts_attendance_shows_as_a_signal():
    matrix = planted_shift_matrix()
    series = weekly_attendance(matrix, FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(weeks=24))
    assert len(series.weeks) == 24
    result = series.chart(baseline=16)
    before = [s for s in result.signals if s.first < 16]
    after = [s for s in result.signals if s.first >= 16]
    assert before == []
    assert {s.kind for s in after} == {SignalKind.BELOW_LIMIT, SignalKind.RUN_BELOW}
    [run] = [s for s in after if s.kind is SignalKind.RUN_BELOW]
    assert (run.first, run.last) == (16, 23)
    assert run.describe(result.labels) == (
        f"{series.weeks[16].isoformat()} to {series.weeks[23].isoformat()}: 8 values in a row "
        "below the centre line")


def test_one_pupils_chart_from_the_same_registers():
    matrix = planted_shift_matrix(pupils=3)
    series = weekly_attendance(matrix, FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(weeks=24),
                               units=np.array([True, False, False]))
    assert series.possible.tolist() == [10] * 24
    assert len(series.chart(baseline=16).values) == 24
