"""Reading registers from the database into a matrix: registers/store.py.

A row per enrolment; a unit per pupil pools every register the pupil has (reference 0, dual
registration) or a unit per enrolment as DfE statistics count them (reference 3.2).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from muster.core import codes
from muster.core.slots import Session
from muster.registers import store
from muster.registers.models import Enrolment, Pupil
from tests.registers.world import (
    ASHDOWN,
    BRENNOCK,
    CARROW,
    DUNMERE,
    FIRST_DAY,
    LAST_DAY,
    SCHOOL_A,
    SCHOOL_B,
)

pytestmark = pytest.mark.django_db


def rows_of(loaded: store.LoadedRegisters, pupil: str) -> list[int]:
    ids = Enrolment.objects.filter(pupil__upn=pupil).values_list("pk", flat=True)
    return sorted(int(np.flatnonzero(loaded.enrolment_ids == pk)[0]) for pk in ids)


def unit_of_pupil(loaded: store.LoadedRegisters, pupil: str) -> int:
    pk = Pupil.objects.get(upn=pupil).pk
    return int(np.flatnonzero(loaded.unit_ids == pk)[0])


def test_every_enrolment_gets_a_row_marked_or_not(world):
    loaded = store.load(Enrolment.objects.all(), FIRST_DAY, LAST_DAY)
    assert loaded.matrix.marks.shape[0] == 6
    assert sorted(loaded.enrolment_ids.tolist()) == sorted(Enrolment.objects.values_list("pk", flat=True))
    assert not loaded.matrix.marks.any()  # nothing imported yet: rows of no marks


def test_pupil_units_pool_a_pupils_registers(world):
    """Reference 0: "the pupil's figures pool both registers"; a move is two enrolments."""
    loaded = store.load(Enrolment.objects.all(), FIRST_DAY, LAST_DAY, unit=store.Unit.PUPIL)
    assert loaded.matrix.n_units == 4
    assert sorted(loaded.unit_ids.tolist()) == sorted(Pupil.objects.values_list("pk", flat=True))
    for pupil, n_rows in ((ASHDOWN, 1), (BRENNOCK, 2), (CARROW, 2), (DUNMERE, 1)):
        rows = rows_of(loaded, pupil)
        assert len(rows) == n_rows
        assert set(loaded.matrix.unit[rows].tolist()) == {unit_of_pupil(loaded, pupil)}


def test_enrolment_units_are_one_per_row(world):
    """Reference 3.2: "Statistics are per enrolment, not per pupil"."""
    loaded = store.load(Enrolment.objects.all(), FIRST_DAY, LAST_DAY, unit=store.Unit.ENROLMENT)
    assert loaded.matrix.n_units == 6
    assert (loaded.unit_ids == loaded.enrolment_ids).all()
    assert loaded.matrix.unit.tolist() == list(range(6))


def test_marks_land_on_their_own_date_in_their_own_enrolments_row(world):
    world.import_marks([
        (BRENNOCK, SCHOOL_A, "2025-10-03", "PM", "I"),
        (BRENNOCK, SCHOOL_B, "2025-10-13", "AM", "O"),
        (CARROW, SCHOOL_A, "2025-09-02", "AM", "/"),
        (CARROW, SCHOOL_B, "2025-09-02", "AM", "D"),
    ])
    loaded = store.load(Enrolment.objects.all(), FIRST_DAY, LAST_DAY)
    matrix = loaded.matrix

    def row(pupil, urn):
        pk = world.enrolment(pupil, urn).pk
        return matrix.marks[int(np.flatnonzero(loaded.enrolment_ids == pk)[0])]

    at_a, at_b = row(BRENNOCK, SCHOOL_A), row(BRENNOCK, SCHOOL_B)
    assert at_a[matrix.slot(dt.date(2025, 10, 3), Session.PM)] == codes.code("I").id
    assert at_b[matrix.slot(dt.date(2025, 10, 13), Session.AM)] == codes.code("O").id
    assert np.count_nonzero(at_a) == 1 and np.count_nonzero(at_b) == 1
    assert row(CARROW, SCHOOL_A)[matrix.slot(dt.date(2025, 9, 2))] == codes.code("/").id
    assert row(CARROW, SCHOOL_B)[matrix.slot(dt.date(2025, 9, 2))] == codes.code("D").id
    assert not row(DUNMERE, SCHOOL_B).any()


def test_the_timeline_starts_on_a_monday_and_reaches_the_last_day(world):
    """Penalty-notice weeks run Monday to Sunday (reference 0, "School week")."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    matrix = store.load(Enrolment.objects.all(), FIRST_DAY, LAST_DAY).matrix
    assert matrix.first_day.weekday() == 0
    assert matrix.first_day <= FIRST_DAY and matrix.last_day == LAST_DAY


def test_a_query_set_of_some_enrolments_loads_only_those(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/"), (CARROW, SCHOOL_A, "2025-09-02", "AM", "O")])
    loaded = store.load(Enrolment.objects.filter(pupil__upn=CARROW), FIRST_DAY, LAST_DAY)
    assert loaded.matrix.marks.shape[0] == 2 and loaded.matrix.n_units == 1
    assert sorted(loaded.matrix.marks[loaded.matrix.marks != 0].tolist()) == [codes.code("O").id]
