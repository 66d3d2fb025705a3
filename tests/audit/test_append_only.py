"""Append-only (issue "People, roles and trust"): the ORM refuses to change or delete entries,
and database triggers refuse UPDATE and DELETE from any client, on SQLite and PostgreSQL alike.
The one exception is retention's sanctioned path (test_retention.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from muster.audit.models import AuditCheckpoint, AuditEvent
from muster.audit.verify import verify_chain
from tests.audit.tamper import raw


@pytest.mark.django_db
class TestTheOrmRefuses:
    def test_saving_an_existing_entry(self, entries):
        entry = AuditEvent.objects.get(sequence=entries(1)[0].sequence)
        entry.summary = "Nothing to see"
        with pytest.raises(ValidationError, match="append-only"):
            entry.save()

    def test_deleting_an_entry(self, entries):
        with pytest.raises(ValidationError, match="append-only"):
            entries(1)[0].delete()

    def test_updating_entries_in_bulk(self, entries):
        entries(2)
        with pytest.raises(ValidationError, match="append-only"):
            AuditEvent.objects.filter(sequence=1).update(summary="Nothing to see")

    def test_deleting_entries_in_bulk(self, entries):
        entries(2)
        with pytest.raises(ValidationError, match="append-only"):
            AuditEvent.objects.all().delete()

    def test_creating_entries_in_bulk_around_record_event(self, entries):
        with pytest.raises(ValidationError, match="record_event"):
            AuditEvent.objects.bulk_create([AuditEvent(sequence=1)])

    def test_changing_a_checkpoint(self, db):
        with pytest.raises(ValidationError, match="append-only"):
            AuditCheckpoint.objects.update(removed=0)


def refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        raw(sql, params)
    return str(error.value)


@pytest.mark.django_db
class TestTheDatabaseRefuses:
    """Triggers, for anything that does not go through the models: SQL, a shell, a program."""

    def test_update_of_an_entry(self, entries):
        entries(3)
        message = refused("UPDATE audit_auditevent SET summary = %s WHERE sequence = 2", ["x"])
        assert "audit_auditevent is append-only" in message
        assert AuditEvent.objects.get(sequence=2).summary != "x"

    def test_delete_of_an_entry(self, entries):
        entries(3)
        assert "only entries covered by a retention checkpoint" in refused(
            "DELETE FROM audit_auditevent WHERE sequence = 2"
        )
        assert AuditEvent.objects.count() == 3

    def test_delete_of_every_entry(self, entries):
        entries(3)
        refused("DELETE FROM audit_auditevent")
        assert verify_chain().ok

    def test_update_and_delete_of_a_checkpoint(self, db):
        raw(
            "INSERT INTO audit_auditcheckpoint (last_sequence, last_hash, last_occurred_at, "
            "older_than, removed, created_at, created_by) VALUES (1, 'x', %s, %s, 1, %s, 'x')",
            ["2020-01-01T00:00:00+00:00"] * 3,
        )
        assert "append-only" in refused("UPDATE audit_auditcheckpoint SET last_sequence = 5")
        assert "append-only" in refused("DELETE FROM audit_auditcheckpoint")

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
    def test_truncate_on_postgresql(self, entries):
        entries(3)
        assert "append-only" in refused("TRUNCATE audit_auditevent")
        assert "append-only" in refused("TRUNCATE audit_auditcheckpoint")


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_empties_the_log_and_keeps_the_triggers(entries):
    """Django's flush (the test runner's, between transactional tests) destroys every table, the
    log's too; the triggers are lifted for its transaction only."""
    entries(3)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    entries(2)
    assert verify_chain().ok and verify_chain().checked == 2
    refused("DELETE FROM audit_auditevent")
    refused("UPDATE audit_auditevent SET summary = 'x'")
