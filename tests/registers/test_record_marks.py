"""registers/actions.record_marks, called directly: two offers for one session in the same call
are weighed in the order given, as if sent one after the other (reference 0, "Two marks for one
session"); every other offer is settled at once, with the same outcome."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core import codes
from muster.core.best_mark import OnConflict
from muster.core.slots import Session
from muster.registers.actions import MarkInput, MarksConflict, record_marks
from muster.registers.models import MarkBatch, MarkChange, MarkNote
from tests.registers.test_import_marks import held
from tests.registers.world import ASHDOWN, BRENNOCK, SCHOOL_A, database_snapshot

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2025, 9, 2)


def offer(world, symbol: str, session: Session = Session.AM, pupil: str = ASHDOWN, **note) -> MarkInput:
    return MarkInput(world.enrolment(pupil, SCHOOL_A).pk, TUESDAY, session, codes.code(symbol), **note)


def record(marks, on_conflict=OnConflict.REJECT):
    return record_marks(marks=marks, source=MarkBatch.Source.CORRECTION, on_conflict=on_conflict)


def test_a_second_offer_for_the_same_session_in_one_call_replaces_the_first_with_history(world):
    result = record([offer(world, "/"), offer(world, "I")], OnConflict.REPLACE)
    assert (result.added, result.changed) == (1, 1)
    assert held(world) == "I"
    assert list(MarkChange.objects.values_list("previous_code", "offered_code", "applied")) == [("/", "I", True)]


def test_the_same_mark_twice_in_one_call_is_added_once(world):
    result = record([offer(world, "L", minutes_late=5), offer(world, "L", minutes_late=5)])
    assert (result.added, result.unchanged, result.written) == (1, 1, 1)
    assert list(MarkNote.objects.values_list("minutes_late", flat=True)) == [5]


def test_another_mark_for_a_session_offered_earlier_in_the_call_is_refused_and_nothing_is_written(world):
    before = database_snapshot()
    with pytest.raises(MarksConflict) as refused:
        record([offer(world, "/", pupil=BRENNOCK), offer(world, "/"), offer(world, "O")])
    ((conflict),) = refused.value.conflicts
    assert (conflict.mark.code.symbol, conflict.existing.symbol) == ("O", "/")
    assert database_snapshot() == before


def test_the_better_of_two_offers_in_one_call_is_kept_and_the_other_recorded(world):
    result = record([offer(world, "O"), offer(world, "/"), offer(world, "\\", Session.PM)], OnConflict.BEST)
    assert (result.added, result.changed) == (2, 1)
    assert (held(world), held(world, session="PM")) == ("/", "\\")
    assert list(MarkChange.objects.values_list("previous_code", "offered_code", "applied")) == [("O", "/", True)]
