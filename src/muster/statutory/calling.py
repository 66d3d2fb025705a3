"""The first-day calling list of a school for one session, after its register closes.

A read, not an action: the caller passes the enrolments the user may see (from
`muster.people.access`), or None for the operator. Rules: `muster.core.rules.first_day`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Q, QuerySet

from muster.core import codes
from muster.core.rules import first_day
from muster.core.slots import Session
from muster.registers import store
from muster.registers.models import Enrolment, School
from muster.statutory.models import ContactAttempt

LOOK_BACK_DAYS = 42
"""Far enough back to count 10 school days of absence across a half-term holiday."""

COLUMNS = (
    "priority", "upn", "name", "nc_year", "mark", "absence_day", "contact_made", "last_contact",
    "unresolved_n", "referral_due", "next_steps", "contacts",
)


@dataclass(frozen=True)
class CallingRow:
    priority: str
    upn: str
    name: str
    nc_year: str
    mark: str
    absence_day: int
    contact_made: bool
    last_contact: str
    unresolved_n: int
    referral_due: bool
    next_steps: str
    pupil_id: int
    contacts: str = ""
    """The family's contacts in priority order (1 is called first), with their numbers."""

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


PRIORITY = {0: "child in care", 1: "social worker", 2: ""}


def calling_list(
    *, school: School, day: dt.date, session: Session = Session.AM,
    enrolments: QuerySet[Enrolment] | None = None, sensitive: bool = True,
) -> list[CallingRow]:
    """Pupils on roll at `school` with no reason for their absence from the session.

    `sensitive` says whether the reader may see care and social-worker status: the order puts
    those pupils first either way (they are the most at risk), but the column stays blank.
    """
    calendar = school.calendar()
    if not calendar.is_open(day, session):
        return []
    on_roll = (enrolments if enrolments is not None else Enrolment.objects.all()).filter(
        Q(end__isnull=True) | Q(end__gte=day), school=school, start__lte=day
    )
    first = day - dt.timedelta(days=LOOK_BACK_DAYS)
    loaded = store.load(on_roll, first, day, unit=store.Unit.ENROLMENT, look_back=False)
    matrix = loaded.matrix
    slot = matrix.slot(day, session)
    by_id = {e.pk: e for e in Enrolment.objects.filter(pk__in=[int(i) for i in loaded.enrolment_ids])
             .select_related("pupil").prefetch_related("pupil__contacts")}
    candidates = []
    for row, enrolment_id in enumerate(loaded.enrolment_ids):
        pupil = by_id[int(enrolment_id)].pupil
        code_id = int(matrix.marks[row, slot])
        candidates.append(first_day.Candidate(
            row,  # the matrix row stands for the pupil here
            f"{pupil.legal_surname}, {pupil.preferred_name or pupil.legal_forename}",
            None if code_id == codes.NO_MARK else codes.BY_ID[code_id].symbol,
            pupil.looked_after, pupil.has_social_worker,
        ))
    listed = first_day.calling_list(candidates, day)
    school_days = [
        first + dt.timedelta(days=d) for d in range((day - first).days + 1)
        if calendar.is_open(first + dt.timedelta(days=d), Session.AM)
        or calendar.is_open(first + dt.timedelta(days=d), Session.PM)
    ]
    return [
        _row(c, by_id[int(loaded.enrolment_ids[c.pupil])], matrix.marks[c.pupil], matrix.first_day,
             school_days, calendar, day, session, sensitive)
        for c in listed
    ]


def _day_marks(marks: np.ndarray, first_day_of_matrix: dt.date, school_days, calendar, day, session):
    days = []
    for d in school_days:
        sessions = []
        for s in (Session.AM, Session.PM):
            if not calendar.is_open(d, s) or (d == day and s is Session.PM and session is Session.AM):
                continue
            code_id = int(marks[2 * (d - first_day_of_matrix).days + s.offset])
            sessions.append(None if code_id == codes.NO_MARK else codes.BY_ID[code_id].symbol)
        if sessions:
            days.append(sessions)
    return days


