"""Correcting a mark: history kept, a reason required, and two staff at once lose nothing.

Issue "Register core": "a corrected mark keeps the original, the new value, who, when and why".
Issue "People, roles and trust", Concurrency: "two staff correcting the same register at once lose
nothing: the second save sees a conflict with both values shown (optimistic locking), tested on
PostgreSQL" (this runs on both databases; the threaded test needs PostgreSQL's row locks).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from muster.core.exchange.csv_file import FileRejected
from muster.core.slots import Session
from muster.registers.corrections import MarkConflict, correct_mark, seen_mark
from muster.registers.models import MarkChange
from tests.registers.world import ASHDOWN, SCHOOL_A

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 9, 2)


@pytest.fixture
def marked(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "N"), (ASHDOWN, SCHOOL_A, "2025-09-03", "AM", "/")])
    users = get_user_model().objects
    return world.enrolment(ASHDOWN, SCHOOL_A), users.create_user("staff-one"), users.create_user("staff-two")


def test_a_correction_keeps_the_original_the_new_value_who_when_and_why(marked):
    enrolment, one, _ = marked
    correct_mark(enrolment=enrolment, day=DAY, session=Session.AM, code="I", reason="Parent phoned: ill",
                 user=one, seen=seen_mark(enrolment, DAY, Session.AM))
    change = MarkChange.objects.get()
    assert (change.previous_code, change.offered_code, change.applied) == ("N", "I", True)
    assert change.batch.created_by == one and change.batch.created_at is not None
    assert change.reason == "Parent phoned: ill"
    assert seen_mark(enrolment, DAY, Session.AM).code == "I"


def test_a_correction_needs_a_reason(marked):
    enrolment, one, _ = marked
    with pytest.raises(ValueError):
        correct_mark(enrolment=enrolment, day=DAY, session=Session.AM, code="I", reason=" ",
                     user=one, seen=seen_mark(enrolment, DAY, Session.AM))


def test_a_correction_is_checked_like_an_import(marked):
    enrolment, one, _ = marked
    with pytest.raises(FileRejected):
        correct_mark(enrolment=enrolment, day=dt.date(2025, 9, 6), session=Session.AM, code="I",
                     reason="typo", user=one, seen=seen_mark(enrolment, dt.date(2025, 9, 6), Session.AM))


def test_the_second_of_two_staff_sees_both_values_and_saves_nothing(marked):
    enrolment, one, two = marked
    first_look = seen_mark(enrolment, DAY, Session.AM)
    second_look = seen_mark(enrolment, DAY, Session.AM)
    correct_mark(enrolment=enrolment, day=DAY, session=Session.AM, code="I", reason="ill",
                 user=one, seen=first_look)
    with pytest.raises(MarkConflict) as conflict:
        correct_mark(enrolment=enrolment, day=DAY, session=Session.AM, code="G", reason="holiday",
                     user=two, seen=second_look)
    assert (conflict.value.seen, conflict.value.now, conflict.value.wanted) == ("N", "I", "G")
    assert "was N when you opened the register and is now I" in str(conflict.value)
    assert seen_mark(enrolment, DAY, Session.AM).code == "I"
    assert MarkChange.objects.count() == 1


def test_a_change_to_another_session_of_the_same_register_is_no_conflict(marked):
    enrolment, one, two = marked
    look = seen_mark(enrolment, DAY, Session.AM)
    other_day = dt.date(2025, 9, 3)
    correct_mark(enrolment=enrolment, day=other_day, session=Session.AM, code="L", reason="late, arrived 9:05",
                 user=one, seen=seen_mark(enrolment, other_day, Session.AM))
    correct_mark(enrolment=enrolment, day=DAY, session=Session.AM, code="I", reason="ill", user=two, seen=look)
    assert seen_mark(enrolment, DAY, Session.AM).code == "I"
    assert seen_mark(enrolment, other_day, Session.AM).code == "L"


@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_at_the_same_moment_lose_nothing(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "N")])
    enrolment = world.enrolment(ASHDOWN, SCHOOL_A)
    users = [get_user_model().objects.create_user(f"staff-{n}") for n in range(2)]
    look = seen_mark(enrolment, DAY, Session.AM)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def save(user, code):
        try:
            barrier.wait()
            correct_mark(enrolment=enrolment, day=DAY, session=Session.AM, code=code, reason="phoned",
                         user=user, seen=look)
            outcomes.append(f"saved {code}")
        except MarkConflict as conflict:
            outcomes.append(f"conflict {conflict.seen}->{conflict.now} wanted {conflict.wanted}")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, c)) for u, c in zip(users, "IM", strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = [o for o in outcomes if o.startswith("saved")]
    conflicts = [o for o in outcomes if o.startswith("conflict")]
    assert len(saved) == 1 and len(conflicts) == 1, outcomes
    winner = saved[0][-1]
    assert conflicts[0] == f"conflict N->{winner} wanted {'M' if winner == 'I' else 'I'}"
    assert seen_mark(enrolment, DAY, Session.AM).code == winner
