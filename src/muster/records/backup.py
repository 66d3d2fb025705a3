"""Backing up and restoring the whole database, SQLite or PostgreSQL.

A backup file is a tar holding `manifest.json` (which kind of database it came from, its name,
when, and Muster's version) and the database itself: for SQLite a copy made with SQLite's online
backup API, consistent while the server keeps writing; for PostgreSQL a `pg_dump` archive in the
custom format. Restoring puts it back over the database named by DATABASE_URL (SQLite's backup
API the other way; `pg_restore --clean --if-exists` in one transaction), and refuses a backup
from the other kind of database: their contents are not interchangeable.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.db import connection

FORMAT = "muster-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    database: str
    """`sqlite` or `postgresql`."""
    name: str
    created_at: str
    muster_version: str

    def describe(self) -> str:
        return f"a {self.database} backup of {self.name}, taken {self.created_at}"


def database_kind() -> str:
    vendor = connection.vendor
    if vendor not in PAYLOAD:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def database_name() -> str:
    return str(connection.settings_dict["NAME"])


def backup(destination: Path) -> Manifest:
    """Write a backup of the current database to `destination` (replaced only when complete)."""
    kind = database_kind()
    manifest = Manifest(
        database=kind,
        name=database_name(),
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        muster_version=metadata.version("muster"),
    )
    destination = Path(destination)
    with tempfile.TemporaryDirectory(dir=destination.parent) as work:
        payload = Path(work) / PAYLOAD[kind]
        if kind == "sqlite":
            _sqlite_backup(payload)
        else:
            _pg_dump(payload)
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            text = json.dumps(manifest.__dict__, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
            archive.add(payload, arcname=PAYLOAD[kind])
        partial.chmod(0o600)  # every child's records: readable by the owner only
        os.replace(partial, destination)
    return manifest


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            fields = json.loads(member.read())
    except (tarfile.TarError, KeyError, ValueError, OSError):
        raise BackupError(f"{source} is not a Muster backup (made by `muster backup`)") from None
    try:
        return Manifest(**fields)
    except TypeError:
        raise BackupError(f"{source}: the backup's manifest is not one this Muster reads") from None


def check_restorable(source: Path) -> Manifest:
    """The backup's manifest, if it can be restored into the current database."""
    manifest = read_manifest(source)
    kind = database_kind()
    if manifest.database != kind:
        raise BackupError(
            f"{source} is {manifest.describe()}; the database here is {kind} "
            f"({database_name()}). A backup can only be restored into the kind of database it "
            f"came from: set DATABASE_URL to a {manifest.database} database, or move the data "
            "with exports and imports."
        )
    return manifest


def restore(source: Path) -> Manifest:
    """Replace the current database's contents with the backup's."""
    manifest = check_restorable(source)
    with tempfile.TemporaryDirectory() as work:
        payload = Path(work) / PAYLOAD[manifest.database]
        with tarfile.open(source, "r") as archive:
            member = archive.extractfile(PAYLOAD[manifest.database])
            if member is None:
                raise BackupError(f"{source} has no {PAYLOAD[manifest.database]}")
            with payload.open("wb") as out:
                shutil.copyfileobj(member, out)
        if manifest.database == "sqlite":
            _sqlite_restore(payload)
        else:
            _pg_restore(payload)
    return manifest


def _sqlite_backup(payload: Path) -> None:
    """SQLite's online backup API reads a consistent snapshot even while others write."""
    connection.ensure_connection()
    target = sqlite3.connect(payload)
    try:
        with target:
            connection.connection.backup(target)
    finally:
        target.close()


def _sqlite_restore(payload: Path) -> None:
    source = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("the SQLite database in the backup is damaged")
        if connection.in_atomic_block:
            raise BackupError("cannot restore inside a transaction")
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the SQLite database in the backup cannot be read: {error}") from None
    finally:
        source.close()
    connection.close()


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools (the same major "
            "version as the server or newer, e.g. the postgresql-client package)"
        )
    return path


def _pg_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options and environment for pg_dump and pg_restore, from Django's settings
    (so the test database when run under the tests). The password goes in the environment,
    never on the command line."""
    settings = connection.settings_dict
    args = ["--no-password", "--dbname", str(settings["NAME"])]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")


def _pg_dump(payload: Path) -> None:
    args, env = _pg_arguments()
    _run([pg_tool("pg_dump"), "--format=custom", "--file", str(payload), *args], env)


def _pg_restore(payload: Path) -> None:
    """Drop and recreate every object in the backup in one transaction: all or nothing."""
    tool = pg_tool("pg_restore")
    args, env = _pg_arguments()
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    connection.close()  # hold no locks on the tables pg_restore drops
    _run([tool, "--clean", "--if-exists", "--single-transaction", "--exit-on-error", *args,
          str(payload)], env)
