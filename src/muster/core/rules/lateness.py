"""Late arrivals: L or U from the arrival time and the school's register times.

Sources: domain reference 1 ("Late before close": a pupil absent when the register begins who
arrives before it closes is `L`, present; "Late after close": arriving after the register has
closed but before the session ends is `U`, unauthorised absence) and section 0 ("`late` in
reports": `L` is arrived before the register closed; `U` keeps its minutes late); seed 002
lines 150-158 ("Registration closes: 9.15am ... if your child arrives after that time, they
will receive a mark ... 'U'").

The close minute itself: seed 002 closes the register "at 9.15am" and gives `U` to arrivals
"after that time", so an arrival stamped 9:15 (any second of that minute) is still `L`; the
first `U` minute is 9:16. Times are compared to the minute, as registers record them.
Minutes late are counted from the time the register opens (reference 1: "absent when the
register begins").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from muster.core import codes
from muster.core.register_matrix import RegisterMatrix

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


@dataclass(frozen=True)
class Arrival:
    code: str
    """`/` or `\\` on time, `L` late before the register closed, `U` after it closed."""
    minutes_late: int


def _minute(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def arrival_mark(arrived: dt.time, opens: dt.time, closes: dt.time, *, afternoon: bool = False) -> Arrival:
    """The mark for a pupil who arrives at `arrived` when the register runs `opens`-`closes`."""
    if _minute(closes) < _minute(opens):
        raise ValueError(f"the register closes ({closes:%H:%M}) before it opens ({opens:%H:%M})")
    late = _minute(arrived) - _minute(opens)
    if late <= 0:
        return Arrival("\\" if afternoon else "/", 0)
    if _minute(arrived) <= _minute(closes):
        return Arrival("L", late)
    return Arrival("U", late)


@dataclass(frozen=True)
class WeekdayLateness:
    weekday: str
    late_before_close: int
    """`L` sessions on this weekday."""
    late_after_close: int
    """`U` sessions on this weekday."""


def lateness_by_weekday(matrix: RegisterMatrix, start: int = 0, end: int | None = None) -> np.ndarray:
    """Units x 5 weekdays x 2 (L, U): late sessions in [start, end), rows pooled per unit."""
    end = matrix.n_slots if end is None else end
    block = matrix.marks[:, start:end]
    weekday = ((matrix.first_day.weekday() + (start + np.arange(end - start)) // 2) % 7)
    result = np.zeros((matrix.n_units, 5, 2), dtype=np.int64)
    for k, symbol in enumerate(("L", "U")):
        hit = block == codes.code(symbol).id
        for d in range(5):
            per_row = hit[:, weekday == d].sum(axis=1)
            np.add.at(result[:, d, k], matrix.unit, per_row)
    return result


def weekday_pattern(counts: np.ndarray) -> list[WeekdayLateness]:
    """One unit's row of `lateness_by_weekday`, Monday to Friday, in words."""
    return [
        WeekdayLateness(WEEKDAYS[d], int(counts[d, 0]), int(counts[d, 1])) for d in range(5)
    ]
