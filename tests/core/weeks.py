"""Registers written as weeks of ten sessions, for tests that read like the guidance.

Each week is a string of ten characters, Monday AM to Friday PM; `.` is no mark (a holiday or
a week off roll). `/` in a PM position is stored as `\\` (present at the afternoon register).

>>> matrix = weeks_matrix([["//////////", "G........."]])
>>> matrix.marks.shape
(1, 28)
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from muster.core import codes
from muster.core.register_matrix import RegisterMatrix

FIRST_MONDAY = dt.date(2025, 9, 1)


def week_row(weeks: list[str]) -> np.ndarray:
    row = np.zeros(len(weeks) * 14, dtype=np.uint8)
    for w, week in enumerate(weeks):
        assert len(week) == 10, f"a week has ten sessions: {week!r}"
        for s, symbol in enumerate(week):
            if symbol == ".":
                continue
            if symbol == "/" and s % 2:
                symbol = "\\"
            row[w * 14 + s] = codes.code(symbol).id
    return row


def weeks_matrix(rows: list[list[str]], units: list[int] | None = None,
                 first_monday: dt.date = FIRST_MONDAY) -> RegisterMatrix:
    """One matrix row per list of weeks; rows share a unit where `units` says so."""
    length = max(len(r) for r in rows)
    marks = np.zeros((len(rows), length * 14), dtype=np.uint8)
    for i, weeks in enumerate(rows):
        marks[i, : len(weeks) * 14] = week_row(weeks)
    unit = np.arange(len(rows)) if units is None else np.array(units)
    return RegisterMatrix(marks, first_monday, unit.astype(np.int64), int(unit.max()) + 1)


def session_at(week: int, weekday: int, pm: bool, first_monday: dt.date = FIRST_MONDAY) -> tuple[dt.date, str]:
    """The (date, AM/PM) of week number `week` (1-based), weekday 0 = Monday."""
    return first_monday + dt.timedelta(days=7 * (week - 1) + weekday), "PM" if pm else "AM"
