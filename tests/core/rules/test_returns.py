"""Returns to the local authority detected from the marks.

Sources: domain reference 5.2, 5.3 and section 0 ("School days" of absence in returns and
deletion ground (i); "Attendance return"; "Sickness return"; "Deletion ground 9(1)(i)");
seed 002 line 169 (sickness return, 15 days consecutive or cumulative).
"""

from __future__ import annotations

import datetime as dt

from muster.core.rules import returns
from muster.core.rules.returns import ReturnKind
from tests.core.weeks import session_at, weeks_matrix

ON = dt.date(2025, 9, 1)
PRESENT = "//////////"
HOLIDAY = ".........."


def met(found, matrix):
    return [(m.unit, m.day, matrix.session_of_slot(m.slot).value) for m in found]


# Attendance return: 20 consecutive open sessions of G, N, O, U (reference 0, 5.2).

def test_attendance_return_is_met_on_the_20th_consecutive_unauthorised_session():
    matrix = weeks_matrix([[PRESENT, "NNNNNNNNNN", "OOOOOOOOOO", PRESENT]])
    day, session = session_at(3, 4, pm=True)
    assert met(returns.attendance_returns(matrix, ON), matrix) == [(0, day, session)]


def test_attendance_return_run_carries_over_a_half_term_holiday():
    matrix = weeks_matrix([["//////GGGG", HOLIDAY, "UUUUUUUUUU", "OOOOOO////"]])
    day, session = session_at(4, 2, pm=True)
    assert met(returns.attendance_returns(matrix, ON), matrix) == [(0, day, session)]


def test_attendance_return_nineteen_sessions_then_a_present_mark_is_not_met():
    matrix = weeks_matrix([["NNNNNNNNNN", "NNNNNNNNN/", "NNNNNNNNNN"]])
    assert returns.attendance_returns(matrix, ON) == []


def test_attendance_return_is_one_return_per_run():
    matrix = weeks_matrix([["NNNNNNNNNN", "NNNNNNNNNN", "NNNNNNNNNN", "NNNNNNNNNN"]])
    assert len(returns.attendance_returns(matrix, ON)) == 1


def test_attendance_return_counts_across_a_school_move():
    # Rows 0 and 1 are the same pupil at two schools (reference 5.4: counters follow the pupil).
    old_school = ["//////NNNN", "NNNNNNNNNN", HOLIDAY, HOLIDAY]
    new_school = [HOLIDAY, HOLIDAY, "OOOOOO////", PRESENT]
    matrix = weeks_matrix([old_school, new_school], units=[0, 0])
    day, session = session_at(3, 2, pm=True)
    assert met(returns.attendance_returns(matrix, ON), matrix) == [(0, day, session)]


# Deletion ground 9(1)(i): 40 consecutive open sessions of G, N, O (reference 0, 5.3).

def test_deletion_ground_i_is_met_on_the_40th_consecutive_G_N_O_session():
    matrix = weeks_matrix([["GGGGGGGGGG", "NNNNNNNNNN", "OOOOOOOOOO", "NNNNNNNNNN", PRESENT]])
    day, session = session_at(4, 4, pm=True)
    assert met(returns.deletion_ground_i(matrix, ON), matrix) == [(0, day, session)]


def test_deletion_ground_i_is_broken_by_one_U():
    # Reference 5.3 [BJ]: any other code in the 20-day run defeats the ground, U included.
    matrix = weeks_matrix([["GGGGGGGGGG", "NNNNNNNNNN", "OOOOUOOOOO", "NNNNNNNNNN", PRESENT]])
    assert returns.deletion_ground_i(matrix, ON) == []


def test_deletion_ground_i_is_broken_by_one_I_session():
    matrix = weeks_matrix([["GGGGGGGGGG", "NNNNNNNNNN", "OOOOIOOOOO", "NNNNNNNNNN", PRESENT]])
    assert returns.deletion_ground_i(matrix, ON) == []


def test_deletion_ground_i_run_skips_an_inset_closure():
    matrix = weeks_matrix([["##GGGGGGGG", "NNNNNNNNNN", "OOOOOOOOOO", "NNNNNNNNNN", "GG////////"]])
    day, session = session_at(5, 0, pm=True)
    assert met(returns.deletion_ground_i(matrix, ON), matrix) == [(0, day, session)]


