"""Small improvements staff can praise (seed 004 lines 248-250: "Recognise the small
improvements"): this week's attendance against the four weeks before, and runs of school days
present at every possible session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from muster.core import codes
from muster.core.register_matrix import RegisterMatrix

_CATEGORY = np.array([codes.category_of_id(i) for i in range(256)], dtype=object)
POSSIBLE = np.array([c is not None and c.is_possible for c in _CATEGORY])
ATTENDED = np.array([c is not None and c.is_attendance for c in _CATEGORY])
COMPARED_WEEKS = 4


@dataclass(frozen=True)
class Improvement:
    this_week: Fraction | None
    """Attendance % this school week (Monday to the day), exact; None: no possible session."""
    last_weeks: Fraction | None
    """Attendance % over the four weeks before, pooled."""
    best_run: int
    """Most consecutive school days present at every possible session, in the period read."""
    current_run: int
    """The run ending on the day (0 if the last school day was missed)."""

    @property
    def improved(self) -> bool:
        return self.this_week is not None and self.last_weeks is not None and self.this_week > self.last_weeks

    def describe(self) -> str:
        def pct(value: Fraction | None) -> str:
            return "no sessions" if value is None else f"{float(value):.0f}%"
        text = f"this week {pct(self.this_week)} against {pct(self.last_weeks)} the four weeks before"
        if self.improved:
            text += " (better: praise it)"
        return f"{text}; best run {self.best_run} day(s) present, current run {self.current_run}"


def _pct(attended: int, possible: int) -> Fraction | None:
    return Fraction(attended * 100, possible) if possible else None


def small_improvements(matrix: RegisterMatrix, unit: int, on: dt.date, since: dt.date) -> Improvement:
    """For the unit (pupil) of the matrix: weeks are Monday-to-Sunday, their sessions counted over
    every row of the pupil as the figures engine pools them (reference 0, dual registration); runs
    count school days with a possible session at any school, from `since` to `on` (days with none
    neither break nor extend a run), a day being present when every possible session was attended
    somewhere."""
    rows = matrix.marks[matrix.unit == unit]
    attended, possible = ATTENDED[rows], POSSIBLE[rows]
    monday = on - dt.timedelta(days=on.weekday())

    def rate(first: dt.date, last: dt.date) -> Fraction | None:
        start, end = matrix.slot_range(first, last)
        return _pct(int(attended[:, start:end].sum()), int(possible[:, start:end].sum()))

    this_week = rate(monday, on)
    last_weeks = rate(monday - dt.timedelta(weeks=COMPARED_WEEKS), monday - dt.timedelta(days=1))
    start, end = matrix.slot_range(since, on)
    slot_possible = possible[:, start:end].any(axis=0)
    slot_attended = attended[:, start:end].any(axis=0)
    days_possible = slot_possible.reshape(-1, 2)
    present = (slot_attended.reshape(-1, 2) | ~days_possible).all(axis=1)
    best = current = 0
    for day_present in present[days_possible.any(axis=1)]:
        current = current + 1 if day_present else 0
        best = max(best, current)
    return Improvement(this_week, last_weeks, best, current)
