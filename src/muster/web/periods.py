"""Periods a page reports over: the academic year to date, or a range the person chooses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from muster.core import slots


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @classmethod
    def academic_year(cls, year: int, today: dt.date) -> Period:
        """The academic year, up to today if it is the current one."""
        return cls(slots.year_start(year), min(slots.year_end(year), today))

    @classmethod
    def year_to_date(cls, today: dt.date) -> Period:
        return cls.academic_year(slots.academic_year(today), today)

    def __str__(self) -> str:
        return f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def period_from(query, *, default: Period | None, within: dt.date) -> tuple[Period | None, list[FieldError]]:
    """The range in `from` and `to` (YYYY-MM-DD, as a date input sends it), with errors that
    name the field; `default` when neither is given."""
    raw_first, raw_last = query.get("from", "").strip(), query.get("to", "").strip()
    if not raw_first and not raw_last:
        return default, []
    errors = []
    first = _date(raw_first, "from", "Enter the first day of the range", errors)
    last = _date(raw_last, "to", "Enter the last day of the range", errors)
    if errors:
        return default, errors
    if first > last:
        return default, [FieldError("to", "The last day must be the same as or after the first day")]
    if last > within:
        return default, [FieldError("to", f"The last day must be today ({within:%-d %B %Y}) or earlier")]
    if (last - first).days > 366 * 2:
        return default, [FieldError("from", "Choose a range of at most two years")]
    return Period(first, last), []


def _date(raw: str, field: str, missing: str, errors: list[FieldError]) -> dt.date | None:
    if not raw:
        errors.append(FieldError(field, missing))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(field, f"{missing} as a real date, for example 2026-09-01"))
        return None
