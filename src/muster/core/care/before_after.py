"""A plan's attendance before and after it was agreed, measured from the marks by the one
figures engine, never typed in (issue 5, item 2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from muster.core import figures
from muster.core.register_matrix import RegisterMatrix


@dataclass(frozen=True)
class Attendance:
    first: dt.date
    last: dt.date
    attended: int
    possible: int

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.attended * 100, self.possible) if self.possible else None

    @property
    def percent(self) -> float | None:
        """For display only; compare `fraction`."""
        return float(self.fraction) if self.possible else None

    def __str__(self) -> str:
        if not self.possible:
            return f"no possible sessions {self.first:%d %b %Y} to {self.last:%d %b %Y}"
        return (f"{self.percent:.1f}% ({self.attended}/{self.possible} sessions, "
                f"{self.first:%d %b %Y} to {self.last:%d %b %Y})")


@dataclass(frozen=True)
class BeforeAfter:
    before: Attendance
    after: Attendance

    @property
    def change_points(self) -> Fraction | None:
        if self.before.fraction is None or self.after.fraction is None:
            return None
        return self.after.fraction - self.before.fraction


def attendance(matrix: RegisterMatrix, unit: int, first: dt.date, last: dt.date) -> Attendance:
    counts = figures.compute(matrix, first, last)
    return Attendance(first, last, int(counts.attended[unit]), int(counts.possible[unit]))


def before_after(matrix: RegisterMatrix, unit: int, agreed_on: dt.date, reviewed_on: dt.date,
                 baseline_weeks: int) -> BeforeAfter:
    """Before: the `baseline_weeks` to the day before the plan was agreed. After: from the day
    it was agreed to the review."""
    if reviewed_on < agreed_on:
        raise ValueError(f"the review ({reviewed_on}) is before the plan was agreed ({agreed_on})")
    before_first = agreed_on - dt.timedelta(weeks=baseline_weeks)
    return BeforeAfter(
        before=attendance(matrix, unit, before_first, agreed_on - dt.timedelta(days=1)),
        after=attendance(matrix, unit, agreed_on, reviewed_on),
    )
