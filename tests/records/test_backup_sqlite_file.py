"""`muster backup` of an SQLite file while another client is writing, and `muster restore`.

Source: SQLite's online backup API (https://www.sqlite.org/backup.html) copies a consistent
snapshot; in WAL mode (settings.py) readers see the last committed state and do not wait for a
writer. The commands run as a school would run them, in their own processes on a file database.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.exchange.samples import csv_text
from tests.registers.world import CALENDAR_HEADER, CALENDAR_ROWS, PUPIL_HEADER, PUPIL_ROWS

MUSTER = Path(sys.executable).with_name("muster")


def environment(database: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}


def run(database: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(MUSTER), *args], env=environment(database), capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return result


@pytest.mark.slow
def test_a_backup_taken_while_another_client_writes_holds_only_committed_data(tmp_path):
    database = tmp_path / "muster.sqlite3"
    (tmp_path / "calendar.csv").write_text(csv_text(CALENDAR_HEADER, CALENDAR_ROWS))
    (tmp_path / "pupils.csv").write_text(csv_text(PUPIL_HEADER, PUPIL_ROWS))
    run(database, "migrate")
    run(database, "import", "calendar", str(tmp_path / "calendar.csv"))

    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO registers_localauthority (code, name) VALUES ('999', 'Uncommitted')")
    backup = subprocess.Popen(
        [str(MUSTER), "backup", str(tmp_path / "muster.backup")], env=environment(database)
    )
    try:
        # The file appears once the copy is complete, while the writer still holds its lock
        # (the command may then wait for it to add its own audit entry).
        deadline = time.monotonic() + 60
        while not (tmp_path / "muster.backup").exists() and backup.poll() is None:
            assert time.monotonic() < deadline, "the backup waited for the writer"
            time.sleep(0.05)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert backup.wait(timeout=60) == 0

    run(database, "import", "pupils", str(tmp_path / "pupils.csv"))
    restored = run(database, "restore", str(tmp_path / "muster.backup"), "--yes")
    assert "Restored" in restored.stdout
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT count(*) FROM registers_pupil").fetchone() == (0,)
        assert check.execute("SELECT count(*) FROM registers_school").fetchone() == (2,)
        assert check.execute("SELECT count(*) FROM registers_localauthority").fetchone() == (0,)
