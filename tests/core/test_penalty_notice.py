"""The national penalty-notice threshold: 10 unauthorised sessions in any rolling 10 school weeks.

Sources: seed 002 "Penalty Notices" (G, O and U; "a rolling period of 10 school weeks"; the
period may span terms, school years and schools); domain reference 0 ("School week", "Threshold
met"), 4.2 and 10.1 (a local code of conduct may add N).
"""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core import figures
from muster.core.rules.penalty_notice import ThresholdRule, evidence
from tests.core.weeks import session_at, weeks_matrix

NATIONAL = ThresholdRule.national(dt.date(2025, 9, 1))
PRESENT = "//////////"
HOLIDAY = ".........."


def met_on(rows, units=None, rule=NATIONAL, first=None, last=None):
    matrix = weeks_matrix(rows, units)
    first = first or matrix.first_day
    last = last or matrix.last_day
    result = figures.compute(matrix, first, last, rule)
    slot = int(result.pn_met_slot[0])
    if slot < 0:
        return None
    return matrix.day_of_slot(slot), matrix.session_of_slot(slot).value


def test_the_national_rule_is_ten_sessions_of_G_O_U_in_ten_school_weeks():
    assert NATIONAL.sessions == 10
    assert NATIONAL.school_weeks == 10
    assert NATIONAL.codes == frozenset({"G", "O", "U"})
    assert "seed 002" in NATIONAL.reference.lower()


def test_the_rule_did_not_exist_before_19_august_2024():
    with pytest.raises(ValueError):
        ThresholdRule.national(dt.date(2024, 8, 18))


def test_ten_U_in_one_school_week_is_met_on_the_friday_afternoon():
    assert met_on([[PRESENT, "UUUUUUUUUU"]]) == session_at(2, 4, pm=True)


def test_nine_G_and_one_N_is_not_met_because_N_is_not_a_national_threshold_code():
    assert met_on([["GGGGGGGGGN"]]) is None


def test_a_local_code_of_conduct_that_adds_N_meets_it():
    local = ThresholdRule(10, 10, frozenset({"G", "N", "O", "U"}), "local code of conduct")
    assert met_on([["GGGGGGGGGN"]], rule=local) == session_at(1, 4, pm=True)


def test_a_mix_of_unauthorised_types_counts():
    # Reference 4.2 "Mix of types": e.g. 4 holiday sessions + 6 late-after-close sessions.
    assert met_on([["GGGG//////", "UUUUUU////"]]) == session_at(2, 2, pm=True)


def test_ten_sessions_spread_over_exactly_ten_school_weeks_meet_it():
    weeks = ["O/////////"] * 10
    assert met_on([weeks]) == session_at(10, 0, pm=False)


def test_ten_sessions_spread_over_eleven_school_weeks_do_not():
    weeks = ["O/////////"] * 5 + [PRESENT] + ["O/////////"] * 5
    assert met_on([weeks]) is None


def test_eleven_O_over_twelve_school_weeks_with_a_gap_is_never_ten_in_ten():
    weeks = ["O/////////"] * 6 + [PRESENT] * 1 + ["O/////////"] * 5
    assert met_on([weeks]) is None


def test_a_half_term_holiday_neither_breaks_nor_extends_the_window():
    # Weeks with no session are not school weeks (reference 0): 5 + holiday + 5 is 10 school weeks.
    weeks = ["O/////////"] * 5 + [HOLIDAY] + ["O/////////"] * 5
    assert met_on([weeks]) == session_at(11, 0, pm=False)


def test_a_closure_marked_hash_is_not_a_school_week():
    weeks = ["O/////////"] * 5 + ["##########"] + ["O/////////"] * 5
    assert met_on([weeks]) == session_at(11, 0, pm=False)


def test_the_window_spans_the_summer_holiday_and_the_school_year():
    # Five G in the last weeks of the summer term (23 June to 25 July), five weeks' holiday,
    # five G from 1 September (seed 002: the period may span school years). Reported in the
    # period that starts in September.
    weeks = ["G/////////"] * 5 + [HOLIDAY] * 5 + ["G/////////"] * 5
    matrix = weeks_matrix([weeks], first_monday=dt.date(2025, 6, 23))
    september = dt.date(2025, 9, 1)
    result = figures.compute(matrix, september, matrix.last_day, NATIONAL)
    assert matrix.day_of_slot(int(result.pn_met_slot[0])) == dt.date(2025, 9, 29)
    # The same marks counted only from September do not meet it: the look-back matters.
    only_september = weeks_matrix([[HOLIDAY] * 10 + ["G/////////"] * 5], first_monday=dt.date(2025, 6, 23))
    assert figures.compute(only_september, september, matrix.last_day, NATIONAL).pn_met_slot[0] == -1


def test_the_window_follows_the_pupil_across_schools_with_a_week_off_roll_between():
    # Conformance case U802310125210: 5 G at one school, a week off roll, 5 G at the next.
    first_school = ["G/////////"] * 5 + [HOLIDAY] * 2
    second_school = [HOLIDAY] * 6 + ["G/////////"] * 5
    assert met_on([first_school, second_school], units=[0, 0]) == session_at(11, 0, pm=False)


def test_dual_registration_school_weeks_count_at_either_school():
    # The main school marks D while the pupil is at the subsidiary school; D is a mark, so the
    # week is a school week (reference 0: "any mark other than #, Z or no mark").
    main = ["G/////////"] * 5 + ["DDDDDDDDDD"] * 3 + ["G/////////"] * 5
    subsidiary = [HOLIDAY] * 5 + [PRESENT] * 3 + [HOLIDAY] * 5
    assert met_on([main, subsidiary], units=[0, 0]) is None
    assert met_on([main], units=[0]) is None


def test_only_sessions_in_the_period_can_meet_it():
    weeks = ["UUUUUUUUUU", PRESENT, PRESENT]
    matrix = weeks_matrix([weeks])
    later = figures.compute(matrix, dt.date(2025, 9, 8), matrix.last_day, NATIONAL)
    assert later.pn_met_slot[0] == -1


def test_the_evidence_lists_the_sessions_that_met_it():
    matrix = weeks_matrix([["GGGG//////", "UUUUUU////"]])
    result = figures.compute(matrix, matrix.first_day, matrix.last_day, NATIONAL)
    found = evidence(matrix, 0, int(result.pn_met_slot[0]), NATIONAL)
    assert [s.code for s in found] == ["G"] * 4 + ["U"] * 6
    assert found[-1].day == dt.date(2025, 9, 10) and found[-1].session == "PM"


def test_a_threshold_code_that_is_not_unauthorised_is_refused():
    with pytest.raises(ValueError, match="not an unauthorised"):
        ThresholdRule(10, 10, frozenset({"I"}), "wrong")
