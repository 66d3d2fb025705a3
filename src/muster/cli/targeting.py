"""Targeting support on the command line: `muster backtest` (how well the at-risk rules would
have found the persistently absent), `muster at-risk`, `muster xmr`, and `muster targeting
meetings` (the termly meetings and their shared action log, through the same actions and the
same reach as the pages at /targeting/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from muster.cli.common import acting_user, django_setup, emit, parse_date
from muster.cli.reports import _AS, _FORMAT, _SCHOOL, _action, _audit, _school, _user
from muster.core.roles import Action, RecordKind


def _dates(ctx, param, value: str | None) -> tuple[dt.date, ...] | None:
    if not value:
        return None
    out = []
    for part in value.split(","):
        try:
            out.append(dt.date.fromisoformat(part.strip()))
        except ValueError:
            raise click.BadParameter(f"{part.strip()!r} is not a date in the form YYYY-MM-DD") from None
    return tuple(out)


@click.command(name="backtest")
@click.option("--year", type=int, help="The school year to score, by its starting year (2025 is "
              "2025/26). Default: the latest one held that has ended.")
@click.option("--dates", callback=_dates, metavar="YYYY-MM-DD,...",
              help="Evaluation dates in that year. Default: the first weekday of each month, "
              "October to June.")
@_SCHOOL
@_FORMAT
@_AS
def backtest(year, dates, school_urn, output, acting_as) -> None:
    """Replay the at-risk rules on a finished school year and score them.

    For each date: of the pupils flagged on that date or an earlier one, how many ended the
    year persistently absent (precision), and how many of the year's persistently absent
    pupils had been flagged by then (recall); then the same by sex, FSM, SEN and looked-after
    status, so a local authority can see whether the rules find some groups later than others.
    Needs two or more school years of registers. The rules and their dated thresholds are in
    policies/national/at_risk/ (see muster.core.targeting.at_risk).

    Example: muster backtest --year 2025 --dates 2025-10-01,2026-01-05,2026-03-02
    """
    django_setup()
    from muster.people import access
    from muster.targeting.backtest import BacktestError, run_backtest

    user = _user(acting_as)
    enrolments = None
    if user is not None:
        if not access.can(user, RecordKind.COHORT_FIGURES, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not give cohort figures this way")
        enrolments = access.cohort_enrolments_visible_to(user)
    try:
        result = run_backtest(today=access.today(), year=year, dates=dates, enrolments=enrolments,
                              school=_school(school_urn))
    except BacktestError as error:
        raise click.ClickException(str(error)) from None
    from muster.core.targeting.backtest import COLUMNS

    _audit(acting_as, output, RecordKind.COHORT_FIGURES,
           f"at-risk backtest of {result.year}, {result.pupils} pupils")
    if output == "table":
        click.echo(f"School year {result.year}/{(result.year + 1) % 100:02d} (years held: "
                   f"{', '.join(map(str, result.years_held))}): {result.pupils} pupils, "
                   f"{result.persistent} persistently absent at the end of the year.")
        click.echo("Flagged = flagged by the at-risk rules on that date or an earlier one; "
                   "precision = flagged who ended persistently absent; recall = persistently "
                   "absent who had been flagged.")
    emit([s.as_row() for s in result.scores], COLUMNS, output)


@click.command(name="at-risk")
@click.option("--on", "on", callback=parse_date, help="The day, YYYY-MM-DD (default: today). The "
              "rules read only the marks up to and including it.")
@_SCHOOL
@_FORMAT
@_AS
def at_risk(on, school_urn, output, acting_as) -> None:
    """Pupils at risk of persistent absence on a day, each with the drivers that flagged them.

    The rules (projection, worsening trend, repeat spells in the half term, last year's
    persistent absence, change of school) and their dated thresholds are in
    policies/national/at_risk/. Each row gives the pupil's Annex A stages (seed 002, the DfE
    summary table of responsibilities) and every driver with its numbers.

    Example: muster at-risk --on 2026-11-27 --school 100001 --as attendance-lead
    """
    django_setup()
    from muster.cli.reports import _pupils_for
    from muster.people import access
    from muster.targeting.pupils import COLUMNS, at_risk_rows

    on = on or access.today()
    pupils = _pupils_for(acting_as, RecordKind.FIGURES, output)
    user = _user(acting_as)
    sensitive = user is None or "looked_after" in access.visible_fields(user)
    rows = at_risk_rows(on, pupils=pupils, school=_school(school_urn), sensitive=sensitive)
    _audit(acting_as, output, RecordKind.FIGURES, f"at-risk pupils on {on}, {len(rows)} pupils")
    emit(rows, COLUMNS, output)


@click.command(name="xmr")
@click.option("--from", "first", required=True, callback=parse_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, callback=parse_date, help="Last day, YYYY-MM-DD.")
@_SCHOOL
@click.option("--upn", help="One pupil's chart (their schools pooled) instead of a cohort's.")
@click.option("--baseline", type=int, metavar="WEEKS",
              help="Set the centre line and limits from the first WEEKS weeks (default: all).")
@_FORMAT
@_AS
def xmr(first, last, school_urn, upn, baseline, output, acting_as) -> None:
    """Weekly attendance as a process-behaviour (XmR) chart, to tell signal from noise.

    The centre line is the mean weekly attendance; the natural process limits are the mean
    plus and minus 2.66 times the average moving range (the week-to-week change). A signal is a
    week outside the limits or 8 weeks in a row on one side of the centre line. Weeks with no
    possible session (holidays) are left out. A school's or every school's chart pools the
    sessions of all their enrolments (reference 3.1); --upn charts one pupil.

    Example: muster xmr --from 2025-09-01 --to 2026-07-22 --school 990101 --baseline 12
    """
    django_setup()
    from muster.people import access
    from muster.targeting.charts import COLUMNS, chart_rows, enrolments_for, weekly_chart

    if last < first:
        raise click.BadParameter("--to is before --from")
    user = _user(acting_as)
    visible, pupil_id = None, None
    kind = RecordKind.FIGURES if upn else RecordKind.COHORT_FIGURES
    if user is not None:
        if not access.can(user, kind, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not allow this chart")
        visible = (access.enrolments_visible_to(user, _action(output), RecordKind.REGISTER)
                   if upn else access.cohort_enrolments_visible_to(user))
    if upn:
        pupil_id = _pupil_id(upn, user, output)
    enrolments = enrolments_for(first, last, school=_school(school_urn), pupil_id=pupil_id,
                                visible=visible)
    try:
        series, chart = weekly_chart(first, last, enrolments, pupil=bool(upn), baseline=baseline)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    whose = f"pupil {upn}" if upn else (f"school {school_urn}" if school_urn else "all schools")
    _audit(acting_as, output, kind, f"XmR chart of {whose} {first} to {last}")
    if output == "table":
        click.echo(f"Weekly attendance of {whose}: centre line {chart.mean:.2f}%, natural "
                   f"process limits {chart.lower_limit:.2f}% to {chart.upper_limit:.2f}% "
                   f"(average moving range {chart.average_moving_range:.2f}, from the first "
                   f"{chart.baseline} weeks; upper range limit {chart.upper_range_limit:.2f}).")
        for line in chart.descriptions() or ["No signal: the weeks vary within their limits."]:
            click.echo(f"Signal: {line}" if chart.signals else line)
    emit(chart_rows(series, chart), COLUMNS, output)


def _pupil_id(upn: str, user, output: str) -> int:
    from muster.people import access

    if user is None:
        from muster.targeting.charts import pupil_id_by_upn

        found = pupil_id_by_upn(upn)
    else:
        try:
            found = access.access_pupil_by_upn(user, upn, _action(output), RecordKind.FIGURES).pk
        except access.NotFound:
            found = None
    if found is None:
        raise click.BadParameter(f"no pupil with UPN {upn} that you may see", param_hint="--upn")
    return found


@click.group(name="targeting")
def targeting() -> None:
    """Targeting support: the termly conversation of a school and its local authority about the
    pupils at risk, persistently or severely absent (seed 002 Annex A)."""


@targeting.group(name="meetings")
def meetings() -> None:
    """Targeting support meetings and the per-pupil action log both sides share.

    The same actions as the pages at /targeting/: changes act as a named member of staff (--as),
    the school's headteacher or attendance lead or the authority's attendance officer; lists
    take --as to read only what that person reaches. Another school's meeting answers as one
    that does not exist.
    """


MEETING_COLUMNS = ("id", "school_urn", "school", "held_on", "attendees", "pupils_logged")
LIST_COLUMNS = ("upn", "name", "nc_year", "absent", "possible", "absence_pct", "stage", "drivers",
                "open_actions", "changes")
TABLE_COLUMNS = ("upn", "name", "nc_year", "absent", "possible", "absence_pct", "stage", "open_actions")
"""A terminal's width: the drivers and the changes since the last meeting are in CSV and JSON."""

