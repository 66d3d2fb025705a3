"""`muster import`: the CSV exchange files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from muster.cli.common import django_setup


@click.group(name="import")
def import_() -> None:
    """Import a CSV exchange file (formats in shared/domain/formats.md).

    A file with any bad row changes nothing: every bad row is listed with its
    line, column, value and reason, and the command exits with status 1.
    Importing the same file twice changes nothing the second time.
    """


def _run_import(kind: str, path: Path, **options) -> None:
    django_setup()
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


