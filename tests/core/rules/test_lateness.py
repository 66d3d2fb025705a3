"""L or U from the arrival time (reference 1 "Late before close"/"Late after close", section 0
"`late` in reports"; seed 002 lines 150-158: registration closes 9.15, arrivals after it are U)."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.rules.lateness import arrival_mark, lateness_by_weekday, weekday_pattern
from tests.core.weeks import weeks_matrix

OPENS = dt.time(9, 0)
CLOSES = dt.time(9, 15)


@pytest.mark.parametrize(
    ("arrived", "code", "minutes"),
    [
        (dt.time(8, 55), "/", 0),
        (dt.time(9, 0), "/", 0),
        (dt.time(9, 1), "L", 1),
        (dt.time(9, 14, 59), "L", 14),
        (dt.time(9, 15), "L", 15),
        (dt.time(9, 15, 59), "L", 15),
        (dt.time(9, 16), "U", 16),
        (dt.time(11, 30), "U", 150),
    ],
)
def test_arrival_at_the_close_minute_is_L_and_after_it_U(arrived, code, minutes):
    mark = arrival_mark(arrived, OPENS, CLOSES)
    assert (mark.code, mark.minutes_late) == (code, minutes)


def test_on_time_in_the_afternoon_is_the_afternoon_present_mark():
    assert arrival_mark(dt.time(13, 10), dt.time(13, 15), dt.time(13, 30), afternoon=True).code == "\\"


def test_a_register_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValueError, match="closes"):
        arrival_mark(dt.time(9, 5), CLOSES, OPENS)


def test_lateness_by_weekday_counts_L_and_U_per_weekday_across_schools():
    # Week 1 at one school, week 2 at another: the same pupil (unit 0).
    matrix = weeks_matrix(
        [["L/////////", ".........."], ["..........", "U/L///////"]], units=[0, 0]
    )
    counts = lateness_by_weekday(matrix)
    assert counts.shape == (1, 5, 2)
    days = weekday_pattern(counts[0])
    assert [(d.weekday, d.late_before_close, d.late_after_close) for d in days] == [
        ("Monday", 1, 1),
        ("Tuesday", 1, 0),
        ("Wednesday", 0, 0),
        ("Thursday", 0, 0),
        ("Friday", 0, 0),
    ]
