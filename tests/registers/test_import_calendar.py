"""Importing `calendar.csv`: formats.md, "School calendar"; `muster import calendar`: "an
unknown school URN is created"."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.exchange.csv_file import FileRejected
from muster.core.slots import Session
from muster.registers import imports
from muster.registers.models import CalendarEntry, School
from tests.registers.world import (
    ASHDOWN,
    CALENDAR_HEADER,
    CALENDAR_ROWS,
    SCHOOL_A,
    database_snapshot,
)

pytestmark = pytest.mark.django_db


def import_calendar(files, rows=CALENDAR_ROWS, name="calendar.csv"):
    return imports.import_calendar(files.write(name, CALENDAR_HEADER, rows))


def test_a_calendar_for_an_unknown_school_creates_it_with_a_notice(db, files):
    result = import_calendar(files)
    assert sorted(School.objects.values_list("urn", flat=True)) == ["310001", "310002"]
    assert result.added == len(CALENDAR_ROWS)
    assert len(result.notices) == 2
    assert result.notices[0].startswith("new school 310001: give it a name")


def test_reimporting_the_same_calendar_changes_nothing(db, files):
    import_calendar(files)
    before = database_snapshot()
    result = import_calendar(files)
    assert (result.added, result.changed, result.unchanged) == (0, 0, len(CALENDAR_ROWS))
    assert result.notices == ()
    assert database_snapshot() == before


def test_a_new_label_updates_the_entry(db, files):
    import_calendar(files)
    rows = [(SCHOOL_A, "2025-09-01", "2025-09-01", "closure", "", "Staff training")]
    result = import_calendar(files, rows, name="inset.csv")
    assert result.changed == 1
    entry = CalendarEntry.objects.get(school__urn=SCHOOL_A, kind="closure", start=dt.date(2025, 9, 1))
    assert entry.label == "Staff training"


def test_the_stored_calendar_opens_weekdays_of_term_less_closures(world):
    calendar = School.objects.get(urn=SCHOOL_A).calendar()
    assert not calendar.is_open(dt.date(2025, 9, 1), Session.AM)  # INSET
    assert calendar.is_open(dt.date(2025, 9, 2), Session.AM)
    assert not calendar.is_open(dt.date(2025, 9, 6), Session.AM)  # Saturday
    assert not calendar.is_open(dt.date(2025, 10, 22), Session.AM)  # half term
    assert calendar.is_open(dt.date(2025, 10, 17), Session.AM)
    assert not calendar.is_open(dt.date(2025, 10, 17), Session.PM)  # early close


def test_a_bad_calendar_file_changes_nothing(db, files):
    import_calendar(files)
    before = database_snapshot()
    rows = [
        ("310003", "2026-01-05", "2026-02-13", "term", "", "Spring 1"),
        (SCHOOL_A, "2026-01-05", "2026-01-05", "closure", "ALL", "INSET"),
    ]
    with pytest.raises(FileRejected) as rejected:
        import_calendar(files, rows, name="spring.csv")
    assert [(e.line, e.column) for e in rejected.value.errors] == [(3, "session")]
    assert database_snapshot() == before


def test_a_closure_on_a_day_that_already_has_marks_is_refused(world):
    # Marks on a session the calendar then closed would still count: correct them first.
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/", "", "")])
    before = database_snapshot()
    rows = [(SCHOOL_A, "2025-09-02", "2025-09-02", "closure", "", "Polling day")]
    with pytest.raises(FileRejected) as rejected:
        import_calendar(world.files, rows, name="closure.csv")
    assert "has marks on 2025-09-02 AM" in str(rejected.value.errors[0])
    assert database_snapshot() == before


def test_a_half_day_closure_beside_a_marked_morning_is_accepted(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/", "", "")])
    rows = [(SCHOOL_A, "2025-09-02", "2025-09-02", "closure", "PM", "Early close")]
    assert import_calendar(world.files, rows, name="closure.csv").added == 1
