"""`muster audit verify` and `muster audit prune` (issue "People, roles and trust": "with a
verification command"; "retention rules applied")."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from muster.audit.models import Action, AuditEvent
from muster.cli import main
from tests.audit.tamper import tamper

pytestmark = pytest.mark.django_db


def muster(*args: str):
    return CliRunner().invoke(main, list(args))


def test_verify_exits_0_when_the_chain_is_intact(entries):
    entries(5)
    result = muster("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "The audit chain is intact: 5 entries checked from the first entry." in result.output


def test_verify_exits_1_and_names_the_entry_when_a_row_was_edited(entries):
    entries(5)
    tamper("UPDATE audit_auditevent SET username = %s WHERE sequence = 2", ["someone-else"])
    result = muster("audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at entry #2: hash mismatch" in result.output
    assert "1 entries checked from the first entry were intact before it" in result.output


def test_verify_is_itself_recorded(entries):
    entries(2)
    muster("audit", "verify")
    recorded = AuditEvent.objects.get(action=Action.VERIFY)
    assert (recorded.username, recorded.source) == ("system", "muster audit verify")
    assert recorded.after == {"ok": True, "checked": 2, "first_bad": None}
    assert muster("audit", "verify").exit_code == 0


def test_prune_dry_run_says_what_would_go_and_changes_nothing(entries, clock):
    clock(dt.datetime(2019, 1, 7, tzinfo=dt.UTC))
    entries(3)
    clock(dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    result = muster("audit", "prune", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would remove 3 entries older than 2020-11-27" in result.output
    assert AuditEvent.objects.count() == 3


def test_prune_removes_old_entries_and_the_chain_still_verifies(entries, clock):
    clock(dt.datetime(2019, 1, 7, tzinfo=dt.UTC))
    entries(3)
    clock(dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    assert "Removed 3 entries" in muster("audit", "prune").output
    assert muster("audit", "verify").exit_code == 0
