"""Real-looking school calendars: terms, half terms, bank holidays and INSET days.

Every local authority in England sets term dates on the same pattern, and its schools follow it
with small differences of their own: autumn from 1 September with a half term in late October and
Christmas from about 19 December; spring from early January with a half term in mid February and
the Easter holiday; summer with the spring bank holiday week off, ending about 21 July. Schools
close for five INSET days a year and for bank holidays that fall in term, so a year has about 380
open sessions (reference 1, "Minimum year"). One-off bank holidays (jubilees, coronations) are
left out: the demo only needs to look right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from muster.core.calendar import CalendarEntry, EntryKind, SchoolCalendar
from muster.core.slots import SLOTS_PER_YEAR, Session, year_start

DAY = dt.timedelta(days=1)


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year + month // 12, month % 12 + 1, 1) - DAY
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    return day if day.weekday() < 5 else _on_or_after(day, 0)


def _weekday_on_or_before(day: dt.date) -> dt.date:
    return day if day.weekday() < 5 else _on_or_before(day, 4)


MONDAY, THURSDAY, FRIDAY = 0, 3, 4


def bank_holidays(year: int) -> dict[dt.date, str]:
    """England and Wales bank holidays of a calendar year, with weekend substitutes."""
    easter = easter_sunday(year)
    holidays = {
        _weekday_on_or_after(dt.date(year, 1, 1)): "New Year's Day",
        easter - 2 * DAY: "Good Friday",
        easter + DAY: "Easter Monday",
        _nth_weekday(year, 5, MONDAY, 1): "Early May bank holiday",
        _last_weekday(year, 5, MONDAY): "Spring bank holiday",
        _last_weekday(year, 8, MONDAY): "Summer bank holiday",
    }
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: both move to Monday 27 and Tuesday 28
        christmas, boxing = dt.date(year, 12, 27), dt.date(year, 12, 28)
    elif christmas.weekday() == 6:  # Sunday: Boxing Day stays on Monday 26, Christmas on Tuesday
        christmas = dt.date(year, 12, 27)
    elif boxing.weekday() == 5:  # Friday Christmas: Boxing Day moves to Monday 28
        boxing = dt.date(year, 12, 28)
    holidays[christmas] = "Christmas Day"
    holidays[boxing] = "Boxing Day"
    return holidays


class EasterHoliday(StrEnum):
    """How an authority places the spring holiday."""

    AROUND_EASTER = "around-easter"
    """The week before Easter Sunday and the week after: Good Friday and Easter Monday fall in it."""
    FIXED_APRIL = "fixed-april"
    """The first two full weeks of April whatever the date of Easter (some authorities do this);
    Good Friday or Easter Monday may then fall in term and close the schools."""


@dataclass(frozen=True)
class TermPattern:
    """The term-date pattern a local authority publishes for its schools."""

    october_half_term_weeks_before_end: int = 0
    """0: the week of the last Monday of October; 1: the week before it."""
    easter: EasterHoliday = EasterHoliday.AROUND_EASTER


@dataclass(frozen=True)
class Term:
    label: str
    start: dt.date
    end: dt.date


def terms(year: int, pattern: TermPattern, *, summer_end_shift: int = 0) -> list[Term]:
    """The six half terms of academic year `year` (starting 1 August `year`)."""
    autumn_start = _weekday_on_or_after(dt.date(year, 9, 1))
    october = _last_weekday(year, 10, MONDAY) - dt.timedelta(
        weeks=pattern.october_half_term_weeks_before_end
    )
    christmas = _on_or_before(dt.date(year, 12, 20), FRIDAY)
    spring_start = _on_or_after(dt.date(year + 1, 1, 4), MONDAY)
    february = _nth_weekday(year + 1, 2, MONDAY, 3)
    if pattern.easter is EasterHoliday.AROUND_EASTER:
        easter_break = easter_sunday(year + 1) - dt.timedelta(days=6)
    else:
        easter_break = _nth_weekday(year + 1, 4, MONDAY, 1)
    whitsun = _last_weekday(year + 1, 5, MONDAY)
    summer_end = _weekday_on_or_before(dt.date(year + 1, 7, 21) + dt.timedelta(days=summer_end_shift))
    return [
        Term("Autumn 1", autumn_start, october - 3 * DAY),
        Term("Autumn 2", october + 7 * DAY, christmas),
        Term("Spring 1", spring_start, february - 3 * DAY),
        Term("Spring 2", february + 7 * DAY, easter_break - 3 * DAY),
        Term("Summer 1", easter_break + 14 * DAY, whitsun - 3 * DAY),
        Term("Summer 2", whitsun + 7 * DAY, summer_end),
    ]


def _school_days(term: Term) -> list[dt.date]:
    days, day = [], term.start
    while day <= term.end:
        if day.weekday() < 5:
            days.append(day)
        day += DAY
    return days


@dataclass(frozen=True)
class SchoolHabits:
    """What one school does differently from its authority's pattern."""

    summer_end_shift: int = 0
    inset_choices: tuple[str, ...] = ("sept-2", "jan-1", "oct-friday", "jul-last")
    """Besides the first day of September, four of: sept-2, jan-1, oct-friday, nov-monday,
    feb-friday, jun-monday, jul-last."""
    half_day_inset: bool = False
    """One INSET day taken as two afternoons (the last afternoons of autumn and spring)."""
    polling_station: bool = False
    """Closed on the first Thursday in May, when the hall is a polling station."""


