"""The `muster` command: set up, import, report, demo, serve, benchmark.

Each command is a thin shell over the actions and reports in the Django apps; no rule lives here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import click


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    import django

    django.setup()


def _today() -> dt.date:
    """Today in England, where the registers are taken."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(tz=ZoneInfo("Europe/London")).date()


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="muster")
def main() -> None:
    """Muster: school attendance registers, figures and the work that follows.

    The database is SQLite in ./var unless DATABASE_URL names another
    (sqlite:///path or postgres://user@host:port/name).
    """


@main.command()
def migrate() -> None:
    """Create or update the database tables.

    Example: DATABASE_URL=sqlite:///muster.sqlite3 muster migrate
    """
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@main.group(name="import")
def import_() -> None:
    """Import a CSV exchange file (formats in shared/domain/formats.md).

    A file with any bad row changes nothing: every bad row is listed with its
    line, column, value and reason, and the command exits with status 1.
    Importing the same file twice changes nothing the second time.
    """


def _run_import(kind: str, path: Path, **options) -> None:
    _django()
    from muster.core.exchange.csv_file import FileRejected
    from muster.registers import imports
    from muster.registers.actions import StaleRegister

    function = {"marks": imports.import_marks, "pupils": imports.import_pupils,
                "calendar": imports.import_calendar, "schools": imports.import_schools}[kind]
    total = _count_lines(path)
    try:
        if sys.stderr.isatty() and total > 20_000:
            with click.progressbar(length=total, label=f"Reading {path.name}", file=sys.stderr) as bar:
                result = function(path, progress=bar.update, **options)
        else:
            result = function(path, **options)
    except StaleRegister as stale:
        raise click.ClickException(
            f"{stale}. Someone saved the same register while {path.name} was imported; nothing "
            "from the file was saved. Import it again."
        ) from None
    except FileRejected as rejected:
        for error in rejected.errors:
            click.echo(str(error), err=True)
        click.echo(
            f"{path.name} rejected: {len(rejected.errors)} error(s); nothing was changed.", err=True
        )
        sys.exit(1)
    for notice in result.notices:
        click.echo(f"notice: {notice}", err=True)
    click.echo(result.summary())


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


_FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_IGNORE = click.option(
    "--ignore-unknown-columns", is_flag=True, help="Skip columns the format does not define."
)


@import_.command(name="marks")
@_FILE
@click.option(
    "--on-conflict",
    type=click.Choice(["reject", "best", "replace"]),
    default="reject",
    show_default=True,
    help="A session that already has a different mark: refuse the file (reject), keep the "
    "better mark (best: present > approved activity > authorised > unauthorised > not "
    "possible), or take the file's mark (replace). The other mark is kept in the history.",
)
@_IGNORE
def import_marks(file: Path, on_conflict: str, ignore_unknown_columns: bool) -> None:
    """Import register marks: upn, school_urn, date, session, mark[, minutes_late, comment].

    Example: muster import marks autumn-marks.csv --on-conflict best
    """
    from muster.core.best_mark import OnConflict

    _run_import("marks", file, on_conflict=OnConflict(on_conflict),
                ignore_unknown_columns=ignore_unknown_columns)


@import_.command(name="pupils")
@_FILE
@_IGNORE
def import_pupils(file: Path, ignore_unknown_columns: bool) -> None:
    """Import pupils and enrolments, one row per enrolment.

    A pupil already held is updated to the file's details.

    Example: muster import pupils pupils.csv
    """
    _run_import("pupils", file, ignore_unknown_columns=ignore_unknown_columns)


@import_.command(name="calendar")
@_FILE
@_IGNORE
def import_calendar(file: Path, ignore_unknown_columns: bool) -> None:
    """Import school terms and planned closures; an unknown school URN is created.

    Example: muster import calendar calendar.csv
    """
    _run_import("calendar", file, ignore_unknown_columns=ignore_unknown_columns)


@import_.command(name="schools")
@_FILE
@_IGNORE
def import_schools(file: Path, ignore_unknown_columns: bool) -> None:
    """Import schools: urn, name, la_code, la_name[, phase, am_register_opens,
    am_register_closes, pm_register_opens, pm_register_closes (HH:MM)].

    Creates or updates each school and its local authority. The register close
    times decide L (before close) or U (after) for late arrivals.

    Example: muster import schools schools.csv
    """
    _run_import("schools", file, ignore_unknown_columns=ignore_unknown_columns)


@main.group()
def report() -> None:
    """Figures for a date range, as a table, CSV or JSON."""


_FROM = click.option("--from", "first", required=True, callback=_date, help="First day, YYYY-MM-DD.")
_TO = click.option("--to", "last", required=True, callback=_date, help="Last day, YYYY-MM-DD.")
_SCHOOL = click.option("--school", "school_urn", help="Only this school (URN).")
_FORMAT = click.option(
    "--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True,
)


def _school(urn: str | None):
    if urn is None:
        return None
    from muster.registers.models import School

    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise click.BadParameter(f"no school with URN {urn}", param_hint="--school")
    return school


