"""Loading whole register years (a school system's full-year feed): actions.load_register_years.

The register may hold a mark only where the pupil is on roll and the school open; `#` only on a
planned closure of a weekday (register_checks.misplaced_slots; reference 2.1; formats.md).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from muster.core import codes, slots
from muster.core.slots import Session
from muster.registers import provenance
from muster.registers.actions import load_register_years
from muster.registers.models import MarkBatch, RegisterYear
from tests.registers.world import ASHDOWN, BRENNOCK, SCHOOL_A, database_snapshot, open_sessions

pytestmark = pytest.mark.django_db

YEAR = 2025


def year_row(marks: dict[tuple[dt.date, Session], str]) -> np.ndarray:
    row = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
    for (day, session), symbol in marks.items():
        row[slots.slot_of(day, session)[1]] = codes.code(symbol).id
    return row


def autumn_present(urn=SCHOOL_A, last=dt.date(2025, 10, 3)) -> dict:
    return {(d, s): "/" for d, s in open_sessions(urn, dt.date(2025, 9, 1), last)}


def test_a_whole_year_is_stored_with_its_batch_on_every_marked_slot(world):
    enrolment = world.enrolment(ASHDOWN, SCHOOL_A)
    marks = autumn_present()
    batch = load_register_years(
        rows=[(enrolment.pk, YEAR, year_row(marks))], source=MarkBatch.Source.IMPORT, description="feed"
    )
    register = RegisterYear.objects.get(enrolment=enrolment, academic_year=YEAR)
    assert np.count_nonzero(register.codes()) == len(marks)
    ids = provenance.writers([register.pk])[register.pk]
    assert set(ids[register.codes() != 0].tolist()) == {batch.pk}
    assert not ids[register.codes() == 0].any()


@pytest.mark.parametrize(
    ("day", "session", "why"),
    [
        (dt.date(2025, 9, 6), Session.AM, "a Saturday"),
        (dt.date(2025, 10, 22), Session.AM, "half term"),
        (dt.date(2025, 9, 1), Session.AM, "INSET"),
        (dt.date(2025, 10, 17), Session.PM, "early close"),
    ],
)
def test_a_mark_on_a_closed_session_is_refused(world, day, session, why):
    enrolment = world.enrolment(ASHDOWN, SCHOOL_A)
    before = database_snapshot()
    marks = autumn_present() | {(day, session): "/"}
    with pytest.raises(ValueError, match=f"first on {day} {session}"):
        load_register_years(rows=[(enrolment.pk, YEAR, year_row(marks))], source=MarkBatch.Source.IMPORT)
    assert database_snapshot() == before


def test_a_mark_off_roll_is_refused(world):
    """Brennock left school A on 3 October 2025."""
    enrolment = world.enrolment(BRENNOCK, SCHOOL_A)
    marks = autumn_present(last=dt.date(2025, 10, 10))
    with pytest.raises(ValueError, match="off roll or the school closed, the first on 2025-10-06 AM"):
        load_register_years(rows=[(enrolment.pk, YEAR, year_row(marks))], source=MarkBatch.Source.IMPORT)
    assert not RegisterYear.objects.exists()


def test_the_closure_mark_is_allowed_on_a_planned_closure_but_not_at_a_weekend(world):
    """Reference 2.1: `#` is a planned closure; a weekend is no session at all."""
    enrolment = world.enrolment(ASHDOWN, SCHOOL_A)
    inset = {(dt.date(2025, 9, 1), Session.AM): "#", (dt.date(2025, 9, 1), Session.PM): "#"}
    load_register_years(rows=[(enrolment.pk, YEAR, year_row(inset))], source=MarkBatch.Source.IMPORT)
    other = world.enrolment(BRENNOCK, SCHOOL_A)
    with pytest.raises(ValueError, match="2025-09-06"):
        load_register_years(
            rows=[(other.pk, YEAR, year_row({(dt.date(2025, 9, 6), Session.AM): "#"}))],
            source=MarkBatch.Source.IMPORT,
        )


def test_a_year_already_held_is_refused(world):
    """load_register_years: "a year that exists goes through record_marks, which keeps history"."""
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    enrolment = world.enrolment(ASHDOWN, SCHOOL_A)
    before = database_snapshot()
    with pytest.raises(ValueError, match="use record_marks"):
        load_register_years(rows=[(enrolment.pk, YEAR, year_row(autumn_present()))],
                            source=MarkBatch.Source.IMPORT)
    assert database_snapshot() == before
