"""`muster xmr`: weekly attendance of a pupil, a school or every school as a process-behaviour
chart (rules: `muster.core.targeting.xmr`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from muster.core.targeting.xmr import WeeklyAttendance, XmRChart
from muster.core.targeting.xmr import weekly_attendance as weekly
from muster.registers import store
from muster.registers.models import Enrolment, Pupil, School
from muster.registers.reports import enrolments_in_period

COLUMNS = ("week", "attended", "possible", "attendance_pct", "moving_range", "signal")


def pupil_id_by_upn(upn: str) -> int | None:
    """The operator's look-up (every pupil); named users go through `access_pupil_by_upn`."""
    return Pupil.objects.filter(upn=upn).values_list("pk", flat=True).first()


def enrolments_for(first: dt.date, last: dt.date, *, school: School | None = None,
                   pupil_id: int | None = None,
                   visible: QuerySet[Enrolment] | None = None) -> QuerySet[Enrolment]:
    """A pupil's enrolments (every school: their sessions pool), or a school's, or all, on roll
    in the period and within `visible` (the trust layer's) when given."""
    if pupil_id is not None:
        chosen = Enrolment.objects.filter(pupil_id=pupil_id)
    else:
        chosen = enrolments_in_period(first, last)
        if school is not None:
            chosen = chosen.filter(school=school)
    if visible is not None:
        chosen = chosen.filter(pk__in=visible.values("pk"))
    return chosen


def weekly_chart(first: dt.date, last: dt.date, enrolments: QuerySet[Enrolment], *,
                 pupil: bool, baseline: int | None = None) -> tuple[WeeklyAttendance, XmRChart]:
    """Weekly attendance pooled over the enrolments (one pupil: their schools pooled; a cohort:
    sessions summed over enrolments, reference 3.1) and its XmR chart."""
    unit = store.Unit.PUPIL if pupil else store.Unit.ENROLMENT
    loaded = store.load(enrolments, first, last, unit=unit, look_back=False)
    series = weekly(loaded.matrix, first, last)
    if len(series.weeks) < 2:
        raise ValueError(f"fewer than two weeks with a possible session from {first} to {last}")
    return series, series.chart(baseline)


def chart_rows(series: WeeklyAttendance, chart: XmRChart) -> list[dict]:
    flagged: dict[int, list[str]] = {}
    for signal in chart.signals:
        for i in range(signal.first, signal.last + 1):
            flagged.setdefault(i, []).append(signal.kind.value)
    return [{
        "week": week.isoformat(),
        "attended": int(series.attended[i]),
        "possible": int(series.possible[i]),
        "attendance_pct": round(float(chart.values[i]), 2),
        "moving_range": round(float(chart.moving_ranges[i - 1]), 2) if i else None,
        "signal": ",".join(flagged.get(i, [])) or None,
    } for i, week in enumerate(series.weeks)]
