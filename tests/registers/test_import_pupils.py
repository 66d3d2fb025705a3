"""Importing `pupils.csv` into the database: formats.md, "Pupils and enrolments" (one row per
enrolment); `muster import pupils`: "A pupil already held is updated to the file's details"."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.exchange.csv_file import FileRejected
from muster.registers import imports
from muster.registers.models import Enrolment, Pupil
from tests.registers.world import (
    ASHDOWN,
    BRENNOCK,
    CARROW,
    DUNMERE,
    PUPIL_HEADER,
    PUPIL_ROWS,
    SCHOOL_A,
    SCHOOL_B,
    database_snapshot,
)

pytestmark = pytest.mark.django_db


def import_pupils(world, rows, name="pupils.csv"):
    return imports.import_pupils(world.files.write(name, PUPIL_HEADER, rows))


def changed_row(upn: str, urn: str, **changes) -> tuple:
    """The world's row for (upn, urn) with some columns changed."""
    (row,) = [r for r in PUPIL_ROWS if r[0] == upn and r[5] == urn]
    values = dict(zip(PUPIL_HEADER, row, strict=True))
    values.update(changes)
    return tuple(values[h] for h in PUPIL_HEADER)


def test_pupils_and_their_enrolments_are_created(world):
    assert Pupil.objects.count() == 4
    assert Enrolment.objects.count() == 6
    dunmere = Pupil.objects.get(upn=DUNMERE)
    assert (dunmere.legal_surname, dunmere.looked_after, dunmere.care_authority) == ("Dunmere", True, "802")
    dual = Enrolment.objects.filter(pupil__upn=CARROW).order_by("school__urn")
    assert [(e.school.urn, e.registration) for e in dual] == [(SCHOOL_A, "main"), (SCHOOL_B, "subsidiary")]
    moved = Enrolment.objects.filter(pupil__upn=BRENNOCK).order_by("start")
    assert [(e.school.urn, e.start, e.end) for e in moved] == [
        (SCHOOL_A, dt.date(2025, 9, 1), dt.date(2025, 10, 3)),
        (SCHOOL_B, dt.date(2025, 10, 13), None),
    ]


def test_reimporting_the_same_pupils_file_changes_nothing(world):
    before = database_snapshot()
    result = import_pupils(world, PUPIL_ROWS)
    assert (result.added, result.changed) == (0, 0)
    assert result.unchanged == 4 + 6  # four pupils, six enrolments
    assert database_snapshot() == before


def test_reimport_updates_a_pupils_details(world):
    """cli `import pupils`: "A pupil already held is updated to the file's details"."""
    result = import_pupils(world, [changed_row(ASHDOWN, SCHOOL_A, legal_surname="Ashdown-Reeve", nc_year="8")])
    assert result.changed == 1
    pupil = Pupil.objects.get(upn=ASHDOWN)
    assert (pupil.legal_surname, pupil.nc_year) == ("Ashdown-Reeve", "8")
    assert Enrolment.objects.filter(pupil=pupil).count() == 1


def test_reimport_may_end_an_enrolment(world):
    import_pupils(world, [changed_row(ASHDOWN, SCHOOL_A, enrolment_end="2025-12-19")])
    assert Enrolment.objects.get(pupil__upn=ASHDOWN).end == dt.date(2025, 12, 19)


def test_an_enrolment_overlapping_a_stored_one_at_the_same_school_is_refused(world):
    """A session has one register at a school: a second enrolment may not overlap the first."""
    before = database_snapshot()
    rows = [
        changed_row(CARROW, SCHOOL_A, legal_forename="Eleanor"),
        changed_row(ASHDOWN, SCHOOL_A, enrolment_start="2025-11-03"),
    ]
    with pytest.raises(FileRejected) as rejected:
        import_pupils(world, rows)
    (error,) = rejected.value.errors
    assert (error.line, error.column, error.value) == (3, "enrolment_start", "2025-11-03")
    assert error.reason == "overlaps the stored enrolment 2025-09-01 to now at the same school"
    assert database_snapshot() == before  # Carrow's new forename was not kept either


def test_a_new_enrolment_after_a_stored_one_ended_is_accepted(world):
    import_pupils(world, [changed_row(BRENNOCK, SCHOOL_A, enrolment_start="2026-01-05", enrolment_end="")])
    assert Enrolment.objects.filter(pupil__upn=BRENNOCK, school__urn=SCHOOL_A).count() == 2


def test_shortening_an_enrolment_before_its_recorded_marks_is_refused(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/"), (ASHDOWN, SCHOOL_A, "2025-10-01", "PM", "\\")])
    before = database_snapshot()
    with pytest.raises(FileRejected) as rejected:
        import_pupils(world, [changed_row(ASHDOWN, SCHOOL_A, enrolment_end="2025-09-30")])
    (error,) = rejected.value.errors
    assert (error.line, error.column, error.value) == (2, "enrolment_end", "2025-09-30")
    assert error.reason == "the register holds marks up to 2025-10-01; correct those first"
    assert database_snapshot() == before


def test_ending_an_enrolment_on_the_day_of_its_last_mark_is_accepted(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-10-01", "PM", "\\")])
    import_pupils(world, [changed_row(ASHDOWN, SCHOOL_A, enrolment_end="2025-10-01")])
    assert Enrolment.objects.get(pupil__upn=ASHDOWN).end == dt.date(2025, 10, 1)


def test_a_pupil_described_differently_on_two_rows_is_refused(world):
    rows = [
        changed_row(BRENNOCK, SCHOOL_A),
        changed_row(BRENNOCK, SCHOOL_B, date_of_birth="2013-11-21"),
    ]
    before = database_snapshot()
    with pytest.raises(FileRejected) as rejected:
        import_pupils(world, rows)
    (error,) = rejected.value.errors
    assert (error.line, error.column) == (3, "date_of_birth")
    assert error.reason == f"pupil {BRENNOCK} is described differently on line 2 (date_of_birth)"
    assert database_snapshot() == before


def test_a_pupil_at_a_school_with_no_calendar_is_refused(world):
    with pytest.raises(FileRejected) as rejected:
        import_pupils(world, [changed_row(ASHDOWN, SCHOOL_A, school_urn="310009")])
    (error,) = rejected.value.errors
    assert (error.column, error.reason) == ("school_urn", "unknown school: import its calendar first")


def test_a_file_without_the_optional_columns_keeps_the_details_it_does_not_give(world):
    # Dunmere is looked after (care authority 802) from the first file; a later file with only
    # the required columns must not wipe that (nothing a user entered is lost silently).
    short_header = PUPIL_HEADER[:7]
    row = changed_row(DUNMERE, SCHOOL_B, legal_forename="Osi")[:7]
    imports.import_pupils(world.files.write("short.csv", short_header, [row]))
    pupil = Pupil.objects.get(upn=DUNMERE)
    assert pupil.legal_forename == "Osi"
    assert pupil.looked_after and pupil.care_authority == "802"
