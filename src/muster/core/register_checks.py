"""Checks on whole register rows: marks only where the pupil was on roll and the school open."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np

from muster.core import codes, slots
from muster.core.calendar import SchoolCalendar

CLOSURE_ID = codes.code("#").id


def on_roll_slots(year: int, start: dt.date, end: dt.date | None) -> np.ndarray:
    """Boolean mask of the year's slots on which an enrolment from start to end is on roll."""
    mask = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.bool_)
    first, last = slots.year_start(year), slots.year_end(year)
    lo, hi = max(start, first), min(end or last, last)
    if lo <= hi:
        mask[(lo - first).days * 2 : (hi - first).days * 2 + 2] = True
    return mask


@functools.cache
def weekday_slots(year: int) -> np.ndarray:
    """Boolean mask of the year's slots that fall on Monday to Friday."""
    first = slots.year_start(year)
    days = [(first + dt.timedelta(days=d)).weekday() < 5 for d in range(slots.SLOTS_PER_YEAR // 2)]
    mask = np.repeat(np.array(days), 2)
    mask.flags.writeable = False
    return mask


def misplaced_slots(
    row: np.ndarray, year: int, calendar: SchoolCalendar, start: dt.date, end: dt.date | None
) -> np.ndarray:
    """Slots holding a mark the register may not hold: off roll, or the school closed (other
    than `#` on a closed weekday)."""
    marked = row != codes.NO_MARK
    open_slots = calendar.open_slots(year)
    closure_ok = (row == CLOSURE_ID) & ~open_slots & weekday_slots(year)
    allowed = on_roll_slots(year, start, end) & (open_slots | closure_ok)
    return np.flatnonzero(marked & ~allowed)
