"""`muster first-day`, `muster penalty-notices`, `muster returns`: the statutory workflows.

Thin shells over `muster.statutory` (calling list, cases, returns). With `--as` only what that
member of staff's roles reach is read (muster.people.access); every read is on record.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from muster.cli.common import django_setup, emit, parse_date, today
from muster.cli.reports import _action, _audit, _school, _user
from muster.core.roles import RecordKind

_AS = click.option(
    "--as", "acting_as", metavar="USERNAME",
    help="As this member of staff: only the pupils their roles reach. Without it, the operator's "
    "view over every pupil.",
)
_FORMAT = click.option(
    "--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True,
)


def _text(rows: list[dict]) -> list[dict]:
    """Dates as YYYY-MM-DD, so every format can write them."""
    return [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows]


def _visible_pupils(user, output: str):
    """The pupils whose register work the user may see, or None for the operator."""
    if user is None:
        return None
    from muster.people import access

    if not access.can(user, RecordKind.REGISTER, _action(output)):
        raise click.ClickException(f"{user.username}'s roles do not reach this list")
    return access.pupils_visible_to(user, _action(output), RecordKind.REGISTER)


@click.command(name="first-day")
@click.option("--school", "school_urn", required=True, help="The school (URN).")
@click.option("--date", "day", callback=parse_date, help="The day, YYYY-MM-DD (default today).")
@click.option("--session", type=click.Choice(["am", "pm"]), default="am", show_default=True)
@click.option("--unresolved-n", "unresolved", is_flag=True,
              help="List instead the N marks not replaced within 5 school days (reference 2.3).")
@_FORMAT
@_AS
def first_day(school_urn, day, session, unresolved, output, acting_as) -> None:
    """The first-day calling list after the register closes: pupils absent with no reason
    (N or no mark), children in care and pupils with a social worker first, with the day of
    absence, contacts made and the next steps of the school policy (seed 002 lines 122-132).

    Example: muster first-day --school 100001 --date 2026-11-27 --session am
    """
    django_setup()
    from muster.core.slots import Session
    from muster.people import access
    from muster.statutory import calling

    school = _school(school_urn)
    day = day or today()
    user = _user(acting_as)
    enrolments, sensitive = None, True
    if user is not None:
        if not access.can(user, RecordKind.REGISTER, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not reach this school's registers")
        enrolments = access.enrolments_visible_to(user, _action(output))
        sensitive = "looked_after" in access.visible_fields(user)
    if unresolved:
        rows = calling.unresolved_n_list(school=school, on=day, enrolments=enrolments)
        columns = calling.UNRESOLVED_COLUMNS
        what = f"unresolved N marks at {school.urn} on {day}"
    else:
        found = calling.calling_list(
            school=school, day=day, session=Session(session.upper()), enrolments=enrolments,
            sensitive=sensitive,
        )
        rows, columns = [r.as_dict() for r in found], calling.COLUMNS
        what = f"first-day calling list of {school.urn} for {day} {session.upper()}"
    _audit(acting_as, output, RecordKind.REGISTER, f"{what}, {len(rows)} pupils")
    emit(_text(rows), columns, output)


CASE_COLUMNS = (
    "upn", "school_urn", "opened_on", "threshold_met_on", "sessions", "stage", "improvement_ends_on",
    "route", "notices", "closed_on",
)


@click.command(name="penalty-notices")
@click.option("--open", "only_open", is_flag=True, help="Only open cases.")
@click.option("--detect", is_flag=True,
              help="First open a case for every pupil who has met the threshold (operator only).")
@click.option("--on", "on", callback=parse_date, help="The day to detect on (default today).")
@click.option("--evidence", "evidence_upn", metavar="UPN",
              help="List instead the evidence of this pupil's latest case: each threshold-coded "
              "session with its date, code and school.")
@_FORMAT
@_AS
def penalty_notices(only_open, detect, on, evidence_upn, output, acting_as) -> None:
    """Penalty-notice cases: the threshold met, the evidence, the "support first" stage and the
    decision, following each pupil across schools (seed 002 lines 187-191; reference 4).

    Example: muster penalty-notices --open --as attendance-lead
    """
    django_setup()
    from muster.statutory import actions
    from muster.statutory.models import PenaltyNoticeCase

    user = _user(acting_as)
    if detect:
        if user is not None:
            raise click.UsageError("--detect is the operator's daily check; leave out --as")
        opened = actions.detect_penalty_notice_cases(on=on or today())
        click.echo(f"Opened {len(opened)} case(s).", err=True)
    cases = PenaltyNoticeCase.objects.select_related("pupil", "school").prefetch_related("notices")
    pupils = _visible_pupils(user, output)
    if evidence_upn:
        _evidence(cases, pupils, evidence_upn, output, acting_as)
        return
    if pupils is not None:
        cases = cases.filter(pupil__in=pupils.values("pk"))
    if only_open:
        cases = cases.filter(closed_on__isnull=True)
    rows = [
        {
            "upn": c.pupil.upn, "school_urn": c.school.urn, "opened_on": c.opened_on,
            "threshold_met_on": c.threshold_met_on, "sessions": len(c.evidence), "stage": c.stage,
            "improvement_ends_on": c.improvement_ends_on, "route": c.route,
            "notices": sum(not n.withdrawn for n in c.notices.all()), "closed_on": c.closed_on,
        }
        for c in cases
    ]
    _audit(acting_as, output, RecordKind.REGISTER, f"penalty-notice cases, {len(rows)} listed")
    emit(_text(rows), CASE_COLUMNS, output)


EVIDENCE_COLUMNS = ("date", "session", "code", "school_urn")


def _evidence(cases, pupils, upn: str, output: str, acting_as: str | None) -> None:
    """The sessions that met the threshold, for the LA's evidence pack (seed 002 line 189)."""
    if pupils is not None:
        cases = cases.filter(pupil__in=pupils.values("pk"))
    case = cases.filter(pupil__upn=upn).order_by("-opened_on", "-pk").first()
    if case is None:  # the same answer whether the pupil is out of reach or has no case
        raise click.ClickException(f"no penalty-notice case for {upn}")
    click.echo(
        f"{upn}: threshold met {case.threshold_met_on} {case.threshold_met_session}; school weeks "
        f"{', '.join(case.school_weeks)}; rule: {case.rule}", err=True,
    )
    _audit(acting_as, output, RecordKind.REGISTER, f"penalty-notice evidence of {upn}")
    emit(case.evidence, EVIDENCE_COLUMNS, output)