def test_the_15_grounds_of_regulation_9_are_listed():
    assert len(returns.DELETION_GROUNDS) == 15
    assert returns.GROUND_CONTINUOUS_ABSENCE in returns.DELETION_GROUNDS


# Sickness return: I sessions in the school year reach 30 (seed 002 line 169; reference 0).

def test_sickness_return_cumulative_15_days_across_separate_spells():
    weeks = ["IIII//////"] * 7 + ["II////////"] + [PRESENT]
    matrix = weeks_matrix([weeks])
    day, session = session_at(8, 0, pm=True)
    assert met(returns.sickness_returns(matrix, ON), matrix) == [(0, day, session)]


def test_sickness_return_consecutive_15_days_over_a_holiday():
    matrix = weeks_matrix([["IIIIIIIIII", HOLIDAY, "IIIIIIIIII", "IIIIIIIIII", PRESENT]])
    day, session = session_at(4, 4, pm=True)
    assert met(returns.sickness_returns(matrix, ON), matrix) == [(0, day, session)]


def test_sickness_return_29_sessions_is_not_met():
    matrix = weeks_matrix([["IIIIIIIIII", "IIIIIIIIII", "IIIIIIIII/"]])
    assert returns.sickness_returns(matrix, ON) == []


def test_sickness_return_counts_across_a_school_move_but_once_per_year():
    old_school = ["IIIIIIIIII", "IIIIIIIIII", HOLIDAY, HOLIDAY]
    new_school = [HOLIDAY, HOLIDAY, "IIIIIIIIII", "IIIIIIIIII"]
    matrix = weeks_matrix([old_school, new_school], units=[0, 0])
    day, session = session_at(3, 4, pm=True)
    assert met(returns.sickness_returns(matrix, ON), matrix) == [(0, day, session)]


def test_sickness_count_starts_again_in_a_new_school_year():
    # 20 I sessions in July 2026 and 20 in September 2026: two school years, no return.
    summer = ["IIIIIIIIII", "IIIIIIIIII"] + [HOLIDAY] * 5
    matrix = weeks_matrix([summer + ["IIIIIIIIII", "IIIIIIIIII"]], first_monday=dt.date(2026, 7, 6))
    assert returns.sickness_returns(matrix, dt.date(2026, 9, 1)) == []


def test_sickness_outlook_gives_the_current_spell_and_the_days_still_to_reach():
    matrix = weeks_matrix([["IIII//////", "//////IIII"]])
    outlook = returns.sickness_outlook(matrix, matrix.last_day)
    assert [(o.unit, o.sessions_this_year, o.current_spell) for o in outlook] == [(0, 8, 4)]
    assert outlook[0].will_reach_if_spell_continues_days == 11
    assert not outlook[0].reached


def test_sickness_outlook_leaves_out_pupils_not_ill_now():
    matrix = weeks_matrix([["IIIIIIIIII", PRESENT]])
    assert returns.sickness_outlook(matrix, matrix.last_day) == []


# Due dates (reference 5.2).

def test_new_entry_return_is_due_5_days_after_entry():
    assert returns.new_entry_due(dt.date(2025, 9, 3)) == dt.date(2025, 9, 8)
    assert returns.due_on(ReturnKind.NEW_ENTRY, dt.date(2025, 9, 3)) == dt.date(2025, 9, 8)


def test_attendance_return_is_due_in_the_month_it_is_met():
    assert returns.due_on(ReturnKind.ATTENDANCE, dt.date(2026, 2, 11)) == dt.date(2026, 2, 28)


def test_deletion_and_sickness_returns_are_due_when_met():
    assert returns.due_on(ReturnKind.DELETION, dt.date(2026, 2, 11)) == dt.date(2026, 2, 11)
    assert returns.due_on(ReturnKind.SICKNESS, dt.date(2026, 2, 11)) == dt.date(2026, 2, 11)


def test_pooled_marks_keep_the_best_mark_of_a_dual_registered_session():
    matrix = weeks_matrix([["DDDDDDDDDD"], ["IIIII/////"]], units=[0, 0])
    pooled = returns.pupil_marks(matrix)
    assert pooled.shape == (1, 14)
    # D (not attending here, reference 2.1) gives way to the other school's mark (reference 0).
    symbols = [returns.codes.BY_ID[int(i)].symbol for i in pooled[0, :10]]
    assert symbols == ["I"] * 5 + ["\\", "/", "\\", "/", "\\"]
