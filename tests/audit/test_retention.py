"""Retention (issue "People, roles and trust": "retention rules applied"). Entries are kept six
years, as register entries are (policies/national/retention/audit_years.yaml; SI 2024/208,
domain reference 1 "Retention"); pruning leaves a checkpoint so what remains still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from muster.audit.models import Action, AuditCheckpoint, AuditEvent
from muster.audit.retention import prune_expired, retention_years, years_before
from muster.audit.verify import Problem, verify_chain
from muster.core.parameters import national
from tests.audit.tamper import raw, tamper

pytestmark = pytest.mark.django_db

WRITTEN = dt.datetime(2020, 3, 2, 9, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
PRUNED = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def old_and_new(entries, clock):
    """Four entries written more than six years before PRUNED, three within it."""
    clock(WRITTEN)
    entries(4)
    clock(LATER)
    entries(3)
    clock(PRUNED)


def test_the_period_is_six_years_as_dated_policy_data_with_its_source():
    parameter = national("retention", "audit_years")
    assert retention_years(dt.date(2026, 11, 27)) == 6
    assert parameter.unit == "years"
    assert "SI 2024/208" in parameter.entries[0].reference
    assert 'domain reference 1 "Retention"' in parameter.entries[0].reference


def test_prune_removes_entries_past_retention_and_the_rest_still_verifies(old_and_new):
    result = prune_expired()
    assert (result.removed, result.first_sequence, result.last_sequence) == (4, 1, 4)
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [5, 6, 7, 8]
    verified = verify_chain()
    assert verified.ok, verified.report()
    assert (verified.starts_after, verified.checked) == (4, 4)


def test_prune_leaves_a_checkpoint_and_is_itself_recorded(old_and_new):
    fourth_hash = AuditEvent.objects.get(sequence=4).hash
    prune_expired(source="muster audit prune")
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.last_sequence, checkpoint.last_hash, checkpoint.removed) == (4, fourth_hash, 4)
    assert checkpoint.older_than == dt.datetime(2020, 11, 27, 12, 0, tzinfo=dt.UTC)
    recorded = AuditEvent.objects.get(action=Action.PRUNE)
    assert (recorded.username, recorded.record_kind, recorded.source) == ("system", "audit", "muster audit prune")
    assert recorded.after["checkpoint_sequence"] == 4 and recorded.after["removed"] == 4


def test_tampering_after_a_prune_is_found(old_and_new):
    prune_expired()
    tamper("UPDATE audit_auditevent SET summary = %s WHERE sequence = 6", ["Nothing to see"])
    result = verify_chain()
    assert (result.first_bad, result.problem) == (6, Problem.HASH_MISMATCH)


def test_changing_the_checkpoint_is_found(old_and_new):
    prune_expired()
    tamper("UPDATE audit_auditcheckpoint SET last_hash = %s", ["0" * 64])
    result = verify_chain()
    assert (result.first_bad, result.problem) == (5, Problem.BROKEN_LINK)


def test_a_checkpoint_slipped_in_to_cover_deletions_is_found(old_and_new):
    """The triggers let DELETE remove what a checkpoint covers; a checkpoint that retention did
    not write has no prune entry naming it."""
    prune_expired()
    sixth = AuditEvent.objects.get(sequence=6)
    raw(
        "INSERT INTO audit_auditcheckpoint (last_sequence, last_hash, last_occurred_at, older_than, "
        "removed, created_at, created_by) VALUES (6, %s, %s, %s, 2, %s, 'system')",
        [sixth.hash, sixth.occurred_at, PRUNED, PRUNED],
    )
    raw("DELETE FROM audit_auditevent WHERE sequence <= 6")
    result = verify_chain()
    assert (result.first_bad, result.problem) == (6, Problem.UNANNOUNCED_CHECKPOINT)


def test_an_entry_put_back_before_the_checkpoint_is_found(old_and_new):
    first = AuditEvent.objects.filter(sequence=1).values()[0]
    prune_expired()
    columns = ", ".join(first)
    raw(f"INSERT INTO audit_auditevent ({columns}) VALUES ({', '.join(['%s'] * len(first))})",
        [v if not isinstance(v, dict) else None for v in first.values()])
    assert verify_chain().problem == Problem.PRUNED_ENTRY_PRESENT


def test_entries_not_covered_by_a_checkpoint_still_cannot_be_deleted(old_and_new):
    prune_expired()
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE sequence = 5")


def test_a_dry_run_changes_nothing(old_and_new):
    result = prune_expired(dry_run=True)
    assert (result.removed, result.dry_run) == (4, True)
    assert "Would remove 4 entries" in result.report()
    assert AuditEvent.objects.count() == 7 and not AuditCheckpoint.objects.exists()


def test_pruning_twice_removes_nothing_more(old_and_new):
    prune_expired()
    again = prune_expired()
    assert again.removed == 0 and AuditCheckpoint.objects.count() == 1
    assert verify_chain().ok


def test_a_later_prune_starts_from_the_newer_checkpoint(old_and_new, clock):
    prune_expired()
    clock(dt.datetime(2030, 7, 1, tzinfo=dt.UTC))
    second = prune_expired()
    assert (second.first_sequence, second.last_sequence) == (5, 7)
    assert verify_chain().ok and verify_chain().starts_after == 7


def test_six_years_before_29_february_is_28_february():
    leap = dt.datetime(2028, 2, 29, 10, 0, tzinfo=dt.UTC)
    assert years_before(leap, 6) == dt.datetime(2022, 2, 28, 10, 0, tzinfo=dt.UTC)
