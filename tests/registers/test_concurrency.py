"""Two writers of one register year: optimistic locking (registers/bulk.write_spans).

`RegisterYear.version` is "Raised on every write, so concurrent edits can be detected"
(models.py): a save is a conditional UPDATE on the version read, so a writer holding a stale copy
changes nothing; `record_marks` then weighs its marks again on what the other writer saved, and
gives up with `StaleRegister` only if that keeps happening. The logic is a plain conditional
UPDATE, the same on SQLite and PostgreSQL, so these tests run on both.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected
from muster.registers import actions, bulk
from muster.registers.actions import StaleRegister
from muster.registers.models import MarkBatch, RegisterYear
from tests.registers.test_import_marks import held
from tests.registers.world import ASHDOWN, SCHOOL_A, database_snapshot

pytestmark = pytest.mark.django_db


def test_the_second_save_from_a_stale_version_is_refused(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    first = world.register(ASHDOWN, SCHOOL_A)   # writer 1 reads version 1
    second = world.register(ASHDOWN, SCHOOL_A)  # writer 2 reads version 1 too
    with transaction.atomic():
        assert bulk.write_spans([(first.pk, first.version, 0, bytes(first.marks))]) == 1
    before = database_snapshot()
    with transaction.atomic():
        assert bulk.write_spans([(second.pk, second.version, 0, bytes(second.marks))]) == 0
    assert database_snapshot() == before
    assert RegisterYear.objects.get(pk=first.pk).version == 2


def _reads_stale(monkeypatch, stale: RegisterYear, times: int) -> list:
    """Make the next `times` reads of registers return `stale` as it was read."""
    real, calls = bulk.read_spans, []

    def read(keys, spans):
        calls.append(keys)
        if len(calls) <= times:
            ((lo, n),) = spans
            return [(stale.pk, stale.enrolment_id, stale.academic_year, stale.version, bytes(stale.marks)[lo : lo + n])]
        return real(keys, spans)

    monkeypatch.setattr(actions.bulk, "read_spans", read)
    return calls


def test_an_import_that_keeps_meeting_a_stale_register_changes_nothing(world, monkeypatch):
    """If the register changed between being read and being saved, every time, the whole import
    is undone."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    stale = world.register(ASHDOWN, SCHOOL_A)
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "I")], on_conflict=OnConflict.REPLACE)
    before = database_snapshot()
    calls = _reads_stale(monkeypatch, stale, times=actions.ATTEMPTS)
    with pytest.raises(StaleRegister):
        world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "\\")])
    assert len(calls) == actions.ATTEMPTS
    assert database_snapshot() == before
    assert MarkBatch.objects.count() == 2


def test_a_write_that_met_a_stale_register_is_weighed_again_on_what_was_saved(world, monkeypatch):
    """The first attempt read the register before another writer saved I over /; its save is
    refused, the second attempt reads I and saves the afternoon beside it: no update is lost."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    stale = world.register(ASHDOWN, SCHOOL_A)
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "I")], on_conflict=OnConflict.REPLACE)
    calls = _reads_stale(monkeypatch, stale, times=1)
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "\\")])
    assert len(calls) == 2
    assert world.register(ASHDOWN, SCHOOL_A).version == 3
    assert (held(world, session="AM"), held(world, session="PM")) == ("I", "\\")
    assert MarkBatch.objects.count() == 3


def test_a_conflict_found_in_the_register_is_not_a_stale_write(world):
    """The ordinary case: the import reads the register under its lock, so a different mark is a
    conflict to settle (formats.md), not a lost update."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    with pytest.raises(FileRejected):
        world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "O")])
    assert world.register(ASHDOWN, SCHOOL_A).version == 1
