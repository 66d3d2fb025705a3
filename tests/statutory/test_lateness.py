"""Late arrivals recorded from the arrival time (reference 1 "Late before close"/"Late after
close"; seed 002 lines 150-158), and lateness by weekday."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.audit.models import AuditEvent
from muster.core.slots import Session
from muster.registers.models import MarkChange, MarkNote
from muster.statutory import actions
from muster.statutory.actions import StatutoryError
from muster.statutory.lateness import lateness_rows
from tests.statutory.conftest import PRESENT, week_of


@pytest.fixture
def enrolment(town):
    school = town.schools[0]
    school.am_register_opens, school.am_register_closes = dt.time(9, 0), dt.time(9, 15)
    school.save()
    return town.enrol(town.pupil("Latecomer"), school, [PRESENT, "N/N/N/////"])


def test_arrival_in_the_close_minute_is_L_with_minutes_late(town, enrolment):
    mark, result = actions.record_arrival(enrolment=enrolment, day=week_of(2), session=Session.AM,
                                          arrived=dt.time(9, 15), by=town.staff)
    assert (mark.code, mark.minutes_late, result.changed) == ("L", 15, 1)
    note = MarkNote.objects.get(register_year__enrolment=enrolment)
    assert note.minutes_late == 15 and "09:15" in note.comment
    change = MarkChange.objects.get()
    assert (change.previous_code, change.offered_code) == ("N", "L")  # the N stays in the history
    assert AuditEvent.objects.filter(record_kind="register", pupil_id=enrolment.pupil_id).exists()


def test_arrival_after_the_close_minute_is_U(town, enrolment):
    mark, _ = actions.record_arrival(enrolment=enrolment, day=week_of(2) + dt.timedelta(days=1),
                                     session=Session.AM, arrived=dt.time(9, 16), by=town.staff)
    assert (mark.code, mark.minutes_late) == ("U", 16)


def test_no_arrival_on_a_closed_day(town, enrolment):
    with pytest.raises(StatutoryError, match="no open session"):
        actions.record_arrival(enrolment=enrolment, day=dt.date(2025, 9, 13), session=Session.AM,
                               arrived=dt.time(9, 5), by=town.staff)


def test_lateness_by_weekday_for_the_school(town, enrolment):
    actions.record_arrival(enrolment=enrolment, day=week_of(2), session=Session.AM,
                           arrived=dt.time(9, 5), by=town.staff)
    actions.record_arrival(enrolment=enrolment, day=week_of(2) + dt.timedelta(days=1),
                           session=Session.AM, arrived=dt.time(9, 40), by=town.staff)
    (row,) = lateness_rows(school=town.schools[0], first=week_of(1), last=week_of(3))
    assert (row["late_before_close"], row["late_after_close"]) == (1, 1)
    assert (row["monday"], row["tuesday"], row["wednesday"]) == ("1/0", "0/1", "0/0")