_MEETING_AS = click.option(
    "--as", "acting_as", metavar="USERNAME",
    help="Read as this member of staff: only the meetings and pupils their roles reach. Without "
    "it, the operator's view of every meeting and pupil.")
_WRITER_AS = click.option(
    "--as", "acting_as", required=True, metavar="USERNAME",
    help="Who writes it: a headteacher or attendance lead of the school, or an attendance officer "
    "of its local authority.")


def _within(user) -> str:
    return f" within {user.username}'s reach" if user is not None else ""


def _meeting_with_list(user, meeting_id: int):
    from muster.people import access
    from muster.targeting.meetings import meeting_with_list

    try:
        return meeting_with_list(user, meeting_id)
    except access.NotFound:
        raise click.ClickException(f"no meeting {meeting_id}{_within(user)}") from None


def _conversation_school(user, urn: str):
    """The school, if the person takes part in its targeting conversation (the operator: any)."""
    from muster.registers.models import School
    from muster.targeting import scope

    schools = School.objects.all() if user is None else scope.schools_in_conversation(user)
    school = schools.filter(urn=urn).first()
    if school is None:  # the same answer for a school out of reach and one that does not exist
        raise click.ClickException(f"no school {urn}{_within(user)}")
    return school


def _list_row(row) -> dict:
    from muster.targeting.pack import pupil_name

    return {"upn": row.pupil.upn, "name": pupil_name(row), "nc_year": row.pupil.nc_year,
            "absent": row.state.absent, "possible": row.state.possible,
            "absence_pct": row.state.absence_pct, "stage": row.stage,
            "drivers": "; ".join(row.state.drivers),
            "open_actions": "; ".join(str(a) for a in row.open_actions),
            "changes": "; ".join(row.changes)}


