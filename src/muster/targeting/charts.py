"""`muster xmr`: weekly attendance of a pupil, a school or every school as a process-behaviour
chart (rules: `muster.core.targeting.xmr`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class XmRDrawing:
    """An XmR chart's geometry for an SVG drawn on the server (no script): the weekly points,
    the centre line and the natural process limits; signal points marked."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, bool]]
    """x, y, whether the week is part of a signal."""
    lines: list[tuple[float, str]]
    """y and label of the centre line and the limits."""
    y_ticks: list[tuple[float, str]]
    description: str


def xmr_drawing(series: WeeklyAttendance, chart: XmRChart) -> XmRDrawing:
    values = [float(v) for v in chart.values]
    low = min([*values, chart.lower_limit, 100.0 - 1])
    floor = max(0.0, (low // 10) * 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return round(TOP + plot_h * (100 - min(max(v, floor), 100.0)) / (100 - floor), 1)

    def x(i: int) -> float:
        return round(LEFT + plot_w * i / max(len(values) - 1, 1), 1)

    flagged = {i for s in chart.signals for i in range(s.first, s.last + 1)}
    dots = [(x(i), y(v), i in flagged) for i, v in enumerate(values)]
    lines = [(y(chart.mean), f"centre {chart.mean:.1f}%"),
             (y(chart.lower_limit), f"lower limit {chart.lower_limit:.1f}%"),
             (y(min(chart.upper_limit, 100.0)), f"upper limit {chart.upper_limit:.1f}%")]
    step = 10 if 100 - floor > 30 else 5
    ticks = [(y(v), f"{v:g}%") for v in range(int(floor), 101, step)]
    signals = "; ".join(chart.descriptions()) or "no signal: the weeks vary within their limits"
    description = (f"Weekly attendance from the week of {series.weeks[0]:%d %B %Y} to the week "
                   f"of {series.weeks[-1]:%d %B %Y}: centre line {chart.mean:.1f}%, natural "
                   f"process limits {chart.lower_limit:.1f}% to {chart.upper_limit:.1f}%; "
                   f"{signals}.")
    return XmRDrawing(WIDTH, HEIGHT, " ".join(f"{a},{b}" for a, b, _ in dots), dots, lines, ticks,
                      description)
