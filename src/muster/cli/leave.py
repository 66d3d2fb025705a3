"""`muster leave` and `muster part-time`: leave of absence requests and part-time timetables.

Thin shells over `muster.statutory.leave`. Changes act as a named member of staff (`--as`)
whose roles reach the pupil's registers; lists take `--as` to read only what they reach.
"""

from __future__ import annotations

import click

from muster.cli.common import acting_user, django_setup, emit, parse_date, today
from muster.cli.reports import _audit, _school
from muster.core.roles import Action, RecordKind

_FORMAT = click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
                       default="table", show_default=True)


def _staff_pupil(acting_as: str, upn: str):
    from muster.people import access

    user = acting_user(acting_as, required=True)
    if not access.can(user, RecordKind.REGISTER, Action.CHANGE):
        raise click.ClickException(f"{user.username}'s roles do not allow changing registers")
    pupil = access.pupils_visible_to(user, Action.CHANGE, RecordKind.REGISTER).filter(upn=upn).first()
    if pupil is None:
        raise click.ClickException(f"no pupil {upn} within {user.username}'s reach")
    return user, pupil


def _pupils(acting_as: str | None, output: str):
    if acting_as is None:
        return None
    from muster.people import access

    user = acting_user(acting_as)
    action = Action.LIST if output == "table" else Action.EXPORT
    if not access.can(user, RecordKind.REGISTER, action):
        raise click.ClickException(f"{user.username}'s roles do not reach this list")
    return access.pupils_visible_to(user, action, RecordKind.REGISTER)


def _run(call, **kwargs):
    from muster.statutory.actions import StatutoryError

    try:
        return call(**kwargs)
    except StatutoryError as problem:
        raise click.ClickException(str(problem)) from None


@click.group()
def leave() -> None:
    """Leave of absence requests: written request, headteacher's decision against "exceptional
    circumstances", C pre-filled when approved, G when taken after refusal (seed 002 lines 195-203)."""


@leave.command(name="request")
@click.option("--pupil", "upn", required=True)
@click.option("--school", "school_urn", required=True)
@click.option("--from", "first", required=True, callback=parse_date)
@click.option("--to", "last", required=True, callback=parse_date)
@click.option("--from-session", type=click.Choice(["AM", "PM"]), default="AM", show_default=True)
@click.option("--to-session", type=click.Choice(["AM", "PM"]), default="PM", show_default=True)
@click.option("--reason", required=True, help="The reason as the parent wrote it.")
@click.option("--parent", required=True, help="The parent who made the written request.")
@click.option("--received", callback=parse_date, help="Day the written request came in (default today).")
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
def request(upn, school_urn, first, last, from_session, to_session, reason, parent, received, acting_as):
    """Record a parent's written request for leave, made in advance.

    Example: muster leave request --pupil A123456789012 --school 100001 --from 2026-12-07 --to 2026-12-08 --reason "Funeral abroad" --parent "Ms Example" --as attendance-lead
    """
    django_setup()
    from muster.statutory import leave as actions

    user, pupil = _staff_pupil(acting_as, upn)
    made = _run(actions.request_leave, pupil=pupil, school=_school(school_urn), first_day=first,
                last_day=last, first_session=from_session, last_session=to_session, reason=reason,
                requested_by=parent, received_on=received or today(), by=user)
    click.echo(f"Leave request {made.pk}: {made}")


@leave.command(name="decide")
@click.argument("request_id", type=int)
@click.option("--approve/--refuse", required=True)
@click.option("--met", multiple=True, metavar="PRINCIPLE",
              help="A principle of exceptional circumstances found met (rare, significant, "
              "unavoidable, short); the others are taken as not met.")
