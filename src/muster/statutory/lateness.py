"""Lateness patterns of a school's pupils by weekday (rule: `muster.core.rules.lateness`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from muster.core.rules.lateness import lateness_by_weekday, weekday_pattern
from muster.registers import store
from muster.registers.models import Enrolment, School


def lateness_rows(
    *, school: School, first: dt.date, last: dt.date, enrolments: QuerySet[Enrolment] | None = None
) -> list[dict]:
    """One row per pupil with a late mark at `school` from `first` to `last`, most late first."""
    rows = (enrolments if enrolments is not None else Enrolment.objects.all()).filter(
        Q(end__isnull=True) | Q(end__gte=first), school=school, start__lte=last
    )
    loaded = store.load(rows, first, last, unit=store.Unit.PUPIL, look_back=False)
    start, end = loaded.matrix.slot_range(first, last)
    counts = lateness_by_weekday(loaded.matrix, start, end)
    upns = dict(Enrolment.objects.filter(pk__in=[int(e) for e in loaded.enrolment_ids])
                .values_list("pupil_id", "pupil__upn"))
    found = []
    for unit, pupil_id in enumerate(loaded.unit_ids):
        if not counts[unit].any():
            continue
        days = weekday_pattern(counts[unit])
        row = {"upn": upns[int(pupil_id)], "late_before_close": int(counts[unit, :, 0].sum()),
               "late_after_close": int(counts[unit, :, 1].sum())}
        row.update({d.weekday.lower(): f"{d.late_before_close}/{d.late_after_close}" for d in days})
        found.append(row)
    return sorted(found, key=lambda r: (-(r["late_before_close"] + r["late_after_close"]), r["upn"]))