def _row(candidate, enrolment, marks, matrix_first, school_days, calendar, day, session, sensitive):
    pupil = enrolment.pupil
    absence_day = first_day.unexplained_absence_days(
        _day_marks(marks, matrix_first, school_days, calendar, day, session), day
    )
    spell_start = school_days[-absence_day] if 0 < absence_day <= len(school_days) else day
    contacts = ContactAttempt.objects.filter(pupil=pupil, absence_on__gte=spell_start, absence_on__lte=day)
    contact_made = contacts.filter(outcome=ContactAttempt.Outcome.REACHED).exists()
    last = contacts.first()
    unresolved = first_day.unresolved_n(marks[None, :], matrix_first, school_days, day)
    steps = first_day.ladder(max(absence_day, 1), contact_made, day)
    return CallingRow(
        priority=PRIORITY[first_day.priority(candidate)] if sensitive else "",
        upn=pupil.upn, name=candidate.name, nc_year=pupil.nc_year, mark=candidate.mark or "",
        absence_day=absence_day, contact_made=contact_made,
        last_contact=str(last) if last else "", unresolved_n=len(unresolved),
        referral_due=first_day.referral_due(absence_day, contact_made, day),
        next_steps="; ".join(s.action for s in steps), pupil_id=pupil.pk,
        contacts=contacts_in_order(pupil),
    )


def contacts_in_order(pupil) -> str:
    """Who to call, in the priority order the school holds (seed 002 lines 128-130: the parents,
    then the emergency contacts): "1. Ms A Example (MUM, parental responsibility) 07700 900001"."""
    listed = []
    for contact in sorted(pupil.contacts.all(), key=lambda c: c.order):
        name = " ".join(p for p in (contact.title, contact.forename, contact.surname) if p)
        about = ", ".join(p for p in (
            contact.relationship, "parental responsibility" if contact.parental_responsibility else "",
        ) if p)
        phones = ", ".join(p.get("number", "") for p in contact.phones or [] if isinstance(p, dict))
        listed.append(f"{contact.order}. {name}" + (f" ({about})" if about else "") + (f" {phones}" if phones else ""))
    return "; ".join(listed)


UNRESOLVED_COLUMNS = ("upn", "name", "date", "session", "resolve_by")


def unresolved_n_list(
    *, school: School, on: dt.date, enrolments: QuerySet[Enrolment] | None = None
) -> list[dict]:
    """`N` marks at `school` still standing after the 5 school days after their day
    (reference 2.1, 2.3), for pupils on roll there at any time in the look-back."""
    first = on - dt.timedelta(days=LOOK_BACK_DAYS)
    rows = (enrolments if enrolments is not None else Enrolment.objects.all()).filter(
        Q(end__isnull=True) | Q(end__gte=first), school=school, start__lte=on
    )
    loaded = store.load(rows, first, on, unit=store.Unit.ENROLMENT, look_back=False)
    matrix = loaded.matrix
    calendar = school.calendar()
    school_days = [
        matrix.first_day + dt.timedelta(days=d) for d in range((on - matrix.first_day).days + 1)
        if calendar.is_open(matrix.first_day + dt.timedelta(days=d), Session.AM)
        or calendar.is_open(matrix.first_day + dt.timedelta(days=d), Session.PM)
    ]
    flagged = first_day.unresolved_n(matrix.marks, matrix.first_day, school_days, on)
    pupils = {e.pk: e.pupil for e in Enrolment.objects.filter(pk__in=[int(i) for i in loaded.enrolment_ids])
              .select_related("pupil")}
    found = []
    for f in flagged:
        pupil = pupils[int(loaded.enrolment_ids[f.row])]
        found.append({
            "upn": pupil.upn, "name": f"{pupil.legal_surname}, {pupil.preferred_name or pupil.legal_forename}",
            "date": f.day, "session": matrix.session_of_slot(f.slot).value, "resolve_by": f.resolve_by,
        })
    return sorted(found, key=lambda r: (r["date"], r["session"], r["name"]))
