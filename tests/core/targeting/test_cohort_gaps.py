"""Cohorts with lower attendance than their peers, the gap and its trend (issue 10 part 6; seed
002 line 248, Annex A "Support for cohorts of pupils with lower attendance than their peers", and
line 251 "Proactively use data to identify cohorts with, or at risk of, low attendance").

Constructed arrays: pupils (rows) by school weeks (columns), 10 possible sessions a week each.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest

from muster.core.parameters import national
from muster.core.targeting.cohort_gaps import (
    GapRules,
    Trend,
    group_gap,
    school_gaps,
    weekly_by_pupil,
)
from tests.core.weeks import FIRST_MONDAY, weeks_matrix

RULES = GapRules(gap_points=Fraction(2), minimum_pupils=5, trend_weeks=4,
                 widening_points=Fraction(1))
WEEKS = 12
SESSIONS = 10


def school(group_absent_per_week, *, group: int = 5, peers: int = 10):
    """`group` pupils (first rows) missing the given sessions each week (one number for every
    week, or one per week, spread over the group), and `peers` pupils attending every session."""
    absent = np.broadcast_to(np.asarray(group_absent_per_week), (WEEKS,))
    possible = np.full((group + peers, WEEKS), SESSIONS, dtype=np.int64)
    attended = possible.copy()
    for week, missed in enumerate(absent.tolist()):
        for i in range(missed):
            attended[i % group, week] -= 1
    members = np.arange(group + peers) < group
    return attended, possible, members


@pytest.mark.parametrize(("absent_per_week", "gap", "lower"), [
    (0, 0, False),   # attends as its peers do
    (1, 2, False),   # exactly at the edge: 1 of 50 sessions a week, 2 points, not flagged
    (2, 4, True),    # more than the threshold: flagged
])
def test_a_group_more_than_the_threshold_below_its_peers_is_flagged_and_one_at_the_edge_not(
        absent_per_week, gap, lower):
    attended, possible, members = school(absent_per_week)
    found = group_gap(attended, possible, members, RULES)
    expected = Fraction(100 * absent_per_week, 5 * SESSIONS)
    assert found.gap == expected == gap
    assert found.lower is lower
    assert found.pupils == 5 and found.peers == 10
    assert found.attendance == pytest.approx(100 - gap)
    assert found.peers_attendance == 100
    assert found.trend is Trend.STEADY
    assert found.weekly_gap.tolist() == pytest.approx([gap] * WEEKS)


def test_one_session_more_than_the_edge_is_flagged():
    """The comparison is exact: a single extra absence over the term tips the group over."""
    absences = [1] * WEEKS
    absences[0] = 2
    found = group_gap(*school(absences), RULES)
    assert found.gap > RULES.gap_points and found.lower


@pytest.mark.parametrize(("earlier", "recent", "trend"), [
    (1, 4, Trend.WIDENING),   # 2 points, then 8: the gap has widened by 6
    (4, 1, Trend.NARROWING),  # 8 points, then 2
    (2, 2, Trend.STEADY),
])
def test_the_gap_of_the_last_4_weeks_against_the_earlier_weeks_gives_the_trend(earlier, recent, trend):
    absences = [earlier] * (WEEKS - RULES.trend_weeks) + [recent] * RULES.trend_weeks
    found = group_gap(*school(absences), RULES)
    assert found.recent_gap == Fraction(100 * recent, 5 * SESSIONS)
    assert found.earlier_gap == Fraction(100 * earlier, 5 * SESSIONS)
    assert found.trend is trend
    assert found.trend_words().startswith(trend.value)  # each gap here is the group below its peers


def test_a_gap_chart_signal_in_the_recent_weeks_counts_as_widening():
    """A rise within the widening figure, but a week far above the earlier weeks' limits (XmR,
    `muster.core.targeting.xmr`): the weekly gap is 2 points for 8 weeks, then 6, 2, 2, 2."""
    absences = [1] * 8 + [3, 1, 1, 1]
    found = group_gap(*school(absences), RULES)
    assert found.recent_gap - found.earlier_gap <= RULES.widening_points
    assert found.trend is Trend.WIDENING
    assert found.signals and "above the upper natural process limit" in found.signals[0]


def test_too_few_weeks_for_a_trend():
    attended, possible, members = school(1)
    short = 2 * RULES.trend_weeks - 1
    found = group_gap(attended[:, :short], possible[:, :short], members, RULES)
    assert found.trend is Trend.TOO_FEW_WEEKS and found.recent_gap is None
    assert found.trend_words() == "too few weeks to tell"


def test_a_small_group_and_its_complement_are_not_shown():
    """Fewer pupils than the minimum are not shown, and nor are the rest when they are the only
    peers, whose gap would tell the small group's attendance."""
    small = RULES.minimum_pupils - 1
    attended, possible, members = school(2, group=small, peers=11)
    assert group_gap(attended, possible, members, RULES) is None
    labels = np.where(members, "FSM", "not FSM")
    result = school_gaps(attended, possible, {"fsm": labels}, RULES)
    assert result.shown == () and result.suppressed == 2