RETURN_COLUMNS = ("upn", "school_urn", "kind", "met_on", "due_on", "ground", "status", "exported_on")


@click.command(name="returns")
@click.option("--due", "only_due", is_flag=True, help="Only returns not yet sent.")
@click.option("--detect", is_flag=True,
              help="First record every return met this school year (operator only).")
@click.option("--on", "on", callback=parse_date, help="The day to detect on (default today).")
@click.option("--school", "school_urn", help="Only this school (URN).")
@click.option("--from", "first", callback=parse_date, help="Only returns met on or after this day.")
@click.option("--to", "last", callback=parse_date, help="Only returns met on or before this day.")
@click.option("--sickness-outlook", "outlook", is_flag=True,
              help="List instead the pupils ill now, with their I sessions this year and the "
              "school days of this spell until the sickness return (to raise it early).")
@click.option("--export", "export", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the rows to this CSV file and mark them sent to the local authority.")
@_FORMAT
@_AS
def returns(only_due, detect, on, school_urn, first, last, outlook, export, output, acting_as) -> None:
    """Returns to the local authority: attendance (10 continuous school days of G, N, O, U),
    sickness (15 school days of I in the year), new entries (within 5 days) and deletions with
    their ground (reference 5.2, 5.3; formats.md "Returns to the local authority").

    Example: muster returns --due --school 100001 --export returns.csv
    """
    django_setup()
    from muster.statutory import actions
    from muster.statutory.models import LaReturn

    user = _user(acting_as)
    if detect:
        if user is not None:
            raise click.UsageError("--detect is the operator's daily check; leave out --as")
        found = actions.detect_returns(on=on or today())
        click.echo(f"Recorded {len(found)} new return(s).", err=True)
    pupils = _visible_pupils(user, "csv" if export else output)
    if outlook:
        from muster.people import access
        from muster.statutory.sickness import COLUMNS, sickness_outlook_rows

        enrolments = None if user is None else access.enrolments_visible_to(user, _action(output))
        rows = sickness_outlook_rows(
            on=on or today(), enrolments=enrolments, school=_school(school_urn) if school_urn else None
        )
        _audit(acting_as, output, RecordKind.REGISTER, f"sickness outlook, {len(rows)} pupils")
        emit(rows, COLUMNS, output)
        return
    records = LaReturn.objects.select_related("pupil", "school")
    if pupils is not None:
        records = records.filter(pupil__in=pupils.values("pk"))
    if school_urn:
        records = records.filter(school=_school(school_urn))
    if only_due:
        records = records.filter(status=LaReturn.Status.DUE)
    if first:
        records = records.filter(met_on__gte=first)
    if last:
        records = records.filter(met_on__lte=last)
    records = list(records)
    rows = [
        {"upn": r.pupil.upn, "school_urn": r.school.urn, "kind": r.kind, "met_on": r.met_on,
         "due_on": r.due_on, "ground": r.ground, "status": r.status, "exported_on": r.exported_on}
        for r in records
    ]
    if export is not None:
        import csv

        with export.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=RETURN_COLUMNS)
            writer.writeheader()
            writer.writerows(_text(rows))
        sent = actions.mark_returns_exported(returns=records, on=on or today(), by=user)
        click.echo(f"Wrote {len(rows)} return(s) to {export}; {sent} marked sent.", err=True)
    _audit(acting_as, "csv" if export else output, RecordKind.REGISTER, f"returns to the LA, {len(rows)} listed")
    emit(_text(rows), RETURN_COLUMNS, output)


LATENESS_COLUMNS = ("upn", "late_before_close", "late_after_close", "monday", "tuesday",
                    "wednesday", "thursday", "friday")


@click.command(name="lateness")
@click.option("--school", "school_urn", required=True, help="The school (URN).")
@click.option("--from", "first", required=True, callback=parse_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, callback=parse_date, help="Last day, YYYY-MM-DD.")
@_FORMAT
@_AS
def lateness(school_urn, first, last, output, acting_as) -> None:
    """Lateness by weekday: per pupil with any late mark, L (arrived before the register
    closed) and U (after it closed) counts, and each weekday as L/U (reference 1; seed 002
    lines 150-158).

    Example: muster lateness --school 100001 --from 2026-09-01 --to 2026-11-27
    """
    django_setup()
    from muster.statutory.lateness import lateness_rows

    if last < first:
        raise click.BadParameter("--to is before --from")
    school = _school(school_urn)
    user = _user(acting_as)
    enrolments = None
    if user is not None:
        from muster.people import access

        if not access.can(user, RecordKind.REGISTER, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not reach this school's registers")
        enrolments = access.enrolments_visible_to(user, _action(output))
    rows = lateness_rows(school=school, first=first, last=last, enrolments=enrolments)
    _audit(acting_as, output, RecordKind.REGISTER, f"lateness at {school.urn} {first} to {last}, {len(rows)} pupils")
    emit(rows, LATENESS_COLUMNS, output)
