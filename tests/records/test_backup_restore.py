"""`muster backup` and `muster restore`: a round trip gives back every table as it was.

Sources: issue "People, roles and trust", "Data handling": backup and restore for SQLite and
PostgreSQL with a round-trip test. SQLite is copied with its online backup API
(https://www.sqlite.org/backup.html), PostgreSQL with pg_dump's custom format and
`pg_restore --clean --if-exists`. These run on whichever database DATABASE_URL names: the
tests run once on SQLite and once on PostgreSQL (`dev.py test`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from muster.cli import main
from muster.core.best_mark import OnConflict
from muster.records import backup as backups
from muster.records.anonymisation import anonymise_leavers
from muster.registers import imports
from muster.registers.models import MarkBatch, Pupil
from tests.records.world import PENROSE
from tests.registers.world import ASHDOWN, SCHOOL_A

pytestmark = pytest.mark.django_db(transaction=True)


def every_table(*, audit: bool = True) -> dict[str, list[tuple]]:
    """Every row of every table Django knows, binary values as bytes (register marks, sources).

    `audit=False` leaves out the audit log, which the commands add their own entries to."""
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if not audit and model._meta.app_label == "audit":
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        snapshot[model._meta.db_table] = [
            tuple(bytes(v) if isinstance(v, memoryview | bytes) else v for v in row) for row in rows
        ]
    return snapshot


@pytest.fixture
def held(leavers):
    """The invented world with leavers, a correction by a named person and a comment."""
    staff = get_user_model().objects.create_user("attendance.lead", password="not-used-here-1234")
    result = leavers.import_marks(
        [(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "I", "", "Ashdown unwell")],
        "ashdown.csv", user=staff,
    )
    assert result.added == 1
    return leavers


def change_everything(world) -> None:
    """Marks changed (versions raised), notes deleted, pupils anonymised, a school added."""
    world.import_marks(
        [(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")], "overwrite.csv",
        on_conflict=OnConflict.REPLACE,
    )
    anonymise_leavers(on=dt.date(2032, 1, 1), dry_run=False)
    imports.import_calendar(world.files.write(
        "new-school.csv", ["school_urn", "start", "end", "kind", "session", "label"],
        [("310009", "2025-09-01", "2025-12-19", "term", "", "Autumn")],
    ))


def test_a_backup_restores_every_table_as_it_was(held, tmp_path):
    before = every_table()
    manifest = backups.backup(tmp_path / "muster.backup")
    assert manifest.database == connection.vendor
    assert manifest.name == connection.settings_dict["NAME"]
    change_everything(held)
    assert every_table() != before
    backups.restore(tmp_path / "muster.backup")
    after = every_table()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"


def test_the_restored_database_carries_on_where_the_backup_left_off(held, tmp_path):
    """Id sequences come back too: new rows after a restore do not collide with restored ones."""
    backups.backup(tmp_path / "muster.backup")
    last_batch = MarkBatch.objects.order_by("-pk").first().pk
    change_everything(held)
    backups.restore(tmp_path / "muster.backup")
    held.import_marks([(ASHDOWN, SCHOOL_A, "2025-09-03", "AM", "/")], "after.csv")
    assert MarkBatch.objects.order_by("-pk").first().pk > last_batch
    assert Pupil.objects.filter(upn=PENROSE).exists()


def test_the_backup_file_says_which_database_it_came_from(held, tmp_path):
    backups.backup(tmp_path / "muster.backup")
    with tarfile.open(tmp_path / "muster.backup") as archive:
        assert archive.getnames() == ["manifest.json", backups.PAYLOAD[connection.vendor]]
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert manifest["database"] == connection.vendor
    assert (tmp_path / "muster.backup").stat().st_mode & 0o077 == 0, "readable by its owner only"


def fake_backup(path, database: str) -> None:
    text = json.dumps({"database": database, "name": "elsewhere", "created_at": "2026-07-31T18:00:00+00:00",
                       "muster_version": "0.1.0"}).encode()
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(text)
        archive.addfile(info, io.BytesIO(text))


def test_a_backup_from_the_other_kind_of_database_is_refused(held, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    fake_backup(tmp_path / "other.backup", other)
    before = every_table()
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "other.backup"), "--yes"])
    assert result.exit_code == 1
    assert f"is a {other} backup of elsewhere" in result.output
    assert "can only be restored into the kind of database it came from" in result.output
    assert every_table() == before


def test_a_file_that_is_not_a_backup_is_refused(held, tmp_path):
    (tmp_path / "notes.txt").write_text("not a backup")
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "notes.txt"), "--yes"])
    assert result.exit_code == 1
    assert "is not a Muster backup" in result.output


def test_restore_asks_first_and_changes_nothing_when_told_no(held, tmp_path):
    assert CliRunner().invoke(main, ["backup", str(tmp_path / "muster.backup")]).exit_code == 0
    change_everything(held)
    changed = every_table(audit=False)
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "muster.backup")], input="n\n")
    assert "Replace everything in" in result.output and result.exit_code == 1
    assert every_table(audit=False) == changed


def test_the_commands_back_up_and_restore(held, tmp_path):
    before = every_table(audit=False)
    made = CliRunner().invoke(main, ["backup", str(tmp_path / "muster.backup")])
    assert made.exit_code == 0, made.output
    assert f"a {connection.vendor} backup of" in made.output
    change_everything(held)
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "muster.backup")], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert every_table(audit=False) == before


def test_missing_postgresql_tools_are_named(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump was not found on PATH: install"):
        backups.pg_tool("pg_dump")
