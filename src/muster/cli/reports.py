"""`muster report`: figures for a period."""

from __future__ import annotations

import datetime as dt

import click

from muster.cli.common import django_setup, emit, parse_date


@click.group()
def report() -> None:
    """Figures for a date range, as a table, CSV or JSON."""


_FROM = click.option("--from", "first", required=True, callback=parse_date, help="First day, YYYY-MM-DD.")
_TO = click.option("--to", "last", required=True, callback=parse_date, help="Last day, YYYY-MM-DD.")
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
    django_setup()
    from muster.registers.reports import PUPIL_COLUMNS, pupil_rows

    if last < first:
        raise click.BadParameter("--to is before --from")
    rows = pupil_rows(first, last, school=_school(school_urn))
    emit(rows, PUPIL_COLUMNS, output)


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
    django_setup()
    from muster.registers.reports import COHORT_COLUMNS, code_columns, cohort_rows

    rows = cohort_rows(first, last, by=by, school=_school(school_urn), with_codes=with_codes)
    emit(rows, COHORT_COLUMNS + (code_columns() if with_codes else ()), output)


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
    django_setup()
    from muster.registers.reports import MISSING_COLUMNS, missing_marks

    emit(missing_marks(first, last, school=_school(school_urn)), MISSING_COLUMNS, output)