def school_year_entries(year: int, pattern: TermPattern, habits: SchoolHabits) -> list[CalendarEntry]:
    """Terms and planned closures of one school for academic year `year`."""
    half_terms = terms(year, pattern, summer_end_shift=habits.summer_end_shift)
    entries = [CalendarEntry(t.start, t.end, EntryKind.TERM, label=t.label) for t in half_terms]
    school_days = {t.label: _school_days(t) for t in half_terms}
    insets = _inset_days(school_days, habits)
    for day in insets:
        entries.append(CalendarEntry(day, day, EntryKind.CLOSURE, label="INSET day"))
    if habits.half_day_inset:
        for label in ("Autumn 2", "Spring 2"):
            last = school_days[label][-1]
            entries.append(
                CalendarEntry(last, last, EntryKind.CLOSURE, Session.PM, "INSET (half day)")
            )
    in_term = {d for days in school_days.values() for d in days}
    holidays = bank_holidays(year) | bank_holidays(year + 1)
    for day, name in sorted(holidays.items()):
        if day in in_term and day not in insets:
            entries.append(CalendarEntry(day, day, EntryKind.CLOSURE, label=name))
    polling = _nth_weekday(year + 1, 5, THURSDAY, 1)
    if habits.polling_station and polling in in_term and polling not in insets:
        entries.append(CalendarEntry(polling, polling, EntryKind.CLOSURE, label="Polling station"))
    return sorted(entries, key=lambda e: (e.start, e.kind, e.session or ""))


def _inset_days(school_days: dict[str, list[dt.date]], habits: SchoolHabits) -> list[dt.date]:
    candidates = {
        "sept-2": school_days["Autumn 1"][1],
        "jan-1": school_days["Spring 1"][0],
        "oct-friday": school_days["Autumn 1"][-1],
        "nov-monday": school_days["Autumn 2"][0],
        "feb-friday": school_days["Spring 1"][-1],
        "jun-monday": school_days["Summer 2"][0],
        "jul-last": school_days["Summer 2"][-1],
    }
    wanted = 4 if not habits.half_day_inset else 3
    chosen = [school_days["Autumn 1"][0]] + [candidates[c] for c in habits.inset_choices[:wanted]]
    return sorted(set(chosen))


def school_calendar(
    years: range | list[int], pattern: TermPattern, habits: SchoolHabits
) -> SchoolCalendar:
    entries: list[CalendarEntry] = []
    for year in years:
        entries.extend(school_year_entries(year, pattern, habits))
    return SchoolCalendar.build(entries)


def closure_slots(calendar: SchoolCalendar, year: int) -> np.ndarray:
    """Boolean mask of the year's slots closed by a planned closure on a weekday in term: where a
    register may hold `#` (reference 2.1)."""
    mask = np.zeros(SLOTS_PER_YEAR, dtype=np.bool_)
    start = year_start(year)
    for entry in calendar.entries:
        if EntryKind(entry.kind) is not EntryKind.CLOSURE:
            continue
        day = max(entry.start, start)
        while day <= entry.end and (day - start).days < SLOTS_PER_YEAR // 2:
            if day.weekday() < 5:
                a = (day - start).days * 2
                if entry.session is None:
                    mask[a : a + 2] = True
                else:
                    mask[a + Session(entry.session).offset] = True
            day += DAY
    return mask & ~calendar.open_slots(year)
