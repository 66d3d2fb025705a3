"""At-risk detection (issue 10 part 2) on constructed registers: a pupil flagged by projection,
by trend, by spells, by last year's persistent absence and by a change of school, each with the
drivers that raised it; pupils exactly at each edge are not flagged.

Registers are written a week at a time (tests/core/weeks.py): ten sessions, Monday AM to Friday
PM; `.` is a week with no session (a holiday). The rules' numbers are the shipped parameters
(policies/national/at_risk/), checked first so the tests below read against them.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest

from muster.core.targeting.at_risk import AtRiskRules, Rule, detect
from tests.core.weeks import FIRST_MONDAY, weeks_matrix

P = "//////////"
ONE = "I/////////"
HOLIDAY = ".........."
RULES = AtRiskRules.national(dt.date(2025, 9, 1))


def friday_of_week(n: int) -> dt.date:
    return FIRST_MONDAY + dt.timedelta(weeks=n - 1, days=4)


def run(rows, weeks, **changes):
    matrix = weeks_matrix(rows)
    return detect(matrix, friday_of_week(weeks), RULES, sessions_left=200, **changes)


def raised(result, unit):
    return [d.rule for d in result.drivers(unit)]


def test_the_shipped_rules_and_their_sources():
    assert RULES.projected_absence_percent == Fraction(6)  # seed 003 line 17 "more than 6%"
    assert "Seed 003 line 17" in RULES.references["projected_absence_percent"]
    assert RULES.trend_school_weeks == 4  # issue 10 "the last 4 school weeks"
    assert "Muster decision" in RULES.references["trend_rise_points"]
    assert (RULES.projection_minimum_sessions, RULES.trend_rise_points, RULES.spell_sessions,
            RULES.repeat_spells, RULES.half_term_break_weekdays, RULES.change_within_days) == (
        20, Fraction(10), 2, 3, 5, 365)


def test_projection_flags_absence_more_than_6_percent_and_not_exactly_6():
    seven = [ONE] * 7 + [P] * 3   # 7 of 100 sessions, one a week in the first seven weeks
    six = [ONE] * 6 + [P] * 4     # 6 of 100: exactly the edge, "more than 6%" is not met
    result = run([seven, six], 10)
    assert raised(result, 0) == [Rule.PROJECTION]
    assert raised(result, 1) == []
    [driver] = result.drivers(0)
    assert driver.numbers == {"absent": 7, "possible": 100, "sessions_left": 200,
                              "projected_absent": 21.0, "projected_possible": 300,
                              "can_miss_below_pa": 22}
    assert driver.text == ("absence so far 7 of 100 sessions (7.0%); at that rate 21 of 300 "
                           "sessions by the end of the year, more than 6%; can miss 22 more and "
                           "stay below 10%")


def test_projection_waits_for_the_minimum_sessions():
    result = run([[ONE, ONE]], 2)  # 2 of 20 sessions (10%): the minimum is 20, so it projects
    assert raised(result, 0) == [Rule.PROJECTION]
    result = run([["I////////.", ONE]], 2)  # 2 of 19: too few to project
    assert raised(result, 0) == []


def test_projection_says_when_persistent_absence_is_certain():
    result = detect(weeks_matrix([["IIIIIIIIII"] * 4]), friday_of_week(4), RULES, sessions_left=10)
    [driver] = [d for d in result.drivers(0) if d.rule is Rule.PROJECTION]
    assert driver.numbers["can_miss_below_pa"] < 0
    assert driver.text.endswith("persistently absent at the end of the year whatever happens now")


def test_trend_flags_a_rise_of_more_than_10_points_in_the_last_4_school_weeks():
    rising = [P] * 6 + [ONE, ONE, ONE, "I/I///////"]  # 5 of 40 (12.5%) against 0 of 60
    edge = [P] * 6 + [ONE] * 4                        # 4 of 40 (10%) against 0: exactly 10 points
    result = run([rising, edge], 10)
    assert raised(result, 0) == [Rule.TREND]
    assert raised(result, 1) == []
    [driver] = result.drivers(0)
    assert driver.numbers == {"recent_absent": 5, "recent_possible": 40, "earlier_absent": 0,
                              "earlier_possible": 60, "rise_points": 12.5}
    assert driver.text.startswith("absence 12.5% (5 of 40 sessions) in the last 4 school weeks "
                                  "against 0.0% (0 of 60) before: up 12.5 points")


def test_trend_counts_school_weeks_so_a_holiday_does_not_dilute_the_recent_weeks():
    rising = [P] * 6 + [ONE, ONE, HOLIDAY, ONE, "I/I///////"]  # the holiday is no school week
    result = run([rising], 11)
    assert raised(result, 0) == [Rule.TREND]
    assert result.drivers(0)[0].numbers["recent_possible"] == 40


def test_trend_needs_as_many_earlier_school_weeks_as_recent_ones():
    result = run([[P] * 3 + [ONE, ONE, ONE, "I/I///////"]], 7)  # only 3 weeks before
    assert Rule.TREND not in raised(result, 0)
    assert result.school_weeks[0] == 7 and result.recent_absent[0] == 5


SPELLS = [P, "II////////", P, HOLIDAY, "/////II///", P, "II////////", P, "////////II",
          *[P] * 6]
"""A spell before the half-term break (week 2), then three spells of two sessions after it
(Wednesday PM to Thursday AM in week 5, Monday in week 7, Friday in week 9): 8 of 140 sessions,
5.7%, so no projection; nothing in the last four weeks, so no trend."""


def test_three_spells_in_the_half_term_flag_the_pupil():
    result = run([SPELLS], 15)
    assert raised(result, 0) == [Rule.SPELLS]
    [driver] = result.drivers(0)
    assert driver.numbers == {"spells": 3, "half_term_start": "2025-09-29",
                              "spell_sessions": [2, 2, 2]}
    assert driver.text == (
        "3 spells of 2 or more absent sessions this half term (since 29 September 2025), at "
        "least 3: from 1 October 2025 PM, 2 sessions; from 13 October 2025 AM, 2 sessions; from "
        "31 October 2025 AM, 2 sessions")


def test_a_spell_before_the_half_term_break_does_not_count():
    two_after = [P, "II////////", P, HOLIDAY, "/////II///", P, "II////////", *[P] * 8]
    result = run([two_after], 15)
    assert result.spells_in_half_term[0] == 2
    assert raised(result, 0) == []


def test_a_spell_runs_on_over_a_weekend_and_single_sessions_are_not_spells():
    across = [P, "////////II", "II////////", P, "I/////////", "/I////////", *[P] * 9]
    result = run([across], 15)
    assert list(result.spell_sessions) == [4]  # Friday and Monday: one spell of four sessions
    assert result.spells_in_half_term[0] == 1


def test_last_years_persistent_absence_flags_the_pupil():
    last_year = ["II////////"] * 10                  # 20 of 100: persistently absent
    clean_last_year = ["I/////////"] * 10            # 10 of 100: 10% exactly is PA too
    under = ["I/////////"] * 9 + [P]                 # 9 of 100: not PA
    gap = [HOLIDAY] * 42                             # 2 Sep 2024 + 52 weeks = 1 Sep 2025
    matrix = weeks_matrix([last_year + gap + [P] * 5, clean_last_year + gap + [P] * 5,
                           under + gap + [P] * 5], first_monday=dt.date(2024, 9, 2))
    result = detect(matrix, dt.date(2025, 10, 3), RULES, sessions_left=300)
    assert [raised(result, u) for u in range(3)] == [[Rule.LAST_YEAR], [Rule.LAST_YEAR], []]
    assert result.drivers(0)[0].text == ("persistently absent last year: 20 of 100 sessions "
                                         "missed (20.0%), 10% or more")


def test_a_change_of_school_or_placement_within_a_year_flags_the_pupil():
    on = friday_of_week(5)
    school = np.array([on - dt.timedelta(days=30), on - dt.timedelta(days=365), "NaT"],
                      dtype="datetime64[D]")
    placement = np.array(["NaT", "NaT", on - dt.timedelta(days=364)], dtype="datetime64[D]")
    result = run([[P] * 5] * 3, 5, school_changed=school, placement_changed=placement)
    assert [raised(result, u) for u in range(3)] == [
        [Rule.SCHOOL_CHANGE], [], [Rule.PLACEMENT_CHANGE]]  # 365 days ago is not within 365
    assert result.drivers(0)[0].text == ("changed school on 3 September 2025, 30 days ago "
                                         "(within 365)")


def test_only_marks_up_to_the_day_count():
    later_absence = [P] * 5 + ["IIIIIIIIII"] * 5
    assert raised(run([later_absence], 5), 0) == []
    assert Rule.PROJECTION in raised(run([later_absence], 10), 0)


def test_a_pupil_at_two_schools_is_absent_only_when_no_school_marked_them_present():
    # Unit 0 is registered at two schools: the morning absences at one are present at the other.
    main = ["I/I/I/////"] * 10
    other = ["/.........."[:10]] * 10
    matrix = weeks_matrix([main, other, main], units=[0, 0, 1])
    result = detect(matrix, friday_of_week(10), RULES, sessions_left=100)
    assert list(result.absent) == [20, 30]
    assert raised(result, 1) == [Rule.PROJECTION]


def test_flags_combine_every_rule_and_the_work_is_done_in_blocks(monkeypatch):
    from muster.core.targeting import at_risk
    monkeypatch.setattr(at_risk, "BLOCK_UNITS", 2)
    rows = [[ONE] * 7 + [P] * 3, [P] * 10, [P] * 6 + [ONE, ONE, ONE, "I/I///////"], [P] * 10,
            SPELLS[:10]]
    result = run(rows, 10)
    assert list(result.flagged) == [True, False, True, False, True]
    assert len(result) == 5


def test_rules_refuse_impossible_numbers():
    with pytest.raises(ValueError, match="at least 1"):
        AtRiskRules(Fraction(6), 20, 0, Fraction(10), 2, 3, 5, 365)
