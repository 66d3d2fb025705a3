"""The data-quality rules on plain data (issue "Interoperability", item 5; reference 0, 2.1-2.3).

A small invented calendar: autumn term 2025 from Wednesday 3 September to Friday 19 December,
half term 27-31 October, a planned closure (INSET) on Friday 10 October."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from muster.core import codes, slots
from muster.core.calendar import CalendarEntry, SchoolCalendar
from muster.core.data_quality import (
    Identity,
    RegisterRow,
    Registration,
    Rule,
    dual_registration_findings,
    duplicate_pupil_findings,
    register_findings,
    school_days_between,
)
from muster.core.slots import Session

CALENDAR = SchoolCalendar.build([
    CalendarEntry(dt.date(2025, 9, 3), dt.date(2025, 12, 19), "term"),
    CalendarEntry(dt.date(2025, 10, 27), dt.date(2025, 10, 31), "closure", label="half term"),
    CalendarEntry(dt.date(2025, 10, 10), dt.date(2025, 10, 10), "closure", label="INSET"),
])
UPN, URN = "A938200119001", "990101"


def row(marked: dict[tuple[dt.date, Session], str], *, start=dt.date(2025, 9, 3), end=None,
        fill_until: dt.date | None = None) -> RegisterRow:
    """A register with `/` or `\\` on every open session before `fill_until`, then `marked`."""
    marks = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
    if fill_until is not None:
        open_slots = CALENDAR.open_slots(2025)
        last = slots.slot_of(fill_until, Session.AM)[1]
        for slot in np.flatnonzero(open_slots[:last]):
            day, session = slots.date_of(2025, int(slot))
            if start <= day and (end is None or day <= end):
                marks[slot] = codes.code("/" if session is Session.AM else "\\").id
    for (day, session), symbol in marked.items():
        marks[slots.slot_of(day, session)[1]] = codes.code(symbol).id if symbol else 0
    return RegisterRow(UPN, URN, 2025, marks, start, end)


def rules(found) -> list[tuple[Rule, dt.date | None, str]]:
    return [(f.rule, f.day, f.session) for f in found]


def check(r: RegisterRow, today: dt.date):
    return register_findings(r, CALENDAR, today=today, n_school_days=5)


def test_a_fully_marked_register_has_no_findings():
    assert check(row({}, fill_until=dt.date(2025, 11, 20)), dt.date(2025, 11, 20)) == []


def test_an_open_session_before_today_without_a_mark_is_listed_today_is_not():
    """Reference 0: an open session on roll with no mark is listed for the school to resolve."""
    today = dt.date(2025, 11, 20)
    r = row({(dt.date(2025, 11, 18), Session.PM): ""}, fill_until=today)
    assert rules(check(r, today)) == [(Rule.UNMARKED, dt.date(2025, 11, 18), "PM")]
    assert check(row({}, fill_until=today), today) == [], "today's own sessions are not yet due"


def test_sessions_before_the_enrolment_are_not_unmarked():
    today = dt.date(2025, 11, 20)
    assert check(row({}, start=dt.date(2025, 11, 3), fill_until=today), today) == []


@pytest.mark.parametrize(
    ("today", "listed"),
    [
        (dt.date(2025, 10, 20), False),  # N on Tue 14: 3 whole school days (15, 16, 17) have passed
        (dt.date(2025, 10, 21), False),  # 4 (15, 16, 17, 20): the fifth, today, is still running
        (dt.date(2025, 10, 22), True),   # 5 whole school days (15, 16, 17, 20, 21) have passed
    ],
)
def test_n_must_be_resolved_within_5_school_days(today, listed):
    """Reference 2.1/2.3: N "must be replaced by another code within 5 school days"."""
    r = row({(dt.date(2025, 10, 14), Session.AM): "N"}, fill_until=today)
    assert rules(check(r, today)) == ([(Rule.N_UNRESOLVED, dt.date(2025, 10, 14), "AM")] if listed else [])


def test_school_days_skip_weekends_holidays_and_closures():
    # Thu 23 Oct to Wed 5 Nov: Fri 24, then half term, then Mon 3, Tue 4 = 3 school days
    assert school_days_between(CALENDAR, dt.date(2025, 10, 23), dt.date(2025, 11, 5)) == 3
    # Wed 8 Oct to Tue 14 Oct: Thu 9, (INSET Fri 10 closed), Mon 13 = 2
    assert school_days_between(CALENDAR, dt.date(2025, 10, 8), dt.date(2025, 10, 14)) == 2


def test_marks_on_closed_days_are_listed_but_closure_hash_on_a_closed_weekday_is_not():
    today = dt.date(2025, 11, 20)
    r = row({
        (dt.date(2025, 10, 11), Session.AM): "/",   # a Saturday
        (dt.date(2025, 10, 29), Session.PM): "I",   # half term
        (dt.date(2025, 10, 10), Session.AM): "#",   # INSET day: # is right
        (dt.date(2025, 10, 10), Session.PM): "#",
        (dt.date(2025, 10, 12), Session.AM): "#",   # a Sunday: no register at all
    }, fill_until=today)
    assert rules(check(r, today)) == [
        (Rule.CLOSED_DAY, dt.date(2025, 10, 11), "AM"),
        (Rule.CLOSED_DAY, dt.date(2025, 10, 12), "AM"),
        (Rule.CLOSED_DAY, dt.date(2025, 10, 29), "PM"),
    ]


def test_marks_outside_the_enrolment_are_listed():
    today = dt.date(2025, 11, 20)
    r = row({(dt.date(2025, 10, 30), Session.AM): "/",  # half term and before the start
             (dt.date(2025, 10, 24), Session.AM): "/"},
            start=dt.date(2025, 11, 3), fill_until=today)
    assert rules(check(r, today)) == [
        (Rule.OUTSIDE_ENROLMENT, dt.date(2025, 10, 24), "AM"),
        (Rule.OUTSIDE_ENROLMENT, dt.date(2025, 10, 30), "AM"),
    ]


def test_codes_withdrawn_in_2024_are_listed_only_from_19_august_2024():
    """Reference 2.2: legacy codes are valid only for sessions before 19 August 2024."""
    today = dt.date(2025, 11, 20)
    r = row({(dt.date(2025, 10, 15), Session.AM): "H", (dt.date(2025, 10, 16), Session.PM): "Y"},
            fill_until=today)
    assert rules(check(r, today)) == [(Rule.RETIRED_CODE, dt.date(2025, 10, 15), "AM"),
                                      (Rule.RETIRED_CODE, dt.date(2025, 10, 16), "PM")]
    old_calendar = SchoolCalendar.build([CalendarEntry(dt.date(2023, 9, 4), dt.date(2024, 7, 19), "term")])
    marks = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
    marks[slots.slot_of(dt.date(2024, 3, 4), Session.AM)[1]] = codes.code("H").id
    old = RegisterRow(UPN, URN, 2023, marks, dt.date(2024, 3, 4), dt.date(2024, 3, 4))
    assert [f.rule for f in register_findings(old, old_calendar, today=today, n_school_days=5)] == [Rule.UNMARKED]


def test_every_finding_names_pupil_school_session_and_where_to_fix_it():
    today = dt.date(2025, 11, 20)
    (finding,) = check(row({(dt.date(2025, 11, 18), Session.PM): ""}, fill_until=today), today)
    assert (finding.upn, finding.school_urn, finding.day, finding.session) == (UPN, URN, dt.date(2025, 11, 18), "PM")
    assert "register" in finding.fixed_in


def test_dual_registration_needs_its_pair_at_another_school_at_the_same_time():
    """Reference 0: a pupil on two registers at once, main and subsidiary."""
    paired = [Registration("A", "1", dt.date(2025, 9, 3), None, "main"),
              Registration("A", "2", dt.date(2025, 10, 1), dt.date(2025, 12, 1), "subsidiary")]
    assert dual_registration_findings(paired) == []
    lone = [Registration("B", "1", dt.date(2025, 9, 3), None, "main"),
            Registration("C", "2", dt.date(2025, 9, 3), None, "subsidiary"),
            Registration("D", "1", dt.date(2025, 9, 3), dt.date(2025, 9, 30), "main"),
            Registration("D", "2", dt.date(2025, 10, 1), None, "subsidiary"),
            Registration("E", "1", dt.date(2025, 9, 3), None, "single")]
    assert [(f.upn, f.school_urn) for f in dual_registration_findings(lone)] == [
        ("B", "1"), ("C", "2"), ("D", "1"), ("D", "2")]


def test_duplicate_pupils_share_name_and_birth_date_under_two_upns():
    birth = dt.date(2015, 2, 11)
    found = duplicate_pupil_findings([
        Identity("A1", "Quillfeather", "Orla", birth), Identity("A2", "QUILLFEATHER ", "orla", birth),
        Identity("A3", "Quillfeather", "Orla", dt.date(2015, 2, 12)), Identity("A4", "Marchbank", "Orla", birth),
    ])
    assert [(f.rule, f.upn) for f in found] == [(Rule.DUPLICATE_PUPIL, "A1"), (Rule.DUPLICATE_PUPIL, "A2")]
    assert "A2" in found[0].detail and "A1" in found[1].detail