@click.option("--reasons", required=True, help="The headteacher's reasons, as written to the parent.")
@click.option("--on", "on", callback=parse_date, help="Day of the decision (default today).")
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
def decide(request_id, approve, met, reasons, on, acting_as):
    """The headteacher's decision; approved leave pre-fills C on its sessions.

    Example: muster leave decide 3 --approve --met rare --met significant --met unavoidable --met short --reasons "Funeral" --as head
    """
    django_setup()
    from muster.core.rules.leave import principles
    from muster.statutory import leave as actions
    from muster.statutory.models import LeaveRequest

    found = LeaveRequest.objects.select_related("pupil").filter(pk=request_id).first()
    if found is None:
        raise click.ClickException(f"no leave request {request_id}")
    user, _pupil = _staff_pupil(acting_as, found.pupil.upn)
    day = on or today()
    unknown = set(met) - set(principles(day))
    if unknown:
        raise click.BadParameter(f"not a principle: {', '.join(sorted(unknown))}", param_hint="--met")
    answers = {p: p in met for p in principles(day)}
    _run(actions.decide_leave, request=found, approve=approve, answers=answers, reasons=reasons, on=day, by=user)
    click.echo(f"Leave request {found.pk}: {found.get_status_display()}")


@leave.command(name="taken")
@click.argument("request_id", type=int)
@click.option("--on", "on", callback=parse_date)
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
def taken(request_id, on, acting_as):
    """The pupil was taken out after the leave was refused: its sessions become G.

    Example: muster leave taken 3 --as attendance-lead
    """
    django_setup()
    from muster.statutory import leave as actions
    from muster.statutory.models import LeaveRequest

    found = LeaveRequest.objects.select_related("pupil").filter(pk=request_id).first()
    if found is None:
        raise click.ClickException(f"no leave request {request_id}")
    user, _pupil = _staff_pupil(acting_as, found.pupil.upn)
    written = _run(actions.record_leave_taken, request=found, on=on or today(), by=user)
    click.echo(f"{written} session(s) marked G.")


LEAVE_COLUMNS = ("id", "upn", "school_urn", "first_day", "last_day", "requested_by", "received_on",
                 "status", "decided_on", "unmet", "taken_after_refusal_on")


@leave.command(name="list")
@click.option("--status", type=click.Choice(["pending", "approved", "refused"]))
@_FORMAT
@click.option("--as", "acting_as", metavar="USERNAME")
def list_leave(status, output, acting_as):
    """Leave requests with their decisions.

    Example: muster leave list --status pending --as head
    """
    django_setup()
    from muster.statutory.models import LeaveRequest

    found = LeaveRequest.objects.select_related("pupil", "school")
    pupils = _pupils(acting_as, output)
    if pupils is not None:
        found = found.filter(pupil__in=pupils.values("pk"))
    if status:
        found = found.filter(status=status)
    rows = [
        {"id": r.pk, "upn": r.pupil.upn, "school_urn": r.school.urn, "first_day": str(r.first_day),
         "last_day": str(r.last_day), "requested_by": r.requested_by, "received_on": str(r.received_on),
         "status": r.status, "decided_on": str(r.decided_on or ""),
         "unmet": ", ".join(p for p, ok in r.principles.items() if not ok),
         "taken_after_refusal_on": str(r.taken_after_refusal_on or "")}
        for r in found
    ]
    _audit(acting_as, output, RecordKind.REGISTER, f"leave requests, {len(rows)} listed")
    emit(rows, LEAVE_COLUMNS, output)


@click.group(name="part-time")
def part_time() -> None:
    """Part-time timetables (C2): start, end and review dates; open-ended or overdue ones
    flagged (issue 4 item 6; seed 004 line 150)."""


@part_time.command(name="add")
@click.option("--pupil", "upn", required=True)
@click.option("--school", "school_urn", required=True)
@click.option("--start", required=True, callback=parse_date)
@click.option("--end", callback=parse_date)
@click.option("--review", "review_on", callback=parse_date)
@click.option("--reason", required=True)
@click.option("--agreed-with", default="", help="The parent who agreed it.")
@click.option("--as-found", is_flag=True,
              help="Record one already running without an end or review date (it is flagged).")
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
def add(upn, school_urn, start, end, review_on, reason, agreed_with, as_found, acting_as):
    """Record a temporary part-time timetable.

    Example: muster part-time add --pupil A123456789012 --school 100001 --start 2026-11-02 --end 2026-12-18 --review 2026-11-30 --reason "Phased return" --as attendance-lead
    """
    django_setup()
    from muster.statutory import leave as actions

    user, pupil = _staff_pupil(acting_as, upn)
    made = _run(actions.record_part_time_timetable, pupil=pupil, school=_school(school_urn),
                start=start, end=end, review_on=review_on, reason=reason, agreed_with=agreed_with,
                as_found=as_found, by=user)
    click.echo(f"Part-time timetable {made.pk}: {made}")


