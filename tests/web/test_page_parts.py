"""The parts of the pages that need no database: the trend chart's geometry and description,
the calendar's weeks, the weekly trend's arithmetic, ranges a person types, and year groups."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.http import QueryDict

from muster.core import codes
from muster.web import charts, cohorts, pupil_page
from muster.web.periods import Period, period_from

MONDAY = dt.date(2026, 9, 7)


def _counts(days: list[tuple[int, int]]) -> np.ndarray:
    """[possible, attended] per slot from (possible, attended) per weekday AM slot."""
    counts = np.zeros((2, 2 * len(days)), dtype=np.int64)
    for d, (possible, attended) in enumerate(days):
        counts[:, 2 * d] = (possible, attended)
    return counts


def test_the_weekly_trend_counts_each_week_and_the_year_so_far():
    week_one = [(1, 1)] * 5 + [(0, 0)] * 2  # 5 of 5
    week_two = [(1, 0)] * 5 + [(0, 0)] * 2  # 0 of 5
    points = pupil_page.weekly_trend(MONDAY, _counts(week_one + week_two))
    assert [(p.week_ending, p.possible, p.attended, p.week_pct, p.year_pct) for p in points] == [
        (dt.date(2026, 9, 11), 5, 5, 100.0, 100.0),
        (dt.date(2026, 9, 18), 5, 0, 0.0, 50.0),
    ]


def test_a_week_with_no_possible_session_is_left_out_of_the_trend():
    holiday = [(0, 0)] * 7
    points = pupil_page.weekly_trend(MONDAY, _counts([(1, 1)] * 7 + holiday + [(1, 1)] * 7))
    assert [p.week_ending for p in points] == [dt.date(2026, 9, 11), dt.date(2026, 9, 25)]


def test_the_chart_draws_the_90_and_95_lines_where_the_axis_puts_them():
    points = pupil_page.weekly_trend(MONDAY, _counts(([(1, 1)] * 4 + [(1, 0)] + [(0, 0)] * 2) * 3))
    chart = charts.trend_chart(points)
    assert [p.year_pct for p in points] == [80.0, 80.0, 80.0]
    ticks = {t.label: t.at for t in chart.y_ticks}
    assert ticks["100%"] == charts.TOP and ticks["80%"] == charts.HEIGHT - charts.BOTTOM
    lines = {line.label: line.y for line in chart.targets}
    # 90% half-way between 80% and 100%, 95% three-quarters of the way up
    assert lines["90% target"] == pytest.approx((ticks["80%"] + ticks["100%"]) / 2, abs=0.1)
    assert lines["95% target"] == pytest.approx(ticks["100%"] + (ticks["80%"] - ticks["100%"]) / 4, abs=0.1)
    assert "80% at the latest week" in chart.description


def test_no_chart_without_a_possible_session():
    assert charts.trend_chart([]) is None


def test_the_calendar_puts_days_under_their_weekday_and_skips_weekends():
    first = dt.date(2026, 9, 1)  # a Tuesday
    shown = np.zeros(2 * 30, dtype=np.uint8)
    shown[0] = codes.BY_SYMBOL["/"].id
    shown[1] = codes.BY_SYMBOL["N"].id
    (september,) = pupil_page.months(first, shown)
    assert september.name == "September 2026"
    assert september.weeks[0][0] is None  # Monday 31 August belongs to August
    tuesday = september.weeks[0][1]
    assert (tuesday.day, tuesday.am.code, tuesday.am.category, tuesday.pm.category) == (
        first, "/", "present", "unauthorised")
    assert len(september.weeks) == 5 and september.weeks[-1][2].day == dt.date(2026, 9, 30)


def test_the_legend_names_every_category_in_words():
    legend = pupil_page.legend()
    assert [category for category, _, _ in legend] == [c.value for c in codes.Category]
    assert all(label for _, label, _ in legend)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("from=2026-09-01&to=2026-09-30", None),
        ("from=2026-09-30&to=2026-09-01", "The last day must be the same as or after the first day"),
        ("from=2026-09-01", "Enter the last day of the range"),
        ("from=2026-02-30&to=2026-03-01", "Enter the first day of the range as a real date, for example 2026-09-01"),
        ("from=2026-09-01&to=2026-12-01", "The last day must be today (27 November 2026) or earlier"),
    ],
)
def test_a_range_is_read_or_refused_with_a_message_naming_its_field(query, error):
    period, errors = period_from(QueryDict(query), default=None, within=dt.date(2026, 11, 27))
    if error is None:
        assert period == Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30)) and errors == []
    else:
        assert period is None and [e.message for e in errors] == [error]


def test_year_groups_read_and_sort_as_schools_say_them():
    assert [cohorts.label("nc_year", y) for y in ("R", "7", "")] == ["Reception", "Year 7", "Not recorded"]
    assert sorted(["10", "R", "2", "N2"], key=cohorts.year_order) == ["N2", "R", "2", "10"]
