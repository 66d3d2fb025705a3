"""A register year laid out as a person reads it: a row per week, Monday to Friday, AM and PM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from muster.core import codes, slots


@dataclass(frozen=True)
class Cell:
    symbol: str
    category: str
    title: str


@dataclass(frozen=True)
class Week:
    monday: dt.date
    cells: tuple[Cell | None, ...]
    """Ten cells, Monday AM to Friday PM; None for days outside the academic year."""


def weeks_of(
    year: int, marks: np.ndarray, open_slots: np.ndarray | None = None, today: dt.date | None = None
) -> list[Week]:
    """Weeks with a mark, or with an open session due by `today` and not yet marked."""
    first = slots.year_start(year)
    last = slots.year_end(year)
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        cells: list[Cell | None] = []
        for weekday in range(5):
            day = monday + dt.timedelta(days=weekday)
            for session in slots.Session:
                if not first <= day <= last:
                    cells.append(None)
                    continue
                slot = slots.slot_of(day, session)[1]
                code_id = int(marks[slot])
                title = f"{day:%a %d %b %Y} {session}"
                if code_id == codes.NO_MARK:
                    is_open = open_slots is not None and bool(open_slots[slot])
                    if is_open and (today is None or day <= today):
                        cells.append(Cell("", "missing", f"{title}: no mark yet"))
                    elif is_open:
                        cells.append(Cell("", "future", f"{title}: to come"))
                    else:
                        cells.append(Cell("", "none", f"{title}: no session"))
                else:
                    code = codes.BY_ID[code_id]
                    cells.append(Cell(code.symbol, code.category.value, f"{title}: {code.symbol} {code.meaning}"))
        if any(c is not None and c.category != "none" for c in cells):
            weeks.append(Week(monday, tuple(cells)))
        monday += dt.timedelta(days=7)
    return weeks
