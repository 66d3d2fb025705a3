"""A school's year of approved educational activities, the same days for a whole year group.

Trips are planned for a year group, not a pupil: a day's visit (`V`) for every year group, a
Year 6 residential in the summer term, a week of work experience (`W`) for Year 10 and visit days
(`B`) for older pupils. These count as attendance (reference 2.1, AEA), so they change the codes
a register holds but not the attendance rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from muster.core import codes
from muster.core.calendar import SchoolCalendar
from muster.core.slots import year_start
from muster.demo.calendars import closure_slots

V, W, B = codes.code("V").id, codes.code("W").id, codes.code("B").id


@dataclass(frozen=True)
class Activity:
    days: np.ndarray
    """Day numbers in the academic year (0 = 1 August)."""
    code_id: int
    share: float
    """The share of the year group that goes."""


@dataclass(frozen=True)
class SchoolYear:
    """What is the same for every pupil of one school in one academic year."""

    urn: str
    year: int
    open_slots: np.ndarray
    closure_slots: np.ndarray
    late_window: int
    """Minutes between the morning register opening and closing: later is `U`."""
    activities: dict[int, list[Activity]] = field(default_factory=dict)
    """By national curriculum year."""
    observance_day: int = -1
    """A religious festival in term (`R` for the pupils who keep it)."""


def whole_days(open_slots: np.ndarray) -> np.ndarray:
    """Days (0 = 1 August) on which both sessions are open."""
    pairs = open_slots.reshape(-1, 2)
    return np.flatnonzero(pairs[:, 0] & pairs[:, 1])


def _months(year: int, days: np.ndarray, months: tuple[int, ...]) -> np.ndarray:
    first = year_start(year)
    wanted = np.array([(first + dt.timedelta(days=int(d))).month in months for d in days], dtype=bool)
    return days[wanted] if len(days) else days


def _run(rng: np.random.Generator, days: np.ndarray, length: int) -> np.ndarray:
    """`length` open days in a row with no weekend or holiday between (empty if none fit)."""
    runs = [i for i in range(len(days) - length + 1) if days[i + length - 1] - days[i] == length - 1]
    if not runs:
        return days[:0]
    i = runs[int(rng.integers(len(runs)))]
    return days[i : i + length]


def plan_school_year(
    rng: np.random.Generator, urn: str, year: int, calendar: SchoolCalendar, nc_years: tuple[int, ...],
    late_window: int,
) -> SchoolYear:
    open_slots = calendar.open_slots(year)
    days = whole_days(open_slots)
    activities: dict[int, list[Activity]] = {}
    for nc in nc_years:
        trips = rng.choice(days, size=min(len(days), 2), replace=False) if len(days) else days
        activities[nc] = [Activity(np.sort(trips), V, 0.95)]
    summer = _months(year, days, (5, 6))
    if 6 in nc_years:
        activities[6].append(Activity(_run(rng, summer, 3), V, 0.85))
    if 10 in nc_years:
        activities[10].append(Activity(_run(rng, _months(year, days, (6, 7)), 5), W, 0.9))
    for nc, share in ((9, 0.2), (11, 0.3), (12, 0.5), (13, 0.5)):
        if nc in nc_years and len(days):
            activities[nc].append(Activity(rng.choice(days, size=1), B, share))
    spring = _months(year, days, (3, 4, 5))
    observance = int(rng.choice(spring)) if len(spring) else -1
    return SchoolYear(urn, year, open_slots, closure_slots(calendar, year), late_window, activities,
                      observance)
