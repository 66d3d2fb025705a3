"""`muster evaluate`, `muster explain`, `muster tasks`: the policies applied, explained, and the
work that follows."""

from __future__ import annotations

import datetime as dt

import click

from muster.cli.common import acting_user, django_setup, emit, parse_date, today


@click.command()
@click.option("--date", "day", callback=parse_date, help="The day to evaluate (default: today).")
@click.option("--from", "first", callback=parse_date, help="Evaluate every weekday from this day...")
@click.option("--to", "last", callback=parse_date, help="...to this day (with --from).")
def evaluate(day: dt.date | None, first: dt.date | None, last: dt.date | None) -> None:
    """Apply every policy in force to every pupil it covers, and turn bands into tasks.

    Each pupil's band under each policy is measured from their registers; a change of band (or
    of absence column) is recorded in the pupil's band history, the new band's tasks go to the
    people who hold each role for the pupil, and open tasks that no longer apply are marked
    superseded. Running a day again changes nothing: no task is ever made twice. Then each local
    authority's involvements for persistent and severe absence are brought up to date on the last
    day, so its attendance officers reach those pupils. Run it each school day after registers close.

    Example: muster evaluate --date 2026-11-27
    """
    django_setup()
    from muster.casework.evaluation import evaluate_days
    from muster.core.slots import weekdays
    from muster.people.actions import refresh_absence_involvements
    from muster.registers.models import LocalAuthority

    if (first is None) != (last is None):
        raise click.BadParameter("give --from and --to together")
    if first is not None and day is not None:
        raise click.BadParameter("give --date, or --from and --to, not both")
    if first is not None and last < first:
        raise click.BadParameter("--to is before --from")
    days = weekdays(first, last) if first is not None else [day or today()]
    summary = evaluate_days(days)
    opened = ended = 0
    for authority in LocalAuthority.objects.filter(schools__isnull=False).distinct():
        more, fewer = refresh_absence_involvements(local_authority=authority, on=days[-1])
        opened, ended = opened + more, ended + fewer
    click.echo(
        f"Evaluated {summary.days} day(s), {summary.placements:,} placements: "
        f"{summary.spells_opened:,} band changes recorded, {summary.tasks_created:,} tasks created, "
        f"{summary.tasks_superseded:,} superseded, {summary.tasks_reopened:,} reopened"
        + (f"; {summary.history_kept:,} past days differ from the history kept (marks corrected "
           "since), history not rewritten" if summary.history_kept else "")
    )
    for (policy_id, label), count in sorted(summary.bands.items()):
        click.echo(f"  {policy_id}: {label}: {count:,} pupils on {days[-1]}")
    click.echo(f"Local authority involvements for persistent and severe absence on {days[-1]}: "
               f"{opened:,} opened, {ended:,} ended")


_AS = click.option(
    "--as", "acting_as", metavar="USERNAME",
    help="As this member of staff: only the pupils their roles reach.",
)


_user = acting_user


@click.command()
@click.argument("upn")
@click.option("--date", "day", callback=parse_date, help="The day (default: today).")
@click.option("--policy", "policy_id", metavar="ID", help="Only this policy.")
@_AS
def explain(upn: str, day: dt.date | None, policy_id: str | None, acting_as: str | None) -> None:
    """Why a pupil is in each band: the figure, the counts, the band and its source line, the
    absence column and how it was decided, what each role must do, and the band history.

    Example: muster explain A938200000123 --date 2026-11-27 --as vs-advisor
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.casework.explanations import band_history
    from muster.casework.explanations import explain as explain_pupil
    from muster.core.roles import Action, RecordKind
    from muster.people import access

    user = _user(acting_as, required=True)
    day = day or today()
    try:
        pupil = access.access_pupil_by_upn(user, upn, Action.VIEW, RecordKind.FIGURES, on=day)
    except access.NotFound:
        raise click.ClickException(f"no pupil with UPN {upn} that {user.username} may see") from None
    record_event(user=user, action="view", record_kind=RecordKind.FIGURES.value, pupil_id=pupil.pk,
                 summary=f"band explanation on {day} from the command line")
    found = explain_pupil(pupil, day, policy_id=policy_id)
    if not found:
        click.echo(f"No policy covers {upn} on {day}.")
    for item in found:
        owner = f" (used by {item.adopter})" if item.adopter else ""
        click.echo(f"{item.policy.title}{owner}")
        click.echo(f"  {item.evaluation.explanation}")
        if item.evaluation.in_gap:
            click.echo("  The pupil is in a gap of this policy: it requires nothing for this figure.")
        for intervention in item.evaluation.interventions:
            click.echo(f"  - {intervention.role}: {intervention.instruction} ({intervention.source})")
    spells = list(band_history(pupil, policy_id))
    if spells:
        click.echo("Band history:")
        for spell in spells:
            until = f"to {spell.ends}" if spell.ends else "to date"
            click.echo(f"  {spell.policy_id}: {spell.band_label} ({spell.absence_type}) from "
                       f"{spell.starts} {until}")


@click.group()
def tasks() -> None:
    """Tasks that policies require of the people who hold each role for a pupil."""


@tasks.command(name="list")
@_AS
@click.option("--status", type=click.Choice(["open", "done", "superseded", "all"]), default="open",
              show_default=True)
@click.option("--team", is_flag=True, help="Every task of the roles you hold in your organisations.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def tasks_list(acting_as: str, status: str, team: bool, output: str) -> None:
    """My tasks: those assigned to me, and those waiting in the queue of a role I hold.

    Example: muster tasks list --as designated-teacher
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.casework.worklists import tasks_for

    user = _user(acting_as, required=True)
    on = today()
    found = tasks_for(user, on=on, status=None if status == "all" else status, team=team)
    rows = [
        {"id": t.pk, "due": t.due.isoformat() if t.due else None, "pupil": t.pupil.upn,
         "name": f"{t.pupil.preferred_name or t.pupil.legal_forename} {t.pupil.legal_surname}",
         "task": t.title, "role": t.role, "assignee": t.assignee.username if t.assignee else None,
         "status": t.status, "since": t.created_on.isoformat(), "source": t.source}
        for t in found
    ]
    record_event(user=user, action="list", record_kind="task",
                 summary=f"{len(rows)} {status} tasks from the command line")
    emit(rows, ("id", "due", "pupil", "name", "task", "role", "assignee", "status", "since", "source"), output)


@tasks.command(name="complete")
@click.argument("task_id", type=int)
@_AS
@click.option("--note", default="", help="What was done.")
def tasks_complete(task_id: int, acting_as: str, note: str) -> None:
    """Mark one of my tasks done, with a note.

    Example: muster tasks complete 42 --as attendance-lead --note "Spoke to mum; ill, back Monday"
    """
    django_setup()
    from muster.casework.actions import TaskNotOpen, complete_task
    from muster.casework.worklists import tasks_for

    user = _user(acting_as, required=True)
    task = tasks_for(user, status=None, team=True).filter(pk=task_id).first()
    if task is None:
        raise click.ClickException(f"no task {task_id} for {user.username}")
    try:
        complete_task(task=task, user=user, note=note)
    except TaskNotOpen as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Task {task_id} done: {task.title}")
