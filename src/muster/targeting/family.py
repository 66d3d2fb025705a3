"""Links across schools (issue 10 part 5; seed 002 Annex A: schools "work with other schools ...
such as schools previously attended and the schools of any siblings"): a pupil's siblings, by a
shared parent or carer contact (the same telephone number or email address) or an explicit
link, and the schools the pupil attended before, each with its attendance.

Only siblings the reader may see (the trust layer's `pupils_visible_to`) are shown: a sibling
outside their reach is not mentioned, so existence does not leak.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from muster.core import figures, slots
from muster.interop.models import PupilContact
from muster.registers import store
from muster.registers.models import Enrolment, Pupil, School
from muster.targeting.models import SiblingLink


@dataclass(frozen=True)
class Sibling:
    pupil: Pupil
    how: str
    schools: tuple[str, ...]
    """Names of the schools the sibling is on roll at today."""
    attendance_pct: float | None
    """This school year so far, all their schools pooled."""


@dataclass(frozen=True)
class PreviousSchool:
    school: School
    start: dt.date
    end: dt.date
    attended: int
    possible: int

    @property
    def attendance_pct(self) -> float | None:
        return round(100 * self.attended / self.possible, 1) if self.possible else None


def _phone(number: str) -> str:
    """A number's last 10 digits, so 07700 900123 and +44 7700 900123 match; '' if too short."""
    digits = re.sub(r"\D", "", number or "")
    return digits[-10:] if len(digits) >= 10 else ""


def _phones(contact: dict) -> set[str]:
    return {_phone(p.get("number", "")) for p in contact["phones"] or []} - {""}


def sibling_ids(pupil: Pupil) -> dict[int, str]:
    """Each sibling's id and how they are linked: a contact with the same telephone number or
    email address (the contacts of the transfer files), or a recorded link."""
    found: dict[int, str] = {}
    mine = list(PupilContact.objects.filter(pupil=pupil).values("phones", "email"))
    phones = set().union(*(_phones(c) for c in mine)) if mine else set()
    emails = {c["email"].strip().lower() for c in mine} - {""}
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(email__iexact=email)
    for number in phones:
        condition |= Q(phones__icontains=number[-4:])  # narrowed in Python below
    for other in PupilContact.objects.exclude(pupil=pupil).filter(condition).order_by("pk").values(
            "pupil_id", "forename", "surname", "phones", "email"):
        if other["email"].strip().lower() in emails or _phones(other) & phones:
            name = f"{other['forename']} {other['surname']}".strip()
            found.setdefault(other["pupil_id"], f"shares a contact ({name})")
    for a, b, note in SiblingLink.objects.filter(Q(pupil=pupil) | Q(sibling=pupil)).values_list(
            "pupil_id", "sibling_id", "note"):
        other = b if a == pupil.pk else a
        found.setdefault(other, f"recorded as a sibling{f' ({note})' if note else ''}")
    return found


def siblings(pupil: Pupil, *, visible: QuerySet[Pupil], on: dt.date) -> list[Sibling]:
    links = sibling_ids(pupil)
    shown = list(visible.filter(pk__in=list(links)).order_by("legal_surname", "pk"))
    if not shown:
        return []
    first = slots.year_start(slots.academic_year(on))
    enrolments = Enrolment.objects.filter(pupil__in=shown)
    loaded = store.load(enrolments, first, on, look_back=False)
    counts = figures.compute(loaded.matrix, first, on)
    rate = {pid: (round(100 * int(counts.attended[i]) / int(counts.possible[i]), 1)
                  if counts.possible[i] else None) for i, pid in enumerate(loaded.unit_ids.tolist())}
    schools: dict[int, list[str]] = {}
    for pid, name in enrolments.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on) \
            .order_by("school__name").values_list("pupil_id", "school__name"):
        schools.setdefault(pid, []).append(name)
    return [Sibling(p, links[p.pk], tuple(schools.get(p.pk, [])), rate.get(p.pk)) for p in shown]


def previous_schools(pupil: Pupil, *, enrolments: QuerySet[Enrolment], on: dt.date) -> list[PreviousSchool]:
    """The pupil's enrolments that ended before `on` (among `enrolments`, the reader's), with
    the attendance at each while on its roll."""
    ended = list(enrolments.filter(pupil=pupil, end__lt=on).select_related("school").order_by("start"))
    if not ended:
        return []
    first, last = min(e.start for e in ended), max(e.end for e in ended)
    loaded = store.load(Enrolment.objects.filter(pk__in=[e.pk for e in ended]), first, last,
                        unit=store.Unit.ENROLMENT, look_back=False)
    counts = figures.compute(loaded.matrix, first, last)
    index = {eid: i for i, eid in enumerate(loaded.unit_ids.tolist())}
    return [PreviousSchool(e.school, e.start, e.end, int(counts.attended[index[e.pk]]),
                           int(counts.possible[index[e.pk]])) for e in ended]
