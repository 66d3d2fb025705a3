"""A small invented world for the casework tests: one school in one authority, its Virtual
School and children's services, staff in the roles seed 001 names, and pupils whose registers
are written day by day from a pattern. All names are invented."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model

from muster.casework.actions import adopt_policy
from muster.core import codes, slots
from muster.core.roles import Role
from muster.core.slots import weekdays
from muster.people.actions import allocate, assign_role
from muster.people.models import Organisation
from muster.registers.actions import load_register_years
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkBatch,
    Pupil,
    School,
)

TERM_START, TERM_END = dt.date(2025, 9, 1), dt.date(2025, 12, 19)
SCHOOL_DAYS = weekdays(TERM_START, TERM_END)
VS_POLICY = "vs-attendance-processes-matrix"
SCHOOL_POLICY = "school-attendance-policy-model"


@dataclass
class World:
    authority: LocalAuthority
    school: School
    school_org: Organisation
    virtual_school: Organisation
    staff: dict[str, object]

    def pupil(self, number: int, pattern: str, *, looked_after: bool = True, by_session: bool = False) -> Pupil:
        """A pupil at the school from the first day of term; `pattern` has one character per
        school day from the first (both sessions take it): a mark code, or '.' for no mark.
        With `by_session`, two characters per school day: the morning's, then the afternoon's."""
        pupil = Pupil.objects.create(
            upn=_upn(number), legal_surname=f"Testpupil{number}", legal_forename="Alex",
            date_of_birth=dt.date(2014, 1, 1), nc_year="7", looked_after=looked_after,
            care_authority=self.authority.code if looked_after else "",
        )
        enrolment = Enrolment.objects.create(pupil=pupil, school=self.school, start=TERM_START)
        marks = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
        sessions = pattern if by_session else "".join(symbol * 2 for symbol in pattern)
        for day, am, pm in zip(SCHOOL_DAYS, sessions[0::2], sessions[1::2], strict=False):
            _, slot = slots.slot_of(day, slots.Session.AM)
            for offset, symbol in enumerate((am, pm)):
                if symbol != ".":
                    marks[slot + offset] = codes.code(symbol).id
        load_register_years(rows=[(enrolment.pk, 2025, marks)], source=MarkBatch.Source.DEMO,
                            description="casework test registers")
        for role in (Role.SOCIAL_WORKER, Role.EDUCATION_ADVISOR):
            allocate(worker=self.staff[role], pupil=pupil, role=role, starts=TERM_START)
        return pupil


def _upn(number: int) -> str:
    from tests.exchange.samples import upn

    return upn(number)


def build_world(*, adopt: tuple[str, ...] = (VS_POLICY,)) -> World:
    authority = LocalAuthority.objects.create(code="938", name="Testshire")
    school = School.objects.create(urn="310001", name="Testshire Primary", local_authority=authority)
    CalendarEntry.objects.create(school=school, start=TERM_START, end=TERM_END, kind="term")
    school_org = Organisation.objects.create(kind="school", name=school.name, school=school)
    virtual_school = Organisation.objects.create(kind="virtual_school", name="Testshire Virtual School",
                                                 local_authority=authority)
    children = Organisation.objects.create(kind="childrens_services", name="Testshire Children's Services",
                                           local_authority=authority)
    users = get_user_model().objects
    staff = {}
    for role, organisation in ((Role.ATTENDANCE_LEAD, school_org), (Role.DESIGNATED_TEACHER, school_org),
                               (Role.HEADTEACHER, school_org), (Role.EDUCATION_ADVISOR, virtual_school),
                               (Role.SOCIAL_WORKER, children)):
        user = users.create_user(role.value.replace("_", "-"), password="x")
        assign_role(user=user, role=role, organisation=organisation, starts=TERM_START)
        staff[role] = user
    for policy_id in adopt:
        organisation = virtual_school if policy_id.startswith("vs-") else school_org
        adopt_policy(policy_id=policy_id, organisation=organisation, starts=dt.date(2025, 6, 1))
    return World(authority, school, school_org, virtual_school, staff)


def through(day: dt.date) -> list[dt.date]:
    """The school days from the first day of term to `day`."""
    return [d for d in SCHOOL_DAYS if d <= day]


def nth(n: int) -> dt.date:
    """The n-th school day of term, from 1."""
    return SCHOOL_DAYS[n - 1]
