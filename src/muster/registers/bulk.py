"""Set-based statements for a whole batch of register years, on SQLite and PostgreSQL.

A local authority's morning is 100,000 register years touched at once (issue 9). The ORM would
build a model per row and a CASE per updated row; these send each step as one statement over
arrays on PostgreSQL (`unnest`) and as `executemany` on SQLite, where there is no network to
cross. Rows are plain tuples; the rules stay in `muster.registers.actions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg
from django.db import connection

from muster.core import slots
from muster.registers import pg_arrays
from muster.registers.models import MarkNote, MarkSource, RegisterYear

CHUNK = 20_000
"""Rows per statement: 20,000 register years are about 15 MB of marks."""
SQLITE_IDS = 500
"""Ids per `IN (...)` on SQLite, well inside its limit on bound parameters."""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _server_cursor(binary: bool = False) -> psycopg.Cursor:
    """On PostgreSQL, a cursor that sends arrays as parameters (Django's binds on the client,
    which would quote megabytes of marks into the SQL text), packed by numpy; `binary` results
    read bytea as it is stored (performance.md)."""
    connection.ensure_connection()
    cursor = pg_arrays.register(psycopg.Cursor(connection.connection))
    if binary:
        cursor.format = psycopg.pq.Format.BINARY
    return cursor


def read_spans(keys: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]] | None = None,
               ) -> list[tuple[int, int, int, int, bytes]]:
    """(id, enrolment id, academic year, version, marks) of those of `keys` that are held; with
    `spans`, only the marks from slot `lo` for `n` slots of each: a morning reads a byte each."""
    table = _table(RegisterYear)
    spans = spans or [(0, slots.SLOTS_PER_YEAR)] * len(keys)
    found = []
    if _postgres():
        sql = (f"SELECT r.id, r.enrolment_id, r.academic_year, r.version, substring(r.marks from k.lo + 1 for k.n) "
               f"FROM {table} r JOIN unnest(%b::bigint[], %b::bigint[], %b::integer[], %b::integer[]) AS k(e, y, lo, n) "
               "ON r.enrolment_id = k.e AND r.academic_year = k.y")
        with _server_cursor(binary=True) as cursor:
            for lo in range(0, len(keys), CHUNK * 5):
                chunk, span = keys[lo : lo + CHUNK * 5], spans[lo : lo + CHUNK * 5]
                cursor.execute(sql, [pg_arrays.int8_array([e for e, _ in chunk]),
                                     pg_arrays.int8_array([y for _, y in chunk]),
                                     pg_arrays.int4_array([a for a, _ in span]),
                                     pg_arrays.int4_array([n for _, n in span])])
                found.extend(cursor.fetchall())
        return found
    wanted = {key: span for key, span in zip(keys, spans, strict=True)}
    enrolments = sorted({e for e, _ in keys})
    with connection.cursor() as cursor:
        for lo in range(0, len(enrolments), SQLITE_IDS):
            chunk = enrolments[lo : lo + SQLITE_IDS]
            cursor.execute(f"SELECT id, enrolment_id, academic_year, version, marks FROM {table} "
                           f"WHERE enrolment_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            for pk, e, y, version, marks in cursor.fetchall():
                if (span := wanted.get((e, y))) is not None:
                    found.append((pk, e, y, version, bytes(marks)[span[0] : span[0] + span[1]]))
    return found


def insert_register_years(rows: Sequence[tuple[int, int, bytes]]) -> dict[tuple[int, int], int]:
    """Create register years (enrolment id, academic year, marks), version 1; their ids by key."""
    table = _table(RegisterYear)
    ids: dict[tuple[int, int], int] = {}
    if _postgres():
        with _server_cursor() as cursor:
            for lo in range(0, len(rows), CHUNK):
                chunk = rows[lo : lo + CHUNK]
                cursor.execute(
                    f"INSERT INTO {table} (enrolment_id, academic_year, marks, version) "
                    "SELECT e, y, m, 1 FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[]) AS v(e, y, m) "
                    "RETURNING id, enrolment_id, academic_year",
                    [pg_arrays.int8_array([r[0] for r in chunk]), pg_arrays.int8_array([r[1] for r in chunk]),
                     pg_arrays.bytea_array([r[2] for r in chunk])],
                )
                ids.update(((e, y), pk) for pk, e, y in cursor.fetchall())
        return ids
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (enrolment_id, academic_year, marks, version) "
                           "VALUES (%s, %s, %s, 1)", list(rows))
    return {(e, y): pk for pk, e, y, _, _ in read_spans([(e, y) for e, y, _ in rows], [(0, 0)] * len(rows))}


def write_spans(rows: Sequence[tuple[int, int, int, bytes]]) -> int:
    """For (id, version read, lo, marks), put the marks in from slot `lo` and raise the version
    by one, where it is still the version read (optimistic locking); how many were."""
    table = _table(RegisterYear)
    updated = 0
    if _postgres():
        with _server_cursor() as cursor:
            for lo in range(0, len(rows), CHUNK * 5):
                chunk = rows[lo : lo + CHUNK * 5]
                cursor.execute(
                    f"UPDATE {table} AS r SET marks = overlay(r.marks placing v.m from v.lo + 1), "
                    "version = r.version + 1 "
                    "FROM unnest(%b::bigint[], %b::integer[], %b::integer[], %b::bytea[]) AS v(id, version, lo, m) "
                    "WHERE r.id = v.id AND r.version = v.version",
                    [pg_arrays.int8_array([r[0] for r in chunk]), pg_arrays.int4_array([r[1] for r in chunk]),
                     pg_arrays.int4_array([r[2] for r in chunk]), pg_arrays.bytea_array([r[3] for r in chunk])],
                )
                updated += cursor.rowcount
        return updated
    connection.ensure_connection()
    connection.connection.create_function("muster_overlay", 3, _overlay, deterministic=True)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET marks = muster_overlay(marks, %s, %s), version = version + 1 "
                           "WHERE id = %s AND version = %s",
                           [(lo, marks, pk, version) for pk, version, lo, marks in rows])
        return cursor.rowcount


def _overlay(marks: bytes, lo: int, span: bytes) -> bytes:
    return marks[:lo] + span + marks[lo + len(span) :]


def append_sources(rows: Sequence[tuple[int, int, bytes]]) -> None:
    """Append (register year id, batch id, slots written) to the log of who wrote each mark."""
    table = _table(MarkSource)
    if _postgres():
        with _server_cursor() as cursor:
            for lo in range(0, len(rows), CHUNK * 5):
                chunk = rows[lo : lo + CHUNK * 5]
                cursor.execute(
                    f"INSERT INTO {table} (register_year_id, batch_id, slots) "
                    "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])",
                    [pg_arrays.int8_array([r[0] for r in chunk]), pg_arrays.int8_array([r[1] for r in chunk]),
                     pg_arrays.bytea_array([r[2] for r in chunk])],
                )
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (register_year_id, batch_id, slots) VALUES (%s, %s, %s)",
                           list(rows))


def read_notes(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int | None, str]]:
    """(minutes late, comment) held for those (register year id, slot) that have a note."""
    pairs = list(pairs)
    table = _table(MarkNote)
    notes: dict[tuple[int, int], tuple[int | None, str]] = {}
    if not pairs:
        return notes
    if _postgres():
        with _server_cursor() as cursor:
            for lo in range(0, len(pairs), CHUNK * 5):
                chunk = pairs[lo : lo + CHUNK * 5]
                cursor.execute(
                    f"SELECT n.register_year_id, n.slot, n.minutes_late, n.comment FROM {table} n "
                    "JOIN unnest(%b::bigint[], %b::integer[]) AS k(r, s) ON n.register_year_id = k.r AND n.slot = k.s",
                    [pg_arrays.int8_array([r for r, _ in chunk]), pg_arrays.int4_array([s for _, s in chunk])],
                )
                notes.update(((r, s), (m, c)) for r, s, m, c in cursor.fetchall())
        return notes
    with connection.cursor() as cursor:
        wanted = set(pairs)
        registers = sorted({r for r, _ in wanted})
        for lo in range(0, len(registers), SQLITE_IDS):
            chunk = registers[lo : lo + SQLITE_IDS]
            cursor.execute(f"SELECT register_year_id, slot, minutes_late, comment FROM {table} "
                           f"WHERE register_year_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            notes.update(((r, s), (m, c)) for r, s, m, c in cursor.fetchall() if (r, s) in wanted)
    return notes
