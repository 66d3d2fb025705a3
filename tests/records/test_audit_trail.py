"""Records-management events go to the audit log: anonymisations, subject access exports,
backups and restores.

Source: issue "People, roles and trust": "every view of a child's record, every export and every
change ... is recorded"; `muster.audit.log.record_event` is the one function that writes entries.
While the audit app is not installed these events go nowhere; the first tests check the calls
against `record_event`'s signature, as the audit engineer gave it, and the audit actions
(`muster.audit.models.Action`); the last one checks the stored entries once it is installed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import types
import zipfile

import pytest
from click.testing import CliRunner
from django.apps import apps

from muster.cli import main
from muster.records import audit_trail, subject_access
from muster.records.anonymisation import anonymise_leavers
from muster.records.subject_access_export import write_subject_access_zip
from muster.registers.models import Pupil
from tests.records.world import PENROSE, QUILLAN

pytestmark = pytest.mark.django_db

AUDIT_INSTALLED = apps.is_installed("muster.audit")


AUDIT_ACTIONS = {"view", "list", "search", "export", "create", "change", "delete", "anonymise"}


@pytest.fixture
def recorded(monkeypatch) -> list[dict]:
    """Calls to `record_event`, each checked against its signature and the audit actions."""
    calls: list[dict] = []

    def record_event(
        *, user, action, record_kind, record_id=None, pupil_id=None, summary="", purpose="",
        source=None, before=None, after=None,
    ):
        assert action in AUDIT_ACTIONS
        calls.append({
            "user": user, "action": action, "record_kind": record_kind, "record_id": record_id,
            "pupil_id": pupil_id, "summary": summary, "purpose": purpose, "source": source,
            "before": before, "after": after,
        })

    monkeypatch.setattr(audit_trail.apps, "is_installed", lambda name: name == "muster.audit")
    fake = types.ModuleType("muster.audit.log")
    fake.record_event = record_event
    monkeypatch.setitem(sys.modules, "muster.audit.log", fake)
    monkeypatch.setattr(subject_access, "entries_about_pupil", lambda pupil_id: [])
    return calls


def test_each_anonymisation_is_recorded_without_the_child_s_identity(leavers, recorded):
    penrose = Pupil.objects.get(upn=PENROSE)
    anonymise_leavers(on=dt.date(2031, 10, 18), dry_run=False)
    [event] = recorded
    assert (event["action"], event["record_kind"], event["pupil_id"]) == ("anonymise", "pupil", penrose.pk)
    assert "last day on roll 2025-10-17" in event["summary"]
    text = json.dumps(event, default=str)
    assert PENROSE not in text and "Penrose" not in text and "Wren" not in text


def test_a_dry_run_records_nothing(leavers, recorded):
    anonymise_leavers(on=dt.date(2031, 10, 18), dry_run=True)
    assert recorded == []


def test_a_subject_access_export_is_recorded(leavers, recorded):
    pupil = Pupil.objects.get(upn=QUILLAN)
    write_subject_access_zip(pupil, io.BytesIO(), today=dt.date(2026, 8, 3), purpose="request of 1 Aug")
    [event] = recorded
    assert (event["action"], event["pupil_id"], event["purpose"]) == ("export", pupil.pk, "request of 1 Aug")


@pytest.mark.django_db(transaction=True)
def test_backups_and_restores_are_recorded(leavers, recorded, tmp_path):
    assert CliRunner().invoke(main, ["backup", str(tmp_path / "m.backup")]).exit_code == 0
    assert CliRunner().invoke(main, ["restore", str(tmp_path / "m.backup"), "--yes"]).exit_code == 0
    assert [(e["action"], e["record_kind"], e["source"]) for e in recorded] == [
        ("export", "database", "muster backup"), ("change", "database", "muster restore"),
    ]


@pytest.mark.skipif(not AUDIT_INSTALLED, reason="muster.audit is not in INSTALLED_APPS yet")
def test_the_anonymisation_is_in_the_audit_log_and_in_a_later_export(leavers):
    penrose = Pupil.objects.get(upn=PENROSE)
    anonymise_leavers(on=dt.date(2031, 10, 18), dry_run=False)
    penrose.refresh_from_db()
    buffer = io.BytesIO()
    write_subject_access_zip(penrose, buffer, today=dt.date(2031, 10, 18))
    with zipfile.ZipFile(buffer) as archive:
        entries = json.loads(archive.read("attendance-record.json"))["audit_log"]
        assert "csv/audit-log.csv" in archive.namelist()
    assert [e["action"] for e in entries] == ["Anonymised"]
    assert entries[0]["who"] == "system"
