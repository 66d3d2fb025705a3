"""The register retention rule and what anonymising a leaver's record turns each identifier into.

Every register entry must be kept for at least six years (SI 2024/208, explanatory note; domain
reference 1 "Retention", 0 "Register retention"). The period is dated policy data,
`policies/national/retention/register_years.yaml`, so a change in the law is a new entry.

A leaver's record is kept whole until the period has passed since their last day on roll, then
anonymised: what identifies the child goes, the marks and figures stay for statistics.

>>> retention_ends(dt.date(2019, 7, 19), 6)
datetime.date(2025, 7, 19)
>>> retention_ends(dt.date(2020, 2, 29), 6)
datetime.date(2026, 2, 28)
>>> school_year_start(dt.date(2014, 3, 9)), school_year_start(dt.date(2014, 9, 1))
(datetime.date(2013, 9, 1), datetime.date(2014, 9, 1))
>>> anonymised_upn(42)
'SANON00000042'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from muster.core.parameters import national
from muster.registers.models import ANONYMISED_UPN_PREFIX

ANONYMISED_SURNAME = "Anonymised"
ANONYMISED_FORENAME = "Pupil"
"""Neutral placeholders for the legal names; the preferred name is left blank."""



@dataclass(frozen=True)
class RetentionPeriod:
    years: int
    reference: str
    in_force_from: dt.date

    @classmethod
    def national(cls, on: dt.date) -> RetentionPeriod:
        """The register retention period in force on a day (SI 2024/208; reference 1)."""
        entry = national("retention", "register_years").entry_on(on)
        if entry is None:
            raise ValueError(f"no register retention period was in force on {on}")
        return cls(int(entry.value), entry.reference, entry.start)

    def kept_until(self, last_day_on_roll: dt.date) -> dt.date:
        """The last day a leaver's record is kept whole: "at least six years" after their last
        day on roll, so on the sixth anniversary it is still kept."""
        return retention_ends(last_day_on_roll, self.years)

    def has_passed(self, last_day_on_roll: dt.date, on: dt.date) -> bool:
        return self.kept_until(last_day_on_roll) < on

    def earliest_kept(self, on: dt.date) -> dt.date:
        """No leaver whose last day on roll is after this has passed retention on `on` (for
        a database filter; `has_passed` decides the day itself)."""
        return retention_ends(on, -self.years)


def retention_ends(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def school_year_start(date_of_birth: dt.date) -> dt.date:
    """1 September of the school year a child was born in (1 September to 31 August).

    Children born in one such year share a national curriculum year, so an anonymised record
    still falls in the right cohort; the year of birth alone would move a child born from
    January to August into the cohort above.
    """
    year = date_of_birth.year if date_of_birth.month >= 9 else date_of_birth.year - 1
    return dt.date(year, 9, 1)


def anonymised_upn(pupil_id: int) -> str:
    """A unique UPN for an anonymised pupil, from the record's own id, never from the real UPN."""
    if not 0 < pupil_id < 10**8:
        raise ValueError(f"pupil id {pupil_id} does not fit an anonymised UPN")
    return f"{ANONYMISED_UPN_PREFIX}{pupil_id:08d}"
