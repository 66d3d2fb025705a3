"""What the pupil page shows: figures for the year and a range, the calendar of sessions by
category, and the attendance trend against 90% and 95%, from the one figures engine."""

from __future__ import annotations

import calendar as month_names
import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from muster.core import codes, slots
from muster.registers import reports, store
from muster.registers.models import Enrolment, Pupil

CATEGORY_LABELS = {
    codes.Category.PRESENT: "Present",
    codes.Category.AEA: "Approved educational activity",
    codes.Category.AUTHORISED: "Authorised absence",
    codes.Category.UNAUTHORISED: "Unauthorised absence",
    codes.Category.NOT_POSSIBLE: "Not a possible session",
    codes.Category.ADMINISTRATIVE: "Administrative (closed or not on roll)",
}
"""The calendar's legend, one line per category (codes.Category), in words beside the colour."""

_CATEGORY_OF_ID = np.array(
    [(codes.category_of_id(i).value if codes.category_of_id(i) else "") for i in range(256)], dtype=object
)
_POSSIBLE = np.array([bool(codes.category_of_id(i) and codes.category_of_id(i).is_possible) for i in range(256)])
_ATTENDED = np.array([bool(codes.category_of_id(i) and codes.category_of_id(i).is_attendance) for i in range(256)])


@dataclass(frozen=True)
class Session:
    code: str
    category: str
    meaning: str


@dataclass(frozen=True)
class Day:
    day: dt.date
    am: Session | None
    pm: Session | None


@dataclass(frozen=True)
class Month:
    name: str
    weeks: list[list[Day | None]]
    """Monday to Friday of each week; None for days of another month."""


@dataclass(frozen=True)
class WeekPoint:
    week_ending: dt.date
    possible: int
    attended: int
    week_pct: float | None
    year_pct: float | None


def figures_row(pupils: QuerySet[Pupil], pupil: Pupil, first: dt.date, last: dt.date) -> dict | None:
    """The pupil's figures row (reports.pupil_rows) over first..last, or None when not on roll."""
    rows = reports.pupil_rows(first, last, pupils=pupils.filter(pk=pupil.pk))
    return rows[0] if rows else None


def year_marks(enrolments: QuerySet[Enrolment], year: int, last: dt.date) -> tuple[dt.date, np.ndarray, np.ndarray]:
    """The first day, the code of each slot (the marks of all the pupil's registers the user may
    see, a possible session's mark before a not-possible one) and how many registers count each
    slot as possible and attended: (first_day, shown codes, [possible, attended] per slot)."""
    first = slots.year_start(year)
    if not enrolments.exists():  # none the user may see; the store cannot read an empty query
        empty = np.zeros(2 * ((last - first).days + 1), dtype=np.uint8)
        return first, empty, np.zeros((2, len(empty)), dtype=np.int64)
    loaded = store.load(enrolments, first, last, look_back=False)
    marks = loaded.matrix.marks
    start = loaded.matrix.slot(first)
    marks = marks[:, start:] if start > 0 else marks
    shown = np.zeros(marks.shape[1], dtype=np.uint8)
    for row in marks:
        take = (shown == 0) | (~_POSSIBLE[shown] & _POSSIBLE[row])
        shown = np.where(take & (row != 0), row, shown)
    counts = np.stack([_POSSIBLE[marks].sum(axis=0), _ATTENDED[marks].sum(axis=0)]) if len(marks) else (
        np.zeros((2, marks.shape[1]), dtype=np.int64)
    )
    return first, shown, counts


def months(first: dt.date, shown: np.ndarray) -> list[Month]:
    """A month a table: weeks Monday to Friday, each day's AM and PM marks."""
    out: list[Month] = []
    n_days = len(shown) // 2
    by_month: dict[tuple[int, int], list[Day]] = {}
    for d in range(n_days):
        day = first + dt.timedelta(days=d)
        if day.weekday() >= 5:
            continue
        by_month.setdefault((day.year, day.month), []).append(
            Day(day, _session(shown[2 * d]), _session(shown[2 * d + 1]))
        )
    for (year, month), days in by_month.items():
        if not any(d.am or d.pm for d in days):
            continue
        weeks: list[list[Day | None]] = []
        for day in days:
            if not weeks or day.day.weekday() == 0:
                weeks.append([None] * 5)
            weeks[-1][day.day.weekday()] = day
        out.append(Month(f"{month_names.month_name[month]} {year}", weeks))
    return out


def _session(code_id: np.uint8) -> Session | None:
    code_id = int(code_id)
    if code_id == codes.NO_MARK:
        return None
    code = codes.BY_ID[code_id]
    return Session(code.symbol, code.category.value, code.meaning)


def weekly_trend(first: dt.date, counts: np.ndarray) -> list[WeekPoint]:
    """Each school week's attendance and the year's so far, at the week's Friday."""
    points: list[WeekPoint] = []
    possible_total = attended_total = 0
    n_days = counts.shape[1] // 2
    monday = first - dt.timedelta(days=first.weekday())
    while monday <= first + dt.timedelta(days=n_days - 1):
        lo = max(0, (monday - first).days) * 2
        hi = min(n_days, (monday - first).days + 7) * 2
        possible, attended = int(counts[0, lo:hi].sum()), int(counts[1, lo:hi].sum())
        if possible:
            possible_total += possible
            attended_total += attended
            points.append(WeekPoint(
                monday + dt.timedelta(days=4), possible, attended,
                round(attended * 100 / possible, 1),
                round(attended_total * 100 / possible_total, 1),
            ))
        monday += dt.timedelta(days=7)
    return points


def legend() -> list[tuple[str, str, str]]:
    """(category, label, example codes) for the calendar's key."""
    return [
        (category.value, label, " ".join(c.symbol for c in codes.CODES if c.category is category and not c.is_legacy))
        for category, label in CATEGORY_LABELS.items()
    ]
