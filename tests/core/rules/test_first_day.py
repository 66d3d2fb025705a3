"""First-day calling, the N deadline and the day-10 referral.

Sources: seed 002 lines 122-132 (calls every day; emergency contacts, letters, home visit; a
referral "if no contact has been made with parents by the 10th day of absence"); domain
reference 2.1 and 2.3 (`N` replaced within 5 school days), 5.1 (first-day calling), section 0
(an open session with no mark is listed for the school to resolve).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from muster.core import codes
from muster.core.rules.first_day import (
    Candidate,
    calling_list,
    ladder,
    referral_due,
    unexplained_absence_days,
    unresolved_n,
)

ON = dt.date(2025, 9, 8)


def test_calling_list_is_N_or_no_mark_with_children_in_care_then_social_worker_first():
    candidates = [
        Candidate(1, "Able Ash", "N"),
        Candidate(2, "Bea Birch", None, has_social_worker=True),
        Candidate(3, "Cal Cedar", "/"),
        Candidate(4, "Dot Dale", "I"),
        Candidate(5, "Eve Elm", "N", looked_after=True),
        Candidate(6, "Aaron Oak", None),
    ]
    assert [c.pupil for c in calling_list(candidates, ON)] == [5, 2, 6, 1]


def weekdays(first: dt.date, n: int) -> list[dt.date]:
    days, d = [], first
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def marks_with_n(first: dt.date, n_days: int, n_on: dt.date) -> np.ndarray:
    marks = np.full((1, 2 * n_days), codes.code("/").id, dtype=np.uint8)
    slot = 2 * (n_on - first).days
    marks[0, slot] = codes.code("N").id
    return marks


MONDAY = dt.date(2025, 9, 1)
SCHOOL_DAYS = weekdays(MONDAY, 15)


def test_N_is_flagged_on_the_6th_school_day_after_its_own_day():
    marks = marks_with_n(MONDAY, 21, MONDAY)
    # Resolve by the 5th school day after Monday 1 September: Monday 8 September.
    assert unresolved_n(marks, MONDAY, SCHOOL_DAYS, dt.date(2025, 9, 8)) == []
    flagged = unresolved_n(marks, MONDAY, SCHOOL_DAYS, dt.date(2025, 9, 9))
    assert [(f.day, f.resolve_by) for f in flagged] == [(MONDAY, dt.date(2025, 9, 8))]


def test_N_deadline_skips_a_closure_day():
    closed = dt.date(2025, 9, 3)
    days = [d for d in SCHOOL_DAYS if d != closed]
    marks = marks_with_n(MONDAY, 21, MONDAY)
    assert unresolved_n(marks, MONDAY, days, dt.date(2025, 9, 9)) == []
    assert len(unresolved_n(marks, MONDAY, days, dt.date(2025, 9, 10))) == 1


def test_an_N_already_replaced_is_not_flagged():
    marks = marks_with_n(MONDAY, 21, MONDAY)
    marks[0, 0] = codes.code("I").id
    assert unresolved_n(marks, MONDAY, SCHOOL_DAYS, dt.date(2025, 9, 19)) == []


def test_unexplained_absence_days_count_back_to_the_last_explained_day():
    days = [["/", "\\"], ["I", "I"]] + [["N", None]] * 3 + [[None, None]] * 6
    assert unexplained_absence_days(days, ON) == 9


def test_day_10_referral_when_no_contact_has_been_made():
    days = [["/", "\\"]] + [["N", "N"]] * 10
    absence_day = unexplained_absence_days(days, ON)
    assert absence_day == 10
    assert referral_due(absence_day, contact_made=False, on=ON)
    assert any(step.referral for step in ladder(absence_day, contact_made=False, on=ON))


def test_no_referral_on_day_9_or_once_the_parents_have_been_reached():
    assert not referral_due(9, contact_made=False, on=ON)
    assert not referral_due(12, contact_made=True, on=ON)
    assert [s.action for s in ladder(12, contact_made=True, on=ON)] == ["call the parents"]


def test_the_ladder_adds_emergency_contacts_then_letter_then_home_visit():
    assert len(ladder(1, contact_made=False, on=ON)) == 2
    assert len(ladder(2, contact_made=False, on=ON)) == 3
    assert len(ladder(3, contact_made=False, on=ON)) == 4
    assert ladder(0, contact_made=False, on=ON) == []
