"""Importing `marks.csv` into the database: formats.md, "Register marks"; reference 0
("Two marks for one session from different sources").

"A file with any bad row changes nothing ... Importing the same file twice changes nothing the
second time. A row for a session that already has a different mark replaces it only with an
explicit option, and the old mark stays in the mark's history." (formats.md)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected
from muster.core.slots import Session
from muster.registers import provenance
from muster.registers.imports import import_marks
from muster.registers.models import MarkBatch, MarkChange, MarkNote, MarkSource, RegisterYear
from tests.registers.world import ASHDOWN, BRENNOCK, SCHOOL_A, SCHOOL_B, database_snapshot

pytestmark = pytest.mark.django_db

TUESDAY = "2025-09-02"
WEDNESDAY = "2025-09-03"


def held(world, pupil=ASHDOWN, urn=SCHOOL_A, date=TUESDAY, session="AM") -> str:
    """The mark the register holds for a session, as its symbol ('' for none)."""
    year, slot = slots.slot_of(dt.date.fromisoformat(date), Session(session))
    code_id = int(world.register(pupil, urn, year).codes()[slot])
    return codes.BY_ID[code_id].symbol if code_id else ""


def slot_of(date: str, session: str = "AM") -> int:
    return slots.slot_of(dt.date.fromisoformat(date), Session(session))[1]


def test_each_row_becomes_one_mark_in_the_register(world):
    result = world.import_marks([
        (ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/"),
        (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "I"),
        (BRENNOCK, SCHOOL_A, TUESDAY, "AM", "L", "7"),
    ])
    assert (result.rows, result.added, result.changed, result.unchanged) == (3, 3, 0, 0)
    assert held(world) == "/" and held(world, session="PM") == "I"
    assert held(world, BRENNOCK) == "L"
    assert RegisterYear.objects.count() == 2 and MarkBatch.objects.count() == 1


def test_reimporting_the_same_marks_file_changes_nothing(world):
    """formats.md: "Importing the same file twice changes nothing the second time"."""
    rows = [
        (ASHDOWN, SCHOOL_A, TUESDAY, "AM", "L", "12", "bus late"),
        (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "\\"),
        (BRENNOCK, SCHOOL_A, TUESDAY, "AM", "O"),
    ]
    world.import_marks(rows)
    before = database_snapshot()
    result = world.import_marks(rows)
    assert (result.added, result.changed, result.kept, result.unchanged) == (0, 0, 0, 3)
    assert database_snapshot() == before  # no new batch, versions and notes unchanged


def test_a_bad_file_changes_nothing(world):
    """formats.md: "A file with any bad row changes nothing"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")])
    before = database_snapshot()
    with pytest.raises(FileRejected) as rejected:
        world.import_marks([
            (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "\\"),
            (ASHDOWN, SCHOOL_A, WEDNESDAY, "AM", "ZZ"),
            (BRENNOCK, SCHOOL_A, TUESDAY, "AM", "/"),
        ])
    assert [(e.line, e.column) for e in rejected.value.errors] == [(3, "mark")]
    assert database_snapshot() == before


def test_a_bad_header_is_reported_before_any_row_is_read(world):
    path = world.files.text("marks.csv", "upn,school_urn,date,session\n")
    with pytest.raises(FileRejected) as rejected:
        import_marks(path)
    assert [(e.line, e.column) for e in rejected.value.errors] == [(1, "mark")]