@report.command(name="pupils")
@_FROM
@_TO
@_SCHOOL
@_FORMAT
def report_pupils(first: dt.date, last: dt.date, school_urn: str | None, output: str) -> None:
    """One row per pupil on roll in the period, pooling all their schools' registers.

    Percentages are rounded for display; persistent and severe absence and the
    penalty-notice date come from whole-number arithmetic (reference 0).

    Example: muster report pupils --from 2025-09-01 --to 2026-07-31 --format csv
    """
    _django()
    from muster.registers.reports import PUPIL_COLUMNS, pupil_rows

    if last < first:
        raise click.BadParameter("--to is before --from")
    rows = pupil_rows(first, last, school=_school(school_urn))
    _emit(rows, PUPIL_COLUMNS, output)


@report.command(name="cohorts")
@_FROM
@_TO
@_SCHOOL
@click.option(
    "--by", "by", multiple=True, default=("all",), show_default=True,
    type=click.Choice(["all", "school", "la", "nc_year", "sex", "fsm", "sen", "looked_after",
                       "care_authority", "social_worker"]),
    help="Group enrolments by this; repeat for several groupings.",
)
@click.option("--codes", "with_codes", is_flag=True, help="Add each code's sessions (code_I, code_G, ...).")
@_FORMAT
def report_cohorts(first, last, school_urn, by, with_codes, output) -> None:
    """Pooled figures per group of enrolments, as DfE statistics count them.

    Example: muster report cohorts --from 2025-09-01 --to 2026-07-31 --by school --by fsm
    """
    _django()
    from muster.registers.reports import COHORT_COLUMNS, code_columns, cohort_rows

    rows = cohort_rows(first, last, by=by, school=_school(school_urn), with_codes=with_codes)
    _emit(rows, COHORT_COLUMNS + (code_columns() if with_codes else ()), output)


@report.command(name="missing")
@_FROM
@_TO
@_SCHOOL
@_FORMAT
def report_missing(first: dt.date, last: dt.date, school_urn: str | None, output: str) -> None:
    """Open sessions with no mark for pupils on roll: registers the school must complete.

    They count in no figure until marked (reference 0); Muster never guesses a mark.

    Example: muster report missing --from 2026-11-23 --to 2026-11-27 --school 100001
    """
    _django()
    from muster.registers.reports import MISSING_COLUMNS, missing_marks

    _emit(missing_marks(first, last, school=_school(school_urn)), MISSING_COLUMNS, output)


def _emit(rows: list[dict], columns: tuple[str, ...], output: str) -> None:
    if output == "json":
        click.echo(json.dumps(rows, indent=1))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(_table(rows, columns))


def _table(rows: list[dict], columns: tuple[str, ...]) -> str:
    def text(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.2f}"
        return str(value)

    cells = [[text(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in cells:
        lines.append("  ".join(v.rjust(w) if v[:1].isdigit() else v.ljust(w)
                               for v, w in zip(row, widths, strict=True)))
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


@main.command()
@click.option("--seed", default=2025, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--today", callback=_date, help="Build marks up to this day (default: today).")
@click.option("--pupils", "n_pupils", default=3000, show_default=True, help="About how many pupils.")
@click.option("--serve/--no-serve", default=False, help="Start the web server afterwards.")
def demo(seed: int, today: dt.date | None, n_pupils: int, serve: bool) -> None:
    """Build the demo: an invented local authority, its schools, pupils and two years of marks.

    Replaces everything in the database named by DATABASE_URL (default ./var).
    All names are invented.

    Example: muster demo --seed 7 --serve
    """
    _django()
    from muster.registers.demo import build_demo

    summary = build_demo(seed=seed, today=today or _today(), pupils=n_pupils, echo=click.echo)
    click.echo(summary)
    if serve:
        _serve("127.0.0.1:8000")


@main.command()
@click.option("--address", default="127.0.0.1:8000", show_default=True)
def serve(address: str) -> None:
    """Run the web server (for the demo and local use).

    Example: MUSTER_DEBUG=true muster serve
    """
    _django()
    _serve(address)


def _serve(address: str) -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not settings.SECRET_KEY:
        raise click.ClickException(
            "set MUSTER_SECRET_KEY (or MUSTER_SECRET_KEY_FILE), or MUSTER_DEBUG=true for local use"
        )
    call_command("runserver", address, use_reloader=False)


@main.command()
@click.option("--pupils", "n_pupils", default=100_000, show_default=True)
@click.option("--repeat", default=5, show_default=True, help="Timed runs of each engine; the best is kept.")
@click.option("--skip-database", is_flag=True, help="Only the in-memory engines.")
def bench(n_pupils: int, repeat: int, skip_database: bool) -> None:
    """Time the figures and penalty-notice engine on a generated local-authority year.

    Compares with DuckDB SQL over the same marks as one long table, in the same
    run, and times the whole recomputation from a fresh SQLite database.

    Example: muster bench --pupils 100000
    """
    from muster.bench import run

    run(n_pupils=n_pupils, repeat=repeat, database=not skip_database, echo=click.echo)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (createsuperuser, check, shell, ...).

    Example: muster manage createsuperuser
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["muster manage", *args])


if __name__ == "__main__":
    main()
