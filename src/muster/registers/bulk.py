"""Set-based statements for a whole batch of register years, on SQLite and PostgreSQL.

A local authority's morning is 100,000 register years touched at once (issue 9). The ORM would
build a model per row and a CASE per updated row; these send each step as one statement over
arrays on PostgreSQL (`unnest`) and as `executemany` on SQLite, where there is no network to
cross. Rows are plain tuples; the rules stay in `muster.registers.actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import psycopg
from django.db import connection

from muster.core import slots
from muster.registers import pg_arrays
from muster.registers.models import MarkNote, MarkSource, RegisterYear, RegisterYearSource

CHUNK = 20_000
"""Rows per statement: 20,000 register years are about 15 MB of marks."""
SQLITE_IDS = 500
"""Ids per `IN (...)` on SQLite, well inside its limit on bound parameters."""

INT8, INT4, BYTEA = pg_arrays.int8_array, pg_arrays.int4_array, pg_arrays.bytea_array


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def server_cursor(binary: bool = False) -> psycopg.Cursor:
    """On PostgreSQL, a cursor on Django's connection that binds on the server: it sends arrays
    as parameters (Django's binds on the client, which would quote megabytes of marks into the
    SQL text), packed by numpy; `binary` results read bytea as it is stored (performance.md:
    psycopg's client-side cursors cannot return binary results)."""
    connection.ensure_connection()
    cursor = pg_arrays.register(psycopg.Cursor(connection.connection))
    if binary:
        cursor.format = psycopg.pq.Format.BINARY
    return cursor


def _unnest(sql: str, rows: Sequence[tuple], packers: Sequence[Callable], *, binary: bool = False,
            ) -> tuple[list[tuple], int]:
    """Run `sql` on PostgreSQL for each CHUNK of `rows`, each column an array parameter packed by
    its packer (bind them as `%b`); the rows it returned and how many it changed."""
    found, changed = [], 0
    with server_cursor(binary) as cursor:
        for lo in range(0, len(rows), CHUNK):
            chunk = rows[lo : lo + CHUNK]
            cursor.execute(sql, [pack([row[i] for row in chunk]) for i, pack in enumerate(packers)])
            if cursor.description is not None:
                found.extend(cursor.fetchall())
            changed += max(cursor.rowcount, 0)
    return found, changed


def _sqlite_by_id(select: str, ids: Iterable[int]) -> list[tuple]:
    """On SQLite, `select` (ending `WHERE column`) for these ids, a few hundred at a time."""
    ordered, found = sorted(set(ids)), []
    with connection.cursor() as cursor:
        for lo in range(0, len(ordered), SQLITE_IDS):
            chunk = ordered[lo : lo + SQLITE_IDS]
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            found.extend(cursor.fetchall())
    return found


def read_spans(keys: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]] | None = None,
               ) -> list[tuple[int, int, int, int, bytes]]:
    """(id, enrolment id, academic year, version, marks) of those of `keys` that are held; with
    `spans`, only the marks from slot `lo` for `n` slots of each: a morning reads a byte each."""
    table = _table(RegisterYear)
    spans = spans or [(0, slots.SLOTS_PER_YEAR)] * len(keys)
    if _postgres():
        return _unnest(
            f"SELECT r.id, r.enrolment_id, r.academic_year, r.version, substring(r.marks from k.lo + 1 for k.n) "
            f"FROM {table} r JOIN unnest(%b::bigint[], %b::bigint[], %b::integer[], %b::integer[]) AS k(e, y, lo, n) "
            "ON r.enrolment_id = k.e AND r.academic_year = k.y",
            [(e, y, lo, n) for (e, y), (lo, n) in zip(keys, spans, strict=True)], [INT8, INT8, INT4, INT4],
            binary=True,
        )[0]
    wanted = dict(zip(keys, spans, strict=True))
    held = _sqlite_by_id(f"SELECT id, enrolment_id, academic_year, version, marks FROM {table} WHERE enrolment_id",
                         (e for e, _ in keys))
    return [(pk, e, y, version, bytes(marks)[span[0] : span[0] + span[1]])
            for pk, e, y, version, marks in held if (span := wanted.get((e, y))) is not None]


def insert_register_years(rows: Sequence[tuple[int, int, bytes]]) -> dict[tuple[int, int], int]:
    """Create register years (enrolment id, academic year, marks), version 1; their ids by key."""
    table = _table(RegisterYear)
    if _postgres():
        created, _ = _unnest(
            f"INSERT INTO {table} (enrolment_id, academic_year, marks, version) "
            "SELECT e, y, m, 1 FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[]) AS v(e, y, m) "
            "RETURNING id, enrolment_id, academic_year",
            rows, [INT8, INT8, BYTEA],
        )
        return {(e, y): pk for pk, e, y in created}
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (enrolment_id, academic_year, marks, version) "
                           "VALUES (%s, %s, %s, 1)", list(rows))
    return {(e, y): pk for pk, e, y, _, _ in read_spans([(e, y) for e, y, _ in rows], [(0, 0)] * len(rows))}


def write_spans(rows: Sequence[tuple[int, int, int, bytes]]) -> int:
    """For (id, version read, lo, marks), put the marks in from slot `lo` and raise the version
    by one, where it is still the version read (optimistic locking); how many were."""
    table = _table(RegisterYear)
    if _postgres():
        return _unnest(
            f"UPDATE {table} AS r SET marks = overlay(r.marks placing v.m from v.lo + 1), version = r.version + 1 "
            "FROM unnest(%b::bigint[], %b::integer[], %b::integer[], %b::bytea[]) AS v(id, version, lo, m) "
            "WHERE r.id = v.id AND r.version = v.version",
            rows, [INT8, INT4, INT4, BYTEA],
        )[1]
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
        _unnest(f"INSERT INTO {table} (register_year_id, batch_id, slots) "
                "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])", rows, [INT8, INT8, BYTEA])
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (register_year_id, batch_id, slots) VALUES (%s, %s, %s)",
                           list(rows))


def write_folded_sources(rows: Sequence[tuple[int, bytes]]) -> None:
    """Store (register year id, a batch id per slot) as each register year's folded sources,
    created or replaced (`muster.registers.provenance.fold`)."""
    table = _table(RegisterYearSource)
    upsert = (f"INSERT INTO {table} (register_year_id, batches) {{}} "
              "ON CONFLICT (register_year_id) DO UPDATE SET batches = excluded.batches")
    if _postgres():
        _unnest(upsert.format("SELECT * FROM unnest(%b::bigint[], %b::bytea[])"), rows, [INT8, BYTEA])
        return
    with connection.cursor() as cursor:
        cursor.executemany(upsert.format("VALUES (%s, %s)"), list(rows))


def read_notes(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int | None, str]]:
    """(minutes late, comment) held for those (register year id, slot) that have a note."""
    pairs = list(pairs)
    if not pairs:
        return {}
    table = _table(MarkNote)
    if _postgres():
        held, _ = _unnest(
            f"SELECT n.register_year_id, n.slot, n.minutes_late, n.comment FROM {table} n "
            "JOIN unnest(%b::bigint[], %b::integer[]) AS k(r, s) ON n.register_year_id = k.r AND n.slot = k.s",
            pairs, [INT8, INT4],
        )
        return {(r, s): (m, c) for r, s, m, c in held}
    wanted = set(pairs)
    held = _sqlite_by_id(f"SELECT register_year_id, slot, minutes_late, comment FROM {table} WHERE register_year_id",
                         (r for r, _ in wanted))
    return {(r, s): (m, c) for r, s, m, c in held if (r, s) in wanted}