def test_unknown_columns_are_imported_when_told_to_ignore_them(world):
    """formats.md: "unknown columns are an error unless the importer is told to ignore them"."""
    path = world.files.write(
        "marks.csv", ["upn", "school_urn", "date", "session", "mark", "teacher"],
        [(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/", "Mr Pellow")],
    )
    with pytest.raises(FileRejected):
        import_marks(path)
    assert import_marks(path, ignore_unknown_columns=True).added == 1


# --- a different mark for a session that has one -----------------------------------------------

def test_a_conflicting_mark_is_rejected_by_default_naming_the_line_and_both_marks(world):
    """formats.md: a different mark "replaces it only with an explicit option"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")])
    with pytest.raises(FileRejected) as rejected:
        world.import_marks([
            (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "\\"),
            (ASHDOWN, SCHOOL_A, TUESDAY, "AM", "I"),
        ], name="corrections.csv")
    (error,) = rejected.value.errors
    assert (error.file, error.line, error.column, error.value) == ("corrections.csv", 3, "mark", "I")
    assert "already holds / for this session" in error.reason
    assert "--on-conflict best or replace" in error.reason


def test_a_rejected_conflict_changes_nothing(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")])
    before = database_snapshot()
    with pytest.raises(FileRejected):
        world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "PM", "\\"), (ASHDOWN, SCHOOL_A, TUESDAY, "AM", "O")])
    assert database_snapshot() == before
    assert held(world, session="PM") == ""


BEST_FIRST = [
    ("/", "present"),
    ("V", "approved educational activity"),
    ("I", "authorised absence"),
    ("O", "unauthorised absence"),
    ("Y1", "not possible"),
]
PAIRS = [
    (better, worse) for i, (better, _) in enumerate(BEST_FIRST) for worse, _ in BEST_FIRST[i + 1 :]
]


@pytest.mark.parametrize(("better", "worse"), PAIRS)
def test_best_keeps_a_better_mark_already_held_and_records_the_offer(world, better, worse):
    """Reference 0: "keep the best: present > approved activity > authorised > unauthorised > not
    possible, and record the other in the mark's history"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", better)])
    result = world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", worse)], on_conflict=OnConflict.BEST)
    assert (result.kept, result.changed) == (1, 0)
    assert held(world) == better
    (change,) = MarkChange.objects.all()
    assert (change.previous_code, change.offered_code, change.applied) == (better, worse, False)
    assert (change.date, change.session) == (dt.date(2025, 9, 2), "AM")


@pytest.mark.parametrize(("better", "worse"), PAIRS)
def test_best_takes_a_better_mark_offered_and_keeps_the_old_one_in_history(world, better, worse):
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", worse)])
    result = world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", better)], on_conflict=OnConflict.BEST)
    assert (result.kept, result.changed) == (0, 1)
    assert held(world) == better
    (change,) = MarkChange.objects.all()
    assert (change.previous_code, change.offered_code, change.applied) == (worse, better, True)


def test_best_keeps_the_mark_held_when_both_are_in_the_same_category(world):
    """best_mark.better: "on a tie (same category) the one already held stays"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "M")])
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "I")], on_conflict=OnConflict.BEST)
    assert held(world) == "M"
    assert MarkChange.objects.get().applied is False


def test_replace_applies_the_offered_mark_and_keeps_the_old_one_in_history(world):
    """formats.md: "the old mark stays in the mark's history"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")])
    first_batch = MarkBatch.objects.get()
    result = world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "O")], on_conflict=OnConflict.REPLACE)
    assert result.changed == 1
    assert held(world) == "O"
    change = MarkChange.objects.get()
    assert (change.previous_code, change.offered_code, change.applied) == ("/", "O", True)
    assert change.batch != first_batch and change.batch.source == MarkBatch.Source.IMPORT


