"""A small invented town for the statutory tests: two schools with an autumn 2025 calendar,
pupils added with their marks written week by week (as in tests/core/weeks.py), loaded through
`load_register_years` like any school's full-year feed. All names are invented."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.contrib.auth import get_user_model

from muster.core import codes, slots
from muster.core.slots import Session
from muster.registers.actions import load_register_years
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkBatch,
    Pupil,
    School,
)
from tests.exchange.samples import upn

FIRST_MONDAY = dt.date(2025, 9, 1)
TERMS = ((dt.date(2025, 9, 1), dt.date(2025, 10, 17)), (dt.date(2025, 10, 27), dt.date(2025, 12, 19)))
HALF_TERM = "half term"


class Town:
    def __init__(self):
        authority = LocalAuthority.objects.create(code="901", name="Invented Borough")
        self.schools = []
        for urn, name in (("310101", "Larkfield Primary"), ("310102", "Moorgate Academy")):
            school = School.objects.create(urn=urn, name=name, local_authority=authority)
            for first, last in TERMS:
                CalendarEntry.objects.create(school=school, start=first, end=last, kind="term")
            self.schools.append(school)
        self.serial = 0
        self.staff = get_user_model().objects.create_user("attendance-officer-test", password="x")

    def pupil(self, surname: str, *, looked_after=False, social_worker=False, nc_year="5") -> Pupil:
        self.serial += 1
        return Pupil.objects.create(
            upn=upn(self.serial), legal_surname=surname, legal_forename="Test",
            date_of_birth=dt.date(2015, 1, 1), nc_year=nc_year, looked_after=looked_after,
            care_authority="901" if looked_after else "", has_social_worker=social_worker,
        )

    def enrol(self, pupil: Pupil, school: School, weeks: list[str], *, start=FIRST_MONDAY,
              end=None) -> Enrolment:
        """Marks from FIRST_MONDAY, ten a week (Monday AM to Friday PM); `.` is no mark and a
        week named HALF_TERM is skipped. Open sessions of the weeks given get their mark."""
        enrolment = Enrolment.objects.create(pupil=pupil, school=school, start=start, end=end)
        marks = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
        calendar = school.calendar()
        for w, week in enumerate(weeks):
            if week == HALF_TERM:
                continue
            for s, symbol in enumerate(week):
                day = FIRST_MONDAY + dt.timedelta(days=7 * w + s // 2)
                session = Session.AM if s % 2 == 0 else Session.PM
                if symbol == "." or not calendar.is_open(day, session) or not enrolment.on_roll(day):
                    continue
                if symbol == "/" and session is Session.PM:
                    symbol = "\\"
                marks[slots.slot_of(day, session)[1]] = codes.code(symbol).id
        load_register_years(rows=[(enrolment.pk, 2025, marks)], source=MarkBatch.Source.IMPORT,
                            description="test registers")
        return enrolment


def week_of(n: int) -> dt.date:
    """The Monday of week n (1-based) from FIRST_MONDAY."""
    return FIRST_MONDAY + dt.timedelta(weeks=n - 1)


PRESENT = "//////////"


@pytest.fixture
def town(db) -> Town:
    return Town()
