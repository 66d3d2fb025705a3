"""Where each session lives in the compact register.

A register year holds one byte per session slot: two slots (AM, PM) for every calendar day from
1 August to 31 July, weekends and holidays included, so a school can change its calendar without
rewriting marks. 366 days x 2 = 732 slots; in a year without 29 February the last two are unused.
The academic year runs 1 August to 31 July as in the DfE census (reference 3.2).

>>> slot_of(dt.date(2025, 9, 4), Session.PM)
(2025, 69)
>>> date_of(2025, 69)
(datetime.date(2025, 9, 4), <Session.PM: 'PM'>)
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import numpy as np

SLOTS_PER_YEAR = 732
DAYS_PER_YEAR_MAX = 366


class Session(StrEnum):
    AM = "AM"
    PM = "PM"

    @property
    def offset(self) -> int:
        return 0 if self is Session.AM else 1


def academic_year(day: dt.date) -> int:
    """The academic year a day belongs to, named by its starting calendar year."""
    return day.year if day.month >= 8 else day.year - 1


def year_start(year: int) -> dt.date:
    return dt.date(year, 8, 1)


def year_end(year: int) -> dt.date:
    """The last day of the academic year (inclusive)."""
    return dt.date(year + 1, 7, 31)


def days_in_year(year: int) -> int:
    return (year_start(year + 1) - year_start(year)).days


def slot_of(day: dt.date, session: Session) -> tuple[int, int]:
    year = academic_year(day)
    return year, (day - year_start(year)).days * 2 + session.offset


def date_of(year: int, slot: int) -> tuple[dt.date, Session]:
    day = year_start(year) + dt.timedelta(days=slot // 2)
    return day, (Session.AM if slot % 2 == 0 else Session.PM)


def years_between(first: dt.date, last: dt.date) -> range:
    return range(academic_year(first), academic_year(last) + 1)


EPOCH_MONDAY = dt.date(1970, 1, 5)
"""Week numbers count Monday-to-Sunday weeks from this Monday (reference 0, "School week")."""


def week_number(day: dt.date) -> int:
    return (day - EPOCH_MONDAY).days // 7


def slot_days(first_day: dt.date, n_slots: int) -> np.ndarray:
    """Day number (days since EPOCH_MONDAY) of each slot of a timeline starting on first_day."""
    start = (first_day - EPOCH_MONDAY).days
    return start + np.arange(n_slots, dtype=np.int64) // 2


def weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Friday from first to last inclusive: the days registers may be taken on, and
    so the days a daily run (`muster evaluate --from --to`) looks at."""
    days = np.arange(np.datetime64(first), np.datetime64(last) + np.timedelta64(1, "D"))
    return [d.astype(dt.date) for d in days[np.is_busday(days)]]
