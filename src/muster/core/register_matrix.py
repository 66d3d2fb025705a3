"""Many registers side by side: the input of the figures engine.

A register matrix is a rows x slots array of code ids (`muster.core.codes`) over one timeline of
consecutive days, two slots a day, starting on `first_day`. A row is one enrolment's register
(possibly several academic years joined end to end); each row belongs to a *unit*, the thing
figures are reported for: a pupil (pooling every school they are registered at, reference 0,
dual registration) or an enrolment (DfE statistics count enrolments, reference 3.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from muster.core.slots import EPOCH_MONDAY, Session


@dataclass(frozen=True)
class RegisterMatrix:
    marks: np.ndarray
    """uint8 (rows, slots), C-contiguous."""
    first_day: dt.date
    unit: np.ndarray
    """int64 (rows,): the unit each row belongs to, 0 <= unit < n_units."""
    n_units: int

    def __post_init__(self) -> None:
        if self.marks.dtype != np.uint8 or self.marks.ndim != 2:
            raise ValueError("marks must be a 2-D uint8 array")
        if self.unit.shape != (self.marks.shape[0],):
            raise ValueError("one unit per row is needed")
        if self.marks.shape[1] % 2:
            raise ValueError("a timeline has two slots a day")

    @classmethod
    def one_row_per_unit(cls, marks: np.ndarray, first_day: dt.date) -> RegisterMatrix:
        n = marks.shape[0]
        return cls(np.ascontiguousarray(marks), first_day, np.arange(n, dtype=np.int64), n)

    @property
    def n_slots(self) -> int:
        return int(self.marks.shape[1])

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.n_slots // 2 - 1)

    def slot(self, day: dt.date, session: Session = Session.AM) -> int:
        return (day - self.first_day).days * 2 + session.offset

    def slot_range(self, first: dt.date, last: dt.date) -> tuple[int, int]:
        """Slots [start, end) covering the days first..last inclusive, clipped to the timeline."""
        start = max(0, self.slot(first))
        end = min(self.n_slots, self.slot(last, Session.PM) + 1)
        return start, max(start, end)

    def day_of_slot(self, slot: int) -> dt.date:
        return self.first_day + dt.timedelta(days=slot // 2)

    def session_of_slot(self, slot: int) -> Session:
        return Session.AM if slot % 2 == 0 else Session.PM

    @property
    def first_day_number(self) -> int:
        """Days from EPOCH_MONDAY to first_day: week of slot j is (this + j // 2) // 7."""
        return (self.first_day - EPOCH_MONDAY).days
