"""The hash chain (issue "People, roles and trust"): "append-only and tamper-evident (each entry
chained to the previous by hash, with a verification command)". Done when: "The audit chain
verifies, and a test that edits one stored audit row makes verification fail."

Tampering is done as someone with the database owner's rights would do it (tests/audit/tamper.py):
lift the triggers, then write with SQL.
"""

from __future__ import annotations

import doctest

import pytest

from muster.audit import chain
from muster.audit.log import record_event
from muster.audit.models import Action, AuditEvent, AuditHead
from muster.audit.verify import Problem, verify_chain
from tests.audit.tamper import tamper

pytestmark = pytest.mark.django_db


def test_the_chain_verifies_after_many_entries(entries):
    written = entries(300)
    result = verify_chain()
    assert result.ok, result.report()
    assert result.checked == 300
    assert (result.last_sequence, result.last_hash) == (300, written[-1].hash)
    assert [e.sequence for e in written] == list(range(1, 301))


def test_each_entry_links_to_the_hash_of_the_one_before(entries):
    first, second = entries(2)
    assert first.previous_hash == chain.GENESIS
    assert second.previous_hash == first.hash
    assert first.hash == chain.entry_hash(first.chained_fields())


def test_editing_one_stored_row_makes_verification_fail_and_names_it(entries):
    """Done when: "a test that edits one stored audit row makes verification fail"."""
    entries(10)
    assert tamper("UPDATE audit_auditevent SET summary = %s WHERE sequence = 6", ["Nothing to see"]) == 1
    result = verify_chain()
    assert not result.ok
    assert (result.first_bad, result.problem) == (6, Problem.HASH_MISMATCH)
    assert result.checked == 5
    assert "BROKEN at entry #6: hash mismatch" in result.report()


@pytest.mark.parametrize("column,value", [
    ("username", "someone-else"), ("occurred_at", "2020-01-01 00:00:00"), ("pupil_id", 999),
    ("source", "10.0.0.1"), ("purpose", "changed"), ("action", "list"), ("record_id", "1"),
])
def test_editing_any_field_of_a_stored_row_makes_verification_fail(entries, column, value):
    """"who, when, from where, and for what purpose" are all covered by the hash."""
    entries(3)
    tamper(f"UPDATE audit_auditevent SET {column} = %s WHERE sequence = 3", [value])
    assert (verify_chain().first_bad, verify_chain().problem) == (3, Problem.HASH_MISMATCH)


def test_editing_the_before_and_after_values_makes_verification_fail(entries):
    """"every change (before and after)"."""
    entries(3)
    tamper("UPDATE audit_auditevent SET after = %s WHERE sequence = 3", ['{"code": "O"}'])
    assert verify_chain().first_bad == 3


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_link_from_the_next(entries):
    """A tamperer who recomputes the edited row's hash is found at the next entry."""
    written = entries(5)
    edited = written[2]
    edited.summary = "Nothing to see"
    tamper("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE sequence = 3",
           [edited.summary, edited.computed_hash()])
    result = verify_chain()
    assert (result.first_bad, result.problem) == (4, Problem.BROKEN_LINK)
    assert "not the hash of entry #3" in result.detail


def test_deleting_a_row_in_the_middle_makes_verification_fail(entries):
    entries(10)
    assert tamper("DELETE FROM audit_auditevent WHERE sequence = 4") == 1
    result = verify_chain()
    assert (result.first_bad, result.problem, result.checked) == (4, Problem.GAP, 3)
    assert "Entries #4 to #4 are missing" in result.detail


def test_deleting_the_last_rows_makes_verification_fail(entries):
    """The head every writer updates remembers how long the chain was."""
    entries(10)
    tamper("DELETE FROM audit_auditevent WHERE sequence >= 9")
    result = verify_chain()
    assert (result.first_bad, result.problem) == (9, Problem.MISSING_END)


def test_replacing_the_last_row_makes_verification_fail(entries):
    written = entries(4)
    last = written[-1]
    last.summary = "Nothing to see"
    tamper("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE sequence = 4",
           [last.summary, last.computed_hash()])
    assert (verify_chain().first_bad, verify_chain().problem) == (4, Problem.HEAD_MISMATCH)


def test_an_empty_log_verifies(db):
    assert verify_chain().ok and verify_chain().checked == 0


def test_entries_written_after_the_head_was_read_are_left_for_next_time(entries):
    """Verification reads the head first, so an entry being written meanwhile is no gap."""
    entries(3)
    AuditHead.objects.filter(pk=1).update(sequence=2, hash=AuditEvent.objects.get(sequence=2).hash)
    result = verify_chain()
    assert result.ok and result.checked == 2


@pytest.mark.parametrize("value", [
    {"attendance": 92.5, "tiny": 1e-7, "big": 1e20, "minus_zero": -0.0, "whole": 2.0},
    {"on": "2026-01-05", "nested": [{"b": 1, "a": [None, True, "é"]}], "nul": "a\x00b"},
    [1, 2, 3],
    "a plain string",
])
def test_before_and_after_values_verify_after_the_database_stores_them(db, value):
    """PostgreSQL's jsonb rewrites numbers and refuses NUL; the hash is of what it gives back."""
    record_event(user=None, action=Action.CHANGE, record_kind="register", before=value, after=value)
    stored = AuditEvent.objects.get()
    assert stored.computed_hash() == stored.hash
    assert verify_chain().ok


def test_the_canonical_text_is_documented_by_example():
    assert doctest.testmod(chain).failed == 0
