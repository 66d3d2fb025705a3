"""Writers appending at once (issue "People, roles and trust": "each entry chained to the
previous by hash"): the chain must never fork, so two writers never chain to the same entry.
`record_event` locks the head of the chain first; each thread here has its own connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from muster.audit.log import record_event
from muster.audit.models import Action, AuditEvent
from muster.audit.verify import verify_chain

# On SQLite the writers queue for the database (IMMEDIATE transactions, settings); the tests
# use a database file, so they wait for the lock as they do in use.
pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
EACH = 25


def test_writers_appending_at_once_produce_one_valid_chain(monkeypatch):
    computed_hash = AuditEvent.computed_hash

    def slow_hash(entry):
        time.sleep(0.002)  # widen the gap between reading the head and writing after it
        return computed_hash(entry)

    monkeypatch.setattr(AuditEvent, "computed_hash", slow_hash)
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                record_event(user=None, action=Action.VIEW, record_kind="pupil",
                             record_id=f"{writer}-{i}", pupil_id=writer)
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    monkeypatch.undo()
    result = verify_chain()
    assert result.ok, result.report()
    assert result.checked == WRITERS * EACH
    hashes = list(AuditEvent.objects.values_list("previous_hash", flat=True))
    assert len(set(hashes)) == len(hashes), "two entries chain to the same entry: a fork"
