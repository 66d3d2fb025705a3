"""Two writers of one register year: optimistic locking (actions._save_versioned).

`RegisterYear.version` is "Raised on every write, so concurrent edits can be detected"
(models.py): a save is a conditional UPDATE on the version read, so a writer holding a stale copy
gets `StaleRegister` and changes nothing. The logic is a plain conditional UPDATE, the same on
SQLite and PostgreSQL, so these tests run on both.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected
from muster.registers import actions
from muster.registers.actions import StaleRegister, _save_versioned
from muster.registers.models import MarkBatch, RegisterYear
from tests.registers.world import ASHDOWN, SCHOOL_A, database_snapshot

pytestmark = pytest.mark.django_db


def test_the_second_save_from_a_stale_version_is_refused(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    first = world.register(ASHDOWN, SCHOOL_A)   # writer 1 reads version 1
    second = world.register(ASHDOWN, SCHOOL_A)  # writer 2 reads version 1 too
    with transaction.atomic():
        _save_versioned([(first, first.codes().copy())])
    assert first.version == 2
    before = database_snapshot()
    with pytest.raises(StaleRegister), transaction.atomic():
        _save_versioned([(second, second.codes().copy())])
    assert second.version == 1
    assert database_snapshot() == before
    assert RegisterYear.objects.get(pk=first.pk).version == 2


def test_an_import_working_from_a_stale_register_changes_nothing(world, monkeypatch):
    """If the register changed between being read and being saved, the whole import is undone."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    stale = world.register(ASHDOWN, SCHOOL_A)
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "I")], on_conflict=OnConflict.REPLACE)
    before = database_snapshot()
    key = (stale.enrolment_id, stale.academic_year)
    monkeypatch.setattr(actions, "_lock_register_years", lambda keys: {key: stale})
    with pytest.raises(StaleRegister):
        world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "\\")])
    assert database_snapshot() == before
    assert MarkBatch.objects.count() == 2


def test_a_conflict_found_in_the_register_is_not_a_stale_write(world):
    """The ordinary case: the import reads the register under its lock, so a different mark is a
    conflict to settle (formats.md), not a lost update."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    with pytest.raises(FileRejected):
        world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "O")])
    assert world.register(ASHDOWN, SCHOOL_A).version == 1