def _audit_pack(user, action: Action, meeting, rows, what: str, where: str = "") -> None:
    """Reading a pack is on record as on the pages: the operator's as the system."""
    from muster.audit.log import record_event

    record_event(user=user, action=action.value, record_kind=RecordKind.FIGURES.value,
                 record_id=meeting.pk, summary=f"{what} the targeting meeting pack of "
                 f"{meeting.school.urn} for {meeting.held_on}: {len(rows)} pupils{where}, "
                 "from the command line")


def _show(user, meeting_id: int, output: str, what: str) -> None:
    meeting, rows = _meeting_with_list(user, meeting_id)
    _audit_pack(user, _action(output), meeting, rows, what)
    if output == "table":
        carried = sum(1 for r in rows if r.open_actions)
        click.echo(f"Meeting {meeting.pk}: {meeting.school.name} ({meeting.school.urn}) on "
                   f"{meeting.held_on}; {len(rows)} pupils to discuss, {carried} with agreed "
                   "actions still open.")
    emit([_list_row(r) for r in rows], TABLE_COLUMNS if output == "table" else LIST_COLUMNS, output)


@meetings.command(name="list")
@click.option("--school", "school_urn", help="Only this school's meetings (URN).")
@_FORMAT
@_MEETING_AS
def list_meetings(school_urn, output, acting_as) -> None:
    """The targeting support meetings held, latest first, with who attended.

    Example: muster targeting meetings list --school 990101 --as la-officer
    """
    django_setup()
    from django.db.models import Count

    from muster.targeting import scope
    from muster.targeting.models import Meeting

    user = _user(acting_as)
    found = Meeting.objects.all() if user is None else scope.meetings_visible_to(user)
    if school_urn:
        found = found.filter(school=_conversation_school(user, school_urn))
    found = found.select_related("school").annotate(logged=Count("entries__pupil", distinct=True))
    rows = [{"id": m.pk, "school_urn": m.school.urn, "school": m.school.name,
             "held_on": m.held_on.isoformat(), "attendees": "; ".join(m.attendee_list),
             "pupils_logged": m.logged} for m in found.order_by("-held_on", "school__urn")]
    emit(rows, MEETING_COLUMNS, output)


@meetings.command(name="start")
@click.option("--school", "school_urn", required=True, help="The school (URN).")
@click.option("--on", "held_on", callback=parse_date, help="The meeting's day, YYYY-MM-DD "
              "(default: today).")
@click.option("--attendee", "attendees", multiple=True, required=True,
              help="Who attends, name and role; once for each.")
@_FORMAT
@_WRITER_AS
def start(school_urn, held_on, attendees, output, acting_as) -> None:
    """Record a meeting of a school and its authority, and show its list: the pupils at risk,
    persistently or severely absent on the day, and every pupil with an action agreed before
    and still open, so the meeting starts from the last one's actions. Pupils at risk whom the
    authority does not reach yet are referred to it.

    Example: muster targeting meetings start --school 990101 --on 2026-11-27 --attendee "Attendance lead (school)" --attendee "Attendance officer (LA)" --as la-officer
    """
    django_setup()
    from muster.people import access
    from muster.targeting import actions

    user = acting_user(acting_as, required=True)
    school = _conversation_school(user, school_urn)
    try:
        meeting = actions.hold_meeting(school=school, held_on=held_on or access.today(),
                                       attendees=attendees, user=user)
    except ValueError as problem:
        raise click.ClickException(f"The meeting was not recorded: {problem}") from None
    _show(user, meeting.pk, output, "Opened")