@part_time.command(name="review")
@click.argument("timetable_id", type=int)
@click.option("--next-review", callback=parse_date)
@click.option("--end", callback=parse_date, help="A new end date.")
@click.option("--close", is_flag=True, help="Back to full time: the timetable ends.")
@click.option("--note", default="")
@click.option("--on", "on", callback=parse_date)
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
def review(timetable_id, next_review, end, close, note, on, acting_as):
    """Record a review: a next review date (and maybe a new end), or close it.

    Example: muster part-time review 4 --next-review 2026-12-14 --as attendance-lead
    """
    django_setup()
    from muster.statutory import leave as actions
    from muster.statutory.models import PartTimeTimetable

    found = PartTimeTimetable.objects.select_related("pupil").filter(pk=timetable_id).first()
    if found is None:
        raise click.ClickException(f"no part-time timetable {timetable_id}")
    user, _pupil = _staff_pupil(acting_as, found.pupil.upn)
    _run(actions.review_part_time_timetable, timetable=found, on=on or today(), by=user,
         next_review_on=next_review, end=end, close=close, note=note)
    click.echo(f"Part-time timetable {found.pk}: reviewed")


PART_TIME_COLUMNS = ("id", "upn", "school_urn", "start", "end", "review_on", "reviewed_on",
                     "closed_on", "flags")


@part_time.command(name="list")
@click.option("--flagged", is_flag=True, help="Only open-ended, overdue or otherwise flagged ones.")
@click.option("--untracked", is_flag=True,
              help="List instead the pupils with C2 marks this year on days no recorded timetable "
              "covers (needs --school).")
@click.option("--school", "school_urn")
@click.option("--on", "on", callback=parse_date, help="The day to flag on (default today).")
@_FORMAT
@click.option("--as", "acting_as", metavar="USERNAME")
def list_part_time(flagged, untracked, school_urn, on, output, acting_as):
    """Part-time timetables with their flags.

    Example: muster part-time list --flagged --as attendance-lead
    """
    django_setup()
    from muster.statutory.leave import part_time_flags
    from muster.statutory.models import PartTimeTimetable

    day = on or today()
    found = PartTimeTimetable.objects.select_related("pupil", "school")
    pupils = _pupils(acting_as, output)
    if untracked:
        _untracked(school_urn, day, output, acting_as)
        return
    if pupils is not None:
        found = found.filter(pupil__in=pupils.values("pk"))
    if school_urn:
        found = found.filter(school=_school(school_urn))
    rows = []
    for t in found:
        flags = part_time_flags(t, day)
        if flagged and not flags:
            continue
        rows.append({"id": t.pk, "upn": t.pupil.upn, "school_urn": t.school.urn, "start": str(t.start),
                     "end": str(t.end or ""), "review_on": str(t.review_on or ""),
                     "reviewed_on": str(t.reviewed_on or ""), "closed_on": str(t.closed_on or ""),
                     "flags": "; ".join(flags)})
    _audit(acting_as, output, RecordKind.REGISTER, f"part-time timetables, {len(rows)} listed")
    emit(rows, PART_TIME_COLUMNS, output)


def _untracked(school_urn: str | None, day, output: str, acting_as: str | None) -> None:
    from muster.people import access
    from muster.statutory.leave import UNTRACKED_COLUMNS, untracked_c2

    if not school_urn:
        raise click.UsageError("--untracked needs --school")
    enrolments = None
    if acting_as is not None:
        enrolments = access.enrolments_visible_to(acting_user(acting_as), Action.LIST if output == "table" else Action.EXPORT)
    rows = untracked_c2(school=_school(school_urn), on=day, enrolments=enrolments)
    _audit(acting_as, output, RecordKind.REGISTER, f"untracked C2 marks at {school_urn}, {len(rows)} pupils")
    emit(rows, UNTRACKED_COLUMNS, output)
