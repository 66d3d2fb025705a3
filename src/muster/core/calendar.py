"""A school's calendar: which sessions the school is open for.

A school is open on the weekdays of its terms, except planned closures (INSET days, bank holidays,
polling days), which may close one session only (formats.md, calendar.csv). Marks can only be
recorded for open sessions; `#` marks the closed ones (reference 2.1).

>>> cal = SchoolCalendar.build([
...     CalendarEntry(dt.date(2025, 9, 3), dt.date(2025, 10, 24), "term"),
...     CalendarEntry(dt.date(2025, 9, 3), dt.date(2025, 9, 3), "closure", label="INSET"),
... ])
>>> cal.is_open(dt.date(2025, 9, 3), Session.AM), cal.is_open(dt.date(2025, 9, 4), Session.PM)
(False, True)
>>> cal.why_closed(dt.date(2025, 9, 6), Session.AM)
'a Saturday'
>>> cal.why_closed(dt.date(2025, 10, 29), Session.AM)
'not in term time (holiday)'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from muster.core.slots import (
    SLOTS_PER_YEAR,
    Session,
    academic_year,
    days_in_year,
    slot_of,
    year_start,
)


class EntryKind(StrEnum):
    TERM = "term"
    CLOSURE = "closure"


@dataclass(frozen=True)
class CalendarEntry:
    start: dt.date
    end: dt.date
    kind: EntryKind | str
    session: Session | None = None
    label: str = ""


@dataclass(frozen=True)
class SchoolCalendar:
    entries: tuple[CalendarEntry, ...]
    _open: dict[int, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, entries: Iterable[CalendarEntry]) -> SchoolCalendar:
        return cls(tuple(entries))

    def open_slots(self, year: int) -> np.ndarray:
        """Boolean mask over the year's 732 slots: True where the school is open."""
        if year not in self._open:
            self._open[year] = self._compute_open(year)
        return self._open[year]

    def _compute_open(self, year: int) -> np.ndarray:
        start = year_start(year)
        n_days = days_in_year(year)
        days = np.zeros(SLOTS_PER_YEAR // 2, dtype=np.bool_)
        closed = np.zeros(SLOTS_PER_YEAR, dtype=np.bool_)
        for entry in self.entries:
            first = max(entry.start, start)
            last = min(entry.end, start + dt.timedelta(days=n_days - 1))
            if first > last:
                continue
            a, b = (first - start).days, (last - start).days + 1
            if EntryKind(entry.kind) is EntryKind.TERM:
                days[a:b] = True
            elif entry.session is None:
                closed[2 * a : 2 * b] = True
            else:
                closed[2 * a + Session(entry.session).offset : 2 * b : 2] = True
        weekday = np.array(
            [(start + dt.timedelta(days=d)).weekday() < 5 for d in range(SLOTS_PER_YEAR // 2)]
        )
        open_days = days & weekday
        open_days[n_days:] = False
        return np.repeat(open_days, 2) & ~closed

    def is_open(self, day: dt.date, session: Session) -> bool:
        year, slot = slot_of(day, session)
        return bool(self.open_slots(year)[slot])

    def why_closed(self, day: dt.date, session: Session) -> str | None:
        """None when open; otherwise the reason in words, for import errors."""
        if self.is_open(day, session):
            return None
        if day.weekday() >= 5:
            return f"a {day:%A}"
        for entry in self.entries:
            closes_day = EntryKind(entry.kind) is EntryKind.CLOSURE and entry.start <= day <= entry.end
            if closes_day and (entry.session is None or Session(entry.session) is session):
                label = f" ({entry.label})" if entry.label else ""
                return f"a planned closure{label}"
        return "not in term time (holiday)"

    def school_day_after(self, day: dt.date, school_days: int) -> dt.date:
        """The `school_days`-th day after `day` with an open session: a task due "within 5
        school days" of a Friday before half term is due after the holiday, not during it."""
        found, current = 0, day
        for _ in range(400):
            current += dt.timedelta(days=1)
            year, slot = slot_of(current, Session.AM)
            if self.open_slots(year)[slot] or self.open_slots(year)[slot + 1]:
                found += 1
                if found == school_days:
                    return current
        raise ValueError(f"no {school_days} school days after {day} in the calendar")

    def school_days_between(self, after: dt.date, through: dt.date) -> int:
        """School days (days with an open session) after `after` up to and including `through`."""
        total = 0
        for year in range(academic_year(after), academic_year(through) + 1):
            open_slots = self.open_slots(year)
            open_days = open_slots[0::2] | open_slots[1::2]
            lo = max((after - year_start(year)).days + 1, 0)
            hi = min((through - year_start(year)).days + 1, len(open_days))
            if lo < hi:
                total += int(open_days[lo:hi].sum())
        return total

    def has_term(self, first: dt.date, last: dt.date) -> bool:
        """Whether a term is entered for any of the school years from `first` to `last`."""
        return any(self.open_slots(year).any() for year in range(academic_year(first), academic_year(last) + 1))

    def open_sessions_between(self, first: dt.date, last: dt.date) -> int:
        """Open sessions from first to last inclusive."""
        total = 0
        for year in range(academic_year(first), academic_year(last) + 1):
            mask = self.open_slots(year)
            lo = slot_of(max(first, year_start(year)), Session.AM)[1] if first > year_start(year) else 0
            hi_day = min(last, year_start(year + 1) - dt.timedelta(days=1))
            hi = slot_of(hi_day, Session.PM)[1] + 1
            total += int(mask[lo:hi].sum())
        return total
