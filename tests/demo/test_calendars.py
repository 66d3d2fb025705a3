"""The demo's school calendars look like English ones (muster.demo.calendars)."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.calendar import EntryKind
from muster.core.slots import Session
from muster.demo import schools
from muster.demo.calendars import (
    EasterHoliday,
    SchoolHabits,
    TermPattern,
    bank_holidays,
    easter_sunday,
    school_calendar,
    school_year_entries,
    terms,
)

D = dt.date


def test_easter_sunday_matches_the_published_dates():
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027)] == [
        D(2024, 3, 31), D(2025, 4, 20), D(2026, 4, 5), D(2027, 3, 28)
    ]


def test_bank_holidays_of_2026_with_the_boxing_day_substitute():
    # gov.uk/bank-holidays, England and Wales 2026: Boxing Day falls on a Saturday.
    assert sorted(bank_holidays(2026)) == [
        D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
        D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
    ]


def test_the_half_terms_of_2025_26_fall_where_english_schools_have_them():
    dates = {t.label: (t.start, t.end) for t in terms(2025, TermPattern())}
    assert dates == {
        "Autumn 1": (D(2025, 9, 1), D(2025, 10, 24)),
        "Autumn 2": (D(2025, 11, 3), D(2025, 12, 19)),
        "Spring 1": (D(2026, 1, 5), D(2026, 2, 13)),
        "Spring 2": (D(2026, 2, 23), D(2026, 3, 27)),
        "Summer 1": (D(2026, 4, 13), D(2026, 5, 22)),
        "Summer 2": (D(2026, 6, 1), D(2026, 7, 21)),
    }


@pytest.mark.parametrize("year", range(2023, 2029))
@pytest.mark.parametrize("school", schools.SCHOOLS, ids=lambda s: s.urn)
def test_every_school_opens_for_about_380_sessions_with_five_inset_days(year, school):
    pattern = schools.AUTHORITY_OF[school.la_code].pattern
    entries = school_year_entries(year, pattern, school.habits)
    insets = [e for e in entries if e.label.startswith("INSET")]
    whole_days = [e for e in insets if e.session is None]
    half_days = [e for e in insets if e.session is not None]
    assert len(whole_days) + len(half_days) / 2 == 5
    open_sessions = int(school_calendar([year], pattern, school.habits).open_slots(year).sum())
    assert 366 <= open_sessions <= 392


def test_early_may_bank_holiday_closes_the_school_and_the_spring_one_is_in_half_term():
    calendar = school_calendar([2025], TermPattern(), SchoolHabits())
    assert calendar.why_closed(D(2026, 5, 4), Session.AM) == "a planned closure (Early May bank holiday)"
    assert calendar.why_closed(D(2026, 5, 25), Session.AM) == "not in term time (holiday)"


def test_an_authority_with_a_fixed_april_break_closes_for_good_friday_in_term():
    calendar = school_calendar([2025], TermPattern(easter=EasterHoliday.FIXED_APRIL), SchoolHabits())
    assert calendar.why_closed(D(2026, 4, 3), Session.PM) == "a planned closure (Good Friday)"


def test_a_half_day_inset_closes_only_the_afternoon():
    calendar = school_calendar([2025], TermPattern(), SchoolHabits(half_day_inset=True))
    assert calendar.is_open(D(2025, 12, 19), Session.AM)
    assert not calendar.is_open(D(2025, 12, 19), Session.PM)


def test_schools_of_one_authority_differ_a_little():
    home = [s for s in schools.SCHOOLS if s.la_code == schools.HOME.code]
    masks = {school_calendar([2025], schools.HOME.pattern, s.habits).open_slots(2025).tobytes() for s in home}
    assert len(masks) > 3
    closures = [
        e for s in home for e in school_year_entries(2025, schools.HOME.pattern, s.habits)
        if e.kind is EntryKind.CLOSURE
    ]
    assert {e.label for e in closures} >= {"INSET day", "Early May bank holiday", "Polling station"}
