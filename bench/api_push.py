#!/usr/bin/env python3
"""Push a whole local authority's morning (100,000 marks) through the API in one batch.

    .venv/bin/python bench/api_push.py                     # SQLite, then PostgreSQL if reachable
    .venv/bin/python bench/api_push.py --pupils 5000 --no-postgres

Issue 9, "Done when": "bench/ pushes a whole local-authority morning (100,000 marks) through the
API in one batch and prints the time on SQLite and PostgreSQL (target: under 5 s on PostgreSQL)".

Each database gets a fresh, invented authority (not timed): --schools schools sharing the pupils,
their autumn-term calendar, one enrolment per pupil and the year's register already held (as it
is by November), the tables vacuumed and analysed (as autovacuum leaves them). One system account
is attendance lead at every school. Timed: the whole
POST /api/v1/marks of the Monday morning's marks through Django's test client (JSON parsing,
the schema, the marks.csv checks, scoping, the write and the audit entry); then, as the
reference measured in the same run, `import_marks` of the same pupils' afternoon as a marks.csv
file. Each database leg runs in its own interpreter, with DATABASE_URL set before Django starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/muster_bench_api"
TARGET_PG_SECONDS = 5.0
MONDAY = dt.date(2026, 11, 23)
TERM = (dt.date(2026, 9, 2), dt.date(2026, 12, 18))
LA_CODE = "938"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=100_000, help="marks in the morning (one per pupil)")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.pupils, args.schools)
    results = {}
    with tempfile.TemporaryDirectory(prefix="muster-bench-api-") as work:
        legs = [] if args.no_sqlite else [("SQLite", f"sqlite:///{Path(work) / 'api.sqlite3'}")]
        if not args.no_postgres:
            why = _recreate_postgres(args.postgres)
            if why:
                print(f"PostgreSQL skipped: {why}")
            else:
                legs.append(("PostgreSQL", args.postgres))
        for name, url in legs:
            print(f"{name}: building {args.pupils:,} pupils at {args.schools} schools (not timed)...", flush=True)
            done = subprocess.run([sys.executable, __file__, "--child", url, "--pupils", str(args.pupils),
                                   "--schools", str(args.schools)], capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stdout, done.stderr, sep="\n")
                return 1
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
            _echo(name, results[name])
    if "PostgreSQL" in results:
        met = results["PostgreSQL"]["api_seconds"] < TARGET_PG_SECONDS
        print(f"Target: {args.pupils:,} marks in one API batch under {TARGET_PG_SECONDS:.0f} s on PostgreSQL: "
              f"{'met' if met else 'NOT met'}")
    return 0


def _echo(name: str, r: dict) -> None:
    print(f"{name}: API batch of {r['marks']:,} marks {r['api_seconds']:.2f} s "
          f"(answer {r['status']}, {r['added']:,} added; {r['marks'] / r['api_seconds']:,.0f} marks/s)")
    print(f"{name}: reference, marks.csv import of the same pupils' afternoon {r['csv_seconds']:.2f} s; "
          f"API / CSV = {r['api_seconds'] / r['csv_seconds']:.2f}")


def _recreate_postgres(url: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True,
                             connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def _child(url: str, n_pupils: int, n_schools: int) -> int:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "muster.settings"
    os.environ["MUSTER_DEBUG"] = "false"  # as in production: no query log
    os.environ.setdefault("MUSTER_SECRET_KEY", secrets.token_urlsafe(40))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    secret, upns = _fill(n_pupils, n_schools)
    _settle()
    urns = [f"{990000 + s % n_schools:06d}" for s in range(n_pupils)]
    body = json.dumps({"client_batch_id": "bench-morning", "marks": [
        {"upn": u, "school_urn": urns[i], "date": MONDAY.isoformat(), "session": "AM",
         "mark": "/" if i % 17 else "N"} for i, u in enumerate(upns)]})
    client = Client()
    client.get("/api/v1/tasks", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="localhost", secure=True)
    # ^ a warm-up, not timed: a running server has its URLs and modules loaded already
    profile = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started = time.perf_counter()
    answer = client.post("/api/v1/marks", data=body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="localhost", secure=True)
    api_seconds = time.perf_counter() - started
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    if answer.status_code != 200:
        print(answer.status_code, answer.content[:2000].decode(), file=sys.stderr)
        return 1
    csv_seconds = _time_csv(upns, urns)
    print(json.dumps({"marks": n_pupils, "status": answer.status_code, "added": answer.json()["added"],
                      "api_seconds": api_seconds, "csv_seconds": csv_seconds}))
    return 0


def _settle() -> None:
    """Vacuum and analyse the freshly loaded tables, as autovacuum will have by a November
    morning: otherwise the timed push pays for setting the hint bits of 100,000 new rows and
    is planned without statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _time_csv(upns: list[str], urns: list[str]) -> float:
    from muster.registers.imports import import_marks

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "marks.csv"
        lines = ["upn,school_urn,date,session,mark"] + [
            f"{u},{urns[i]},{MONDAY.isoformat()},PM,{'\\' if i % 17 else 'N'}" for i, u in enumerate(upns)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        import_marks(path, name="bench afternoon")
        return time.perf_counter() - started


def _fill(n_pupils: int, n_schools: int) -> tuple[str, list[str]]:
    import numpy as np
    from django.db import transaction

    from muster.api.actions import create_api_token, create_integration_account
    from muster.bench import invented_upn
    from muster.core import slots
    from muster.core.roles import Role
    from muster.people.actions import assign_role
    from muster.people.models import Organisation
    from muster.registers import models as m
    from muster.registers.actions import load_register_years

    with transaction.atomic():
        authority = m.LocalAuthority.objects.create(code=LA_CODE, name="Benchmark Borough (invented)")
        schools = [m.School.objects.create(urn=f"{990000 + s:06d}", name=f"Benchmark School {s + 1} (invented)",
                                           local_authority=authority) for s in range(n_schools)]
        m.CalendarEntry.objects.bulk_create(m.CalendarEntry(school=s, start=TERM[0], end=TERM[1], kind="term")
                                            for s in schools)
        upns = [invented_upn(i) for i in range(n_pupils)]
        pupils = m.Pupil.objects.bulk_create(
            (m.Pupil(upn=u, legal_surname="Pupil", legal_forename=f"Benchmark {i + 1}",
                     date_of_birth=dt.date(2015, 9, 1) + dt.timedelta(days=i % 365), nc_year="6")
             for i, u in enumerate(upns)), batch_size=5000)
        enrolments = m.Enrolment.objects.bulk_create(
            (m.Enrolment(pupil=p, school=schools[i % n_schools], start=TERM[0]) for i, p in enumerate(pupils)),
            batch_size=5000)
        organisations = [Organisation.objects.create(kind="school", name=s.name, school=s) for s in schools]
    empty = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
    for lo in range(0, n_pupils, 10_000):
        load_register_years(rows=[(e.pk, 2026, empty) for e in enrolments[lo:lo + 10_000]],
                            source=m.MarkBatch.Source.IMPORT, description="bench: the year so far")
    account = create_integration_account(username="bench-mis", organisation=organisations[0],
                                         description="Benchmark LA-wide feed", starts=TERM[0])
    for organisation in organisations[1:]:
        assign_role(user=account.user, role=Role.ATTENDANCE_LEAD, organisation=organisation, starts=TERM[0])
    return create_api_token(user=account.user, name="bench")[1], upns


if __name__ == "__main__":
    sys.exit(main())
