"""`muster care`: the Virtual School's single school of children in care, the quality of their
attendance improvement plans, and escalations (issue 5). Reads go through the trust layer."""

from __future__ import annotations

import datetime as dt

import click

from muster.cli.casework import _AS, _user
from muster.cli.common import django_setup, emit, parse_date, today

_DATE = click.option("--date", "day", callback=parse_date, help="The day (default: today).")
_FORMAT = click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
                       show_default=True)


@click.group()
def care() -> None:
    """Children in care: the Virtual School's caseload, plan quality and escalations."""


@care.command()
@_AS
@_DATE
@click.option("--school", metavar="URN_OR_NAME", help="Only children on roll at this school.")
@click.option("--band", metavar="BAND", help="Only children in this band of the Virtual School's policy "
              "(e.g. persistent, or 'Poor attendance').")
@click.option("--la", metavar="CODE", help="Only children at schools of this local authority.")
@click.option("--key-stage", "stage", type=click.Choice(["EYFS", "KS1", "KS2", "KS3", "KS4", "16-19"]),
              help="Only children in this key stage.")
@click.option("--worker", metavar="USERNAME", help="Only children allocated to this social worker or advisor.")
@_FORMAT
def caseload(acting_as: str, day: dt.date | None, school: str | None, band: str | None, la: str | None,
             stage: str | None, worker: str | None, output: str) -> None:
    """The Virtual School's single school: every child in care you may see, wherever they are at
    school, with attendance this school year, their band under the Virtual School's policy (from
    the daily evaluation), whether the PEP needs an attendance improvement plan (below 90%) or
    attendance targets (below 95%), this week against the four before and the best run of days present,
    open tasks, the last and next PEP (a future meeting or the plan's review date), the plan and any
    escalation.

    Example: muster care caseload --as vs-advisor --band persistent
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.care.caseload import caseload as rows_for

    user = _user(acting_as, required=True)
    on = day or today()
    found = rows_for(user, on, school=school, band=band, la=la, stage=stage, worker=worker)
    record_event(user=user, action="list", record_kind="figures",
                 summary=f"children in care caseload of {len(found)} on {on} from the command line")
    rows = [{"upn": r.upn, "name": r.name, "school": r.school, "year": r.nc_year,
             "attendance": "" if r.attendance is None else f"{r.attendance:.1f}", "band": r.band,
             "since": r.band_since.isoformat() if r.band_since else "", "needs": r.needs, "tasks": r.open_tasks,
             "last_pep": r.last_pep.isoformat() if r.last_pep else "",
             "next_pep": r.next_pep.isoformat() if r.next_pep else "", "plan": r.plan_status,
             "escalation": r.escalation,
             "improvement": r.improvement} for r in found]
    emit(rows, ("upn", "name", "school", "year", "attendance", "band", "since", "needs", "tasks", "last_pep", "next_pep",
                "plan", "escalation", "improvement"), output)


@care.command(name="plan-check")
@click.argument("upn", required=False)
@_AS
@_DATE
def plan_check(upn: str | None, acting_as: str, day: dt.date | None) -> None:
    """Check attendance improvement plans against seed 004's elements of an effective plan: the
    aim has a target and a date; each action an owner, a date and a measure and answers a barrier;
    push/pull factors, the child's voice and what is going well are recorded; the review is not
    overdue; a review with no improvement changed the actions; a reduced timetable has an end
    date. With a UPN, every check of that child's latest plan with its reason; without, the
    findings that failed on each child's latest plan.

    Example: muster care plan-check --as vs-advisor A938200000123
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.care.measure import quality
    from muster.care.models import AttendanceImprovementPlan
    from muster.core.roles import Action, RecordKind
    from muster.people import access

    user = _user(acting_as, required=True)
    on = day or today()
    if upn:
        try:
            pupil = access.access_pupil_by_upn(user, upn, Action.VIEW, RecordKind.FIGURES, on=on)
        except access.NotFound:
            raise click.ClickException(f"no pupil with UPN {upn} that {user.username} may see") from None
        plan = AttendanceImprovementPlan.objects.filter(pupil=pupil).order_by("agreed_on", "pk").last()
        if plan is None:
            raise click.ClickException(f"{upn} has no attendance improvement plan")
        record_event(user=user, action="view", record_kind="attendance_plan", record_id=plan.pk, pupil_id=pupil.pk,
                     summary="plan quality check from the command line")
        report = quality(plan, on)
        click.echo(f"{pupil.display_name} ({pupil.upn}): plan agreed {plan.agreed_on}, {plan.get_status_display()}")
        for finding in report.findings:
            click.echo(f"  [{'ok' if finding.passed else 'FAIL'}] {finding.check}: {finding.reason} ({finding.source})")
        click.echo(f"  {len(report.failed)} of {len(report.findings)} checks failed")
        return
    visible = access.pupils_visible_to(user, Action.LIST, RecordKind.FIGURES, on=on).filter(looked_after=True)
    latest: dict[int, AttendanceImprovementPlan] = {}
    for plan in AttendanceImprovementPlan.objects.filter(pupil__in=visible.values("pk")).select_related(
            "pupil").order_by("agreed_on", "pk"):
        latest[plan.pupil_id] = plan
    record_event(user=user, action="list", record_kind="attendance_plan",
                 summary=f"quality of {len(latest)} plans from the command line")
    clean = 0
    for plan in sorted(latest.values(), key=lambda p: p.pupil.upn):
        report = quality(plan, on)
        if report.effective:
            clean += 1
            continue
        click.echo(f"{plan.pupil.upn} {plan.pupil.display_name} (plan agreed {plan.agreed_on}):")
        for finding in report.failed:
            click.echo(f"  {finding.check}: {finding.reason} ({finding.source})")
    click.echo(f"{len(latest)} plans checked: {clean} pass every check, {len(latest) - clean} do not")


@care.command()
@_AS
@_DATE
@click.option("--status", type=click.Choice(["proposed", "escalated", "not_escalated", "all"]), default="all",
              show_default=True)
@_FORMAT
def escalations(acting_as: str, day: dt.date | None, status: str, output: str) -> None:
    """Escalations to the social worker's team manager and the IRO (seed 001 line 61), proposed
    when a plan's review finds attendance not improved by the Virtual School's margin, with the
    attendance before and after measured from the marks and the outcome recorded.

    Example: muster care escalations --as vs-advisor --status proposed
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.care.models import Escalation
    from muster.core.roles import Action, RecordKind
    from muster.people import access

    user = _user(acting_as, required=True)
    on = day or today()
    visible = access.pupils_visible_to(user, Action.LIST, RecordKind.FIGURES, on=on)
    found = Escalation.objects.filter(pupil__in=visible.values("pk")).select_related("pupil", "plan", "decided_by")
    if status != "all":
        found = found.filter(status=status)
    rows = [{"id": e.pk, "upn": e.pupil.upn, "name": e.pupil.display_name, "proposed": e.proposed_on.isoformat(),
             "before": _pct(e.plan.before_attended, e.plan.before_possible),
             "after": _pct(e.plan.after_attended, e.plan.after_possible), "status": e.get_status_display(),
             "outcome": e.outcome, "by": e.decided_by.username if e.decided_by else ""} for e in found]
    record_event(user=user, action="list", record_kind="escalation",
                 summary=f"{len(rows)} escalations from the command line")
    emit(rows, ("id", "upn", "name", "proposed", "before", "after", "status", "outcome", "by"), output)


def _pct(attended: int | None, possible: int | None) -> str:
    return f"{attended * 100 / possible:.1f}%" if possible else ""
