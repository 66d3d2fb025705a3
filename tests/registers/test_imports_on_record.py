"""Changes made by a file are in the audit log (issue "People, roles and trust": "every change
(before and after), who, when, from where"); each mark's before and after is in its history."""

from __future__ import annotations

import pytest

from muster.audit.models import AuditEvent
from muster.registers.models import MarkBatch
from tests.registers.world import ASHDOWN, SCHOOL_A

pytestmark = pytest.mark.django_db


def test_an_import_that_changes_marks_is_on_record_naming_its_batch(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")], name="autumn.csv")
    event = AuditEvent.objects.filter(record_kind="register").latest("sequence")
    batch = MarkBatch.objects.get(description="autumn.csv")
    assert event.action == "change" and event.record_id == f"batch {batch.pk}"
    assert "Imported autumn.csv: 1 marks added" in event.summary


def test_an_import_that_changes_nothing_adds_nothing_to_the_log(world):
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    before = AuditEvent.objects.count()
    world.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    assert AuditEvent.objects.count() == before
