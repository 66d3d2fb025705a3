"""A school's day: which session registers are taken or missing, and which pupils are absent
with no reason yet (N, or no mark once the register has closed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from muster.core import codes, slots
from muster.registers import reports, store
from muster.registers.models import Enrolment, School
from muster.web.cohorts import year_order

NOT_ESTABLISHED = codes.BY_SYMBOL["N"].id
"""N: reason for absence not yet established (reference 2.1), the first-day calling list's code."""


@dataclass(frozen=True)
class SessionRegister:
    session: slots.Session
    open: bool
    closed_because: str | None
    on_roll: int
    marked: int
    due: bool
    """The register has opened (or the day is past): missing marks are overdue."""
    opens_at: dt.time
    missing_by_year: list[tuple[str, int]]

    @property
    def missing(self) -> int:
        return self.on_roll - self.marked

    @property
    def status(self) -> str:
        if not self.open:
            return "School closed"
        if self.on_roll == 0:
            return "No pupils on roll"
        if self.missing == 0:
            return "Taken"
        if not self.due:
            return f"Not due until {self.opens_at:%H:%M}"
        return "Not taken" if self.marked == 0 else "Partly taken"


@dataclass(frozen=True)
class AbsentPupil:
    pupil_id: int
    name: str
    nc_year: str
    sessions: list[str]
    """Per session absent with no reason: "AM: N", "PM: no mark"."""


@dataclass(frozen=True)
class SchoolDay:
    school: School
    day: dt.date
    registers: list[SessionRegister]
    absent: list[AbsentPupil]


def school_day(school: School, day: dt.date, enrolments: QuerySet[Enrolment], now: dt.datetime | None = None) -> SchoolDay:
    """`enrolments`: the school's registers the person may see (muster.people.access)."""
    now = timezone.localtime(now) if now else timezone.localtime()
    on_roll = reports.enrolments_in_period(day, day).filter(
        pk__in=enrolments.filter(school=school).values("pk")
    )
    rows = list(on_roll.order_by("pk").values_list("pk", "pupil_id", "pupil__nc_year",
                                                   "pupil__preferred_name", "pupil__legal_forename",
                                                   "pupil__legal_surname"))
    loaded = store.load(on_roll, day, day, unit=store.Unit.ENROLMENT, look_back=False)
    calendar = school.calendar()
    position = {e: i for i, e in enumerate(loaded.enrolment_ids.tolist())}
    registers, absent_sessions = [], {}
    for session in slots.Session:
        is_open = calendar.is_open(day, session)
        opens = school.am_register_opens if session is slots.Session.AM else school.pm_register_opens
        closes = school.am_register_closes if session is slots.Session.AM else school.pm_register_closes
        due = day < now.date() or (day == now.date() and now.time() >= opens)
        closed = day < now.date() or (day == now.date() and now.time() >= closes)
        column = loaded.matrix.marks[:, loaded.matrix.slot(day, session)] if len(rows) else np.zeros(0, np.uint8)
        missing_years: Counter[str] = Counter()
        marked = 0
        for enrolment_id, pupil_id, year, *_ in rows:
            mark = int(column[position[enrolment_id]]) if is_open else codes.NO_MARK
            if mark != codes.NO_MARK:
                marked += 1
            elif is_open:
                missing_years[year] += 1
            if is_open and (mark == NOT_ESTABLISHED or (mark == codes.NO_MARK and closed)):
                what = "N (reason not yet established)" if mark == NOT_ESTABLISHED else "no mark"
                absent_sessions.setdefault(pupil_id, []).append(f"{session.value}: {what}")
        registers.append(SessionRegister(
            session, is_open, calendar.why_closed(day, session), len(rows) if is_open else 0, marked,
            due, opens, sorted(missing_years.items(), key=lambda item: year_order(item[0])),
        ))
    details = {pupil_id: (year, preferred or forename, surname)
               for _, pupil_id, year, preferred, forename, surname in rows}
    absent = [
        AbsentPupil(pupil_id, f"{details[pupil_id][1]} {details[pupil_id][2]}", details[pupil_id][0], sessions)
        for pupil_id, sessions in absent_sessions.items()
    ]
    absent.sort(key=lambda a: (year_order(a.nc_year), a.name))
    return SchoolDay(school, day, registers, absent)


