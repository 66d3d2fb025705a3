"""Pupils ill now, with their sickness so far this year: for staff deciding whether to raise
the sickness return early (reference 5.2; rule `muster.core.rules.returns.sickness_outlook`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from muster.core import slots
from muster.core.rules.returns import sickness_outlook
from muster.registers import store
from muster.registers.models import Enrolment, School
from muster.statutory.models import LaReturn

COLUMNS = ("upn", "sessions_this_year", "current_spell", "days_to_reach", "return_recorded")


def sickness_outlook_rows(
    *, on: dt.date, enrolments: QuerySet[Enrolment] | None = None, school: School | None = None
) -> list[dict]:
    """Pupils (of `school`, if given) in a spell of illness on `on`; their sickness at every
    school counts (reference 0: "counted across all their schools")."""
    year_first = slots.year_start(slots.academic_year(on))
    rows = (enrolments if enrolments is not None else Enrolment.objects.all()).filter(
        Q(end__isnull=True) | Q(end__gte=year_first), start__lte=on
    )
    if school is not None:
        rows = rows.filter(pupil__in=Enrolment.objects.filter(school=school).values("pupil_id"))
    loaded = store.load(rows, year_first, on, look_back=False)
    outlook = sickness_outlook(loaded.matrix, on)
    ids = [int(loaded.unit_ids[o.unit]) for o in outlook]
    upns = dict(Enrolment.objects.filter(pupil_id__in=ids).values_list("pupil_id", "pupil__upn"))
    recorded = set(
        LaReturn.objects.filter(pupil_id__in=ids, kind=LaReturn.Kind.SICKNESS, met_on__gte=year_first)
        .values_list("pupil_id", flat=True)
    )
    found = [
        {"upn": upns[pid], "sessions_this_year": o.sessions_this_year, "current_spell": o.current_spell,
         "days_to_reach": o.will_reach_if_spell_continues_days, "return_recorded": pid in recorded}
        for o, pid in zip(outlook, ids, strict=True)
    ]
    return sorted(found, key=lambda r: (r["days_to_reach"], r["upn"]))