@meetings.command(name="show")
@click.argument("meeting_id", type=int)
@_FORMAT
@_MEETING_AS
def show(meeting_id, output, acting_as) -> None:
    """A meeting's list of pupils to discuss: absence this year, stage, drivers, the agreed
    actions still open and what changed since the school's previous meeting (the drivers and
    the changes in CSV and JSON only, for a terminal's width).

    Example: muster targeting meetings show 12 --as attendance-lead --format csv
    """
    django_setup()
    _show(_user(acting_as), meeting_id, output, "Opened")


def _early_help(ctx, param, value: str | None) -> bool | None:
    return None if value is None else value == "yes"


@meetings.command(name="log")
@click.argument("meeting_id", type=int)
@click.option("--pupil", "upn", required=True, help="The pupil's UPN.")
@click.option("--action", "description", help="An action agreed: what is to be done.")
@click.option("--owner", help="Who owns the agreed action (needed with --action).")
@click.option("--review-on", "review_on", callback=parse_date,
              help="When the agreed action is reviewed, YYYY-MM-DD (needed with --action).")
@click.option("--lead-practitioner", default="", help="The pupil's lead practitioner.")
@click.option("--early-help", type=click.Choice(["yes", "no"]), callback=_early_help,
              help="Whether early help has been offered.")
@click.option("--barriers", default="", help="The barriers to attendance found.")
@click.option("--note", default="", help="Anything else said.")
@_WRITER_AS
def log(meeting_id, upn, description, owner, review_on, lead_practitioner, early_help, barriers,
        note, acting_as) -> None:
    """Write to a pupil's shared action log at a meeting, with the action agreed, its owner and
    review date. Entries are history: a correction is a new entry.

    Example: muster targeting meetings log 12 --pupil A123456789012 --action "Home visit" --owner "Attendance lead" --review-on 2026-12-11 --early-help yes --as attendance-lead
    """
    django_setup()
    from muster.people import access
    from muster.targeting import actions, scope

    user = acting_user(acting_as, required=True)
    try:
        meeting = scope.access_meeting_by_id(user, meeting_id)
    except access.NotFound:
        raise click.ClickException(f"no meeting {meeting_id}{_within(user)}") from None
    drafts = []
    if description:
        if not owner or review_on is None:
            raise click.UsageError("an agreed action needs --owner and --review-on")
        drafts.append(actions.ActionDraft(description, owner, review_on))
    elif owner or review_on:
        raise click.UsageError("--owner and --review-on go with --action")
    pupil = scope.log_pupils_visible_to(user).filter(upn=upn).first()
    if pupil is None:  # the same answer whether the pupil is out of reach or unknown
        raise click.ClickException(f"no pupil {upn}{_within(user)}")
    try:
        entry = actions.write_log_entry(
            pupil=pupil, school=meeting.school, user=user, meeting=meeting,
            written_on=access.today(), lead_practitioner=lead_practitioner,
            early_help_offered=early_help, barriers=barriers, note=note, actions=drafts)
    except ValueError as problem:
        raise click.ClickException(f"Nothing was recorded: {problem}") from None
    click.echo(f"Recorded in the action log of {upn} (entry {entry.pk}, meeting {meeting.pk}"
               + (f"; {drafts[0].owner} to review on {drafts[0].review_on})" if drafts else ")"))


@meetings.command(name="pack")
@click.argument("meeting_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the Word document (.docx).")
@_MEETING_AS
def pack(meeting_id, out, acting_as) -> None:
    """Write the meeting pack as a Word document: the agenda, who attends, and for each pupil
    on the list the figures, stage, drivers, open actions and what changed since the last
    meeting, with room for what is agreed.

    Example: muster targeting meetings pack 12 --out targeting-990101.docx --as la-officer
    """
    django_setup()
    from muster.targeting.pack import meeting_pack

    user = _user(acting_as)
    meeting, rows = _meeting_with_list(user, meeting_id)
    out.write_bytes(meeting_pack(meeting, rows))
    _audit_pack(user, Action.EXPORT, meeting, rows, "Wrote", f", to {out}")
    click.echo(out)