def test_every_group_of_each_characteristic_against_the_rest_of_the_school():
    attended, possible, members = school(2, group=5, peers=10)
    years = np.array(["7"] * 5 + ["8"] * 5 + ["9"] * 5)
    result = school_gaps(attended, possible, {"nc_year": years}, RULES,
                         weeks=[f"w{i}" for i in range(WEEKS)])
    by_group = {g.group: g for g in result.shown}
    assert sorted(by_group) == ["7", "8", "9"] and result.suppressed == 0
    assert by_group["7"].lower and by_group["7"].peers == 10
    assert not by_group["8"].lower and by_group["8"].gap < 0  # year 8 attends more than its peers
    assert by_group["7"].weeks[0] == "w0"


def test_pupils_with_no_possible_session_are_not_counted():
    attended, possible, members = school(2, group=6, peers=10)
    possible[0] = attended[0] = 0
    found = group_gap(attended, possible, members, RULES)
    assert found.pupils == 5


def test_the_national_figures_are_dated_and_cite_annex_a():
    on = dt.date(2026, 11, 27)
    rules = GapRules.national(on)
    assert rules.gap_points > 0 and rules.minimum_pupils >= 1 and rules.trend_weeks >= 1
    reference = national("targeting", "cohort_gap_points").entry_on(on).reference
    assert "Seed 002 line 248" in reference and "lower attendance than" in reference


def test_weekly_counts_per_pupil_skip_holiday_weeks():
    matrix = weeks_matrix([["I/////////", "..........", "II////////"],
                           ["//////////", "..........", "IIII//////"]])
    weeks = weekly_by_pupil(matrix, FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(days=20))
    assert weeks.weeks == (FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(weeks=2))
    assert weeks.attended.tolist() == [[9, 8], [10, 6]]
    assert weeks.possible.tolist() == [[10, 10], [10, 10]]


def test_a_stray_weekend_mark_is_not_a_session():
    """As the figures engine (`muster.core.figures.compute`): only weekdays are read."""
    matrix = weeks_matrix([["//////////"]])
    matrix.marks[0, 10] = matrix.marks[0, 0]  # Saturday morning, marked present
    weeks = weekly_by_pupil(matrix, FIRST_MONDAY, FIRST_MONDAY + dt.timedelta(days=6))
    assert weeks.attended.tolist() == [[10]] and weeks.possible.tolist() == [[10]]


def test_a_group_above_its_peers_whose_lead_shrinks_is_falling_back_not_widening_in_words():
    """The gap is the peers' attendance less the group's: for a group attending more than its
    peers a rising gap is the group falling back towards them."""
    attended, possible, absentees = school([4] * 8 + [1] * 4)
    found = group_gap(attended, possible, ~absentees, RULES)
    assert found.earlier_gap < found.recent_gap < 0
    assert found.trend is Trend.WIDENING and not found.lower
    assert found.trend_words().startswith("falling back towards its peers")
