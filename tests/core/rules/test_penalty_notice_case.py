"""The case path and the window (reference 0 "School week", 4.1, 4.3; seed 002 line 189)."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core import figures
from muster.core.rules.penalty_notice import ThresholdRule
from muster.core.rules.penalty_notice_case import (
    check_improvement_period,
    check_next_stage,
    window_weeks,
)
from tests.core.weeks import FIRST_MONDAY, weeks_matrix

RULE = ThresholdRule.national(dt.date(2025, 9, 1))
HOLIDAY = ".........."


def test_window_is_ten_school_weeks_skipping_a_holiday_and_spanning_a_school_move():
    old_school = ["O/////////"] * 5 + [HOLIDAY] + [HOLIDAY] * 5
    new_school = [HOLIDAY] * 5 + [HOLIDAY] + ["O/////////"] * 5
    matrix = weeks_matrix([old_school, new_school], units=[0, 0])
    result = figures.compute(matrix, matrix.first_day, matrix.last_day, RULE)
    met = int(result.pn_met_slot[0])
    assert matrix.day_of_slot(met) == FIRST_MONDAY + dt.timedelta(weeks=10)
    mondays = window_weeks(matrix, 0, met, RULE)
    assert len(mondays) == 10
    assert FIRST_MONDAY + dt.timedelta(weeks=5) not in mondays
    assert mondays[0] == FIRST_MONDAY and mondays[-1] == FIRST_MONDAY + dt.timedelta(weeks=10)


@pytest.mark.parametrize("weeks", [3, 4, 6])
def test_an_improvement_period_of_3_to_6_weeks_is_allowed(weeks):
    check_improvement_period(weeks, dt.date(2025, 9, 1))


@pytest.mark.parametrize("weeks", [2, 7])
def test_an_improvement_period_outside_3_to_6_weeks_is_refused(weeks):
    with pytest.raises(ValueError, match="3 to 6 weeks"):
        check_improvement_period(weeks, dt.date(2025, 9, 1))


def test_stages_go_forward_and_may_skip_the_notice_to_improve():
    check_next_stage("opened", "support_offered")
    check_next_stage("support_offered", "decided")
    with pytest.raises(ValueError, match="cannot go"):
        check_next_stage("notice_to_improve", "support_offered")
    with pytest.raises(ValueError, match="not a stage"):
        check_next_stage("opened", "fined")