def test_replace_raises_the_register_version(world):
    """models.RegisterYear.version: "Raised on every write"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")])
    assert world.register(ASHDOWN, SCHOOL_A).version == 1
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "O")], on_conflict=OnConflict.REPLACE)
    assert world.register(ASHDOWN, SCHOOL_A).version == 2


def test_replace_records_the_old_minutes_late_and_comment(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "L", "10", "traffic")])
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "U", "40", "after close")],
                       on_conflict=OnConflict.REPLACE)
    change = MarkChange.objects.get()
    assert (change.previous_code, change.previous_minutes_late, change.previous_comment) == ("L", 10, "traffic")
    assert (change.offered_code, change.offered_minutes_late, change.offered_comment) == ("U", 40, "after close")
    note = MarkNote.objects.get()
    assert (note.minutes_late, note.comment) == (40, "after close")


# --- minutes late and comments -----------------------------------------------------------------

def test_minutes_late_and_comment_are_kept_with_the_mark(world):
    """formats.md: `minutes_late` "only with L or U"; `comment` "free text, kept with the mark"."""
    world.import_marks([
        (ASHDOWN, SCHOOL_A, TUESDAY, "AM", "L", "12", "bus was late"),
        (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "U", "35"),
        (ASHDOWN, SCHOOL_A, WEDNESDAY, "AM", "I", "", "phoned in"),
        (ASHDOWN, SCHOOL_A, WEDNESDAY, "PM", "\\"),
    ])
    register = world.register(ASHDOWN, SCHOOL_A)
    notes = {n.slot: (n.minutes_late, n.comment) for n in MarkNote.objects.filter(register_year=register)}
    assert notes == {
        slot_of(TUESDAY, "AM"): (12, "bus was late"),
        slot_of(TUESDAY, "PM"): (35, ""),
        slot_of(WEDNESDAY, "AM"): (None, "phoned in"),
    }


def test_minutes_late_and_comments_survive_a_reimport(world):
    rows = [(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "L", "12", "bus was late")]
    world.import_marks(rows)
    world.import_marks(rows)
    world.import_marks([(ASHDOWN, SCHOOL_A, WEDNESDAY, "AM", "/")], name="next-day.csv")
    note = MarkNote.objects.get()
    assert (note.slot, note.minutes_late, note.comment) == (slot_of(TUESDAY), 12, "bus was late")


# --- history and provenance --------------------------------------------------------------------

def _one_change(world) -> MarkChange:
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")])
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "I")], on_conflict=OnConflict.REPLACE)
    return MarkChange.objects.get()


def test_mark_history_cannot_be_updated(world):
    """models.MarkChange: "An append-only record"."""
    change = _one_change(world)
    change.offered_code = "O"
    with pytest.raises(ValidationError, match="append-only"):
        change.save()
    assert MarkChange.objects.get().offered_code == "I"


def test_mark_history_cannot_be_deleted(world):
    change = _one_change(world)
    with pytest.raises(ValidationError, match="append-only"):
        change.delete()
    assert MarkChange.objects.count() == 1


def test_mark_history_cannot_be_updated_or_deleted_in_bulk(world):
    _one_change(world)
    with pytest.raises(ValidationError, match="append-only"):
        MarkChange.objects.update(applied=False)
    with pytest.raises(ValidationError, match="append-only"):
        MarkChange.objects.all().delete()
    assert MarkChange.objects.get().applied is True


def test_each_slot_names_the_batch_that_wrote_its_mark(world):
    """registers/provenance.py: "A slot's writer is the last batch to write it"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/"), (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "\\")],
                       name="monday.csv")
    world.import_marks([(ASHDOWN, SCHOOL_A, WEDNESDAY, "AM", "/"), (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "M")],
                       name="tuesday.csv", on_conflict=OnConflict.REPLACE)
    first = MarkBatch.objects.get(description="monday.csv")
    second = MarkBatch.objects.get(description="tuesday.csv")
    ids = _writers(world.register(ASHDOWN, SCHOOL_A))
    assert ids[slot_of(TUESDAY, "AM")] == first.pk
    assert ids[slot_of(TUESDAY, "PM")] == second.pk  # replaced: now written by the second batch
    assert ids[slot_of(WEDNESDAY, "AM")] == second.pk
    assert np.count_nonzero(ids) == 3


def _writers(register: RegisterYear) -> np.ndarray:
    return provenance.writers([register.pk])[register.pk]


def test_folding_the_log_keeps_every_slots_writer(world):
    """registers/provenance.py: folding "keeps the log short" and changes no slot's writer."""
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/"), (ASHDOWN, SCHOOL_A, TUESDAY, "PM", "\\")])
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "PM", "M")], on_conflict=OnConflict.REPLACE)
    register = world.register(ASHDOWN, SCHOOL_A)
    before = _writers(register)
    assert provenance.fold() == 2
    assert not MarkSource.objects.exists()
    assert np.array_equal(_writers(register), before)
    world.import_marks([(ASHDOWN, SCHOOL_A, WEDNESDAY, "AM", "/")], name="after-fold.csv")
    after = _writers(register)
    assert after[slot_of(WEDNESDAY, "AM")] == MarkBatch.objects.get(description="after-fold.csv").pk
    assert np.array_equal(np.delete(after, slot_of(WEDNESDAY, "AM")), np.delete(before, slot_of(WEDNESDAY, "AM")))


def test_a_kept_mark_still_names_the_batch_that_wrote_it(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "/")], name="register.csv")
    world.import_marks([(ASHDOWN, SCHOOL_A, TUESDAY, "AM", "O")], name="mis.csv", on_conflict=OnConflict.BEST)
    ids = _writers(world.register(ASHDOWN, SCHOOL_A))
    assert ids[slot_of(TUESDAY)] == MarkBatch.objects.get(description="register.csv").pk
    assert MarkChange.objects.get().batch == MarkBatch.objects.get(description="mis.csv")


def test_marks_at_two_schools_go_to_their_own_registers(world):
    """Reference 0: "each school keeps its own register"."""
    world.import_marks([
        (BRENNOCK, SCHOOL_A, "2025-10-03", "AM", "/"),
        (BRENNOCK, SCHOOL_B, "2025-10-13", "AM", "/"),
    ])
    assert held(world, BRENNOCK, SCHOOL_A, "2025-10-03") == "/"
    assert held(world, BRENNOCK, SCHOOL_B, "2025-10-13") == "/"


def test_a_mark_in_the_week_off_roll_between_two_schools_is_refused(world):
    with pytest.raises(FileRejected) as rejected:
        world.import_marks([(BRENNOCK, SCHOOL_B, "2025-10-08", "AM", "/")])
    (error,) = rejected.value.errors
    assert error.column == "date" and "not on roll" in error.reason
