"""`muster report`: figures for a period."""

from __future__ import annotations

import datetime as dt

import click

from muster.cli.common import acting_user, django_setup, emit, parse_date
from muster.core.roles import Action, RecordKind


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


_AS = click.option(
    "--as", "acting_as", metavar="USERNAME",
    help="Report as this member of staff: only what their roles reach. Without it the report is "
    "the operator's, over every pupil.",
)


_user = acting_user


def _action(output: str) -> Action:
    return Action.LIST if output == "table" else Action.EXPORT


def _policy(policy_id: str | None):
    if policy_id is None:
        return None
    from muster.core.policy.loader import load_all

    policies = {p.id: p for p in load_all()}
    if policy_id not in policies:
        raise click.BadParameter(
            f"no policy {policy_id!r}; the policies are: {', '.join(sorted(policies))}",
            param_hint="--policy",
        )
    return policies[policy_id]


def _audit(acting_as: str | None, output: str, kind: RecordKind, summary: str) -> None:
    """Reports are on record like any other look at children's data: the operator's as the
    system, a named user's under their name."""
    from muster.audit.log import record_event

    record_event(user=_user(acting_as), action=_action(output).value, record_kind=kind.value,
                 summary=f"{summary} ({output}) from the command line")


def _pupils_for(acting_as: str | None, kind, output: str):
    """The pupils a named user may report on, or None for the operator (every pupil)."""
    user = _user(acting_as)
    if user is None:
        return None
    from muster.people import access

    if not access.can(user, kind, _action(output)):
        raise click.ClickException(f"{user.username}'s roles do not allow this report")
    return access.pupils_visible_to(user, _action(output), kind)


@report.command(name="pupils")
@_FROM
@_TO
@_SCHOOL
@_FORMAT
@_AS
@click.option("--policy", "policy_id", metavar="ID",
              help="Add the band of this policy (see `muster policy check`) and why, measured "
              "over the report's period.")
def report_pupils(
    first: dt.date, last: dt.date, school_urn: str | None, output: str, acting_as: str | None,
    policy_id: str | None,
) -> None:
    """One row per pupil on roll in the period, pooling all their schools' registers.

    Percentages are rounded for display; persistent and severe absence and the
    penalty-notice date come from whole-number arithmetic (reference 0).

    Example: muster report pupils --from 2025-09-01 --to 2026-07-31 --format csv
    """
    django_setup()
    from muster.registers.reports import PUPIL_COLUMNS, pupil_rows

    if last < first:
        raise click.BadParameter("--to is before --from")
    policy = _policy(policy_id)
    pupils = _pupils_for(acting_as, RecordKind.FIGURES, output)
    rows = pupil_rows(first, last, school=_school(school_urn), pupils=pupils, policy=policy)
    _audit(acting_as, output, RecordKind.FIGURES, f"pupils report {first} to {last}, {len(rows)} pupils")
    emit(rows, PUPIL_COLUMNS + (("band", "band_explanation") if policy else ()), output)


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
@_AS
def report_cohorts(first, last, school_urn, by, with_codes, output, acting_as) -> None:
    """Pooled figures per group of enrolments, as DfE statistics count them.

    Example: muster report cohorts --from 2025-09-01 --to 2026-07-31 --by school --by fsm
    """
    django_setup()
    from muster.people import access
    from muster.registers.reports import (
        COHORT_COLUMNS,
        code_columns,
        cohort_rows,
        enrolments_in_period,
    )

    enrolments = enrolments_in_period(first, last)
    user = _user(acting_as)
    if user is not None:
        if not access.can(user, RecordKind.COHORT_FIGURES, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not give cohort figures this way")
        enrolments = enrolments.filter(pk__in=access.cohort_enrolments_visible_to(user).values("pk"))
    rows = cohort_rows(
        first, last, by=by, school=_school(school_urn), with_codes=with_codes, enrolments=enrolments
    )
    _audit(acting_as, output, RecordKind.COHORT_FIGURES, f"cohorts report {first} to {last} by {', '.join(by)}")
    emit(rows, COHORT_COLUMNS + (code_columns() if with_codes else ()), output)


@report.command(name="missing")
@_FROM
@_TO
@_SCHOOL
@_FORMAT
@_AS
def report_missing(
    first: dt.date, last: dt.date, school_urn: str | None, output: str, acting_as: str | None
) -> None:
    """Open sessions with no mark for pupils on roll: registers the school must complete.

    They count in no figure until marked (reference 0); Muster never guesses a mark.

    Example: muster report missing --from 2026-11-23 --to 2026-11-27 --school 100001
    """
    django_setup()
    from muster.people import access
    from muster.registers.reports import MISSING_COLUMNS, missing_marks

    user = _user(acting_as)
    enrolments = None
    if user is not None:
        if not access.can(user, RecordKind.REGISTER, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not allow this report")
        enrolments = access.enrolments_visible_to(user, _action(output))
    rows = missing_marks(first, last, school=_school(school_urn), enrolments=enrolments)
    _audit(acting_as, output, RecordKind.REGISTER, f"missing marks {first} to {last}, {len(rows)} sessions")
    emit(rows, MISSING_COLUMNS, output)


