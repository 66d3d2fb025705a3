"""The Virtual School's single school (issue 5, item 1): every child in care the user may see,
wherever they are at school, with today's figures and band, the trend since entering care, open
tasks, the last and next PEP and the plan's status. Pupils and registers are read through the
trust layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Count

from muster.care.measure import review_due
from muster.care.models import AttendanceImprovementPlan, Escalation, PepMeeting
from muster.casework.models import BandSpell, Task
from muster.core import figures, slots
from muster.core.care.before_after import Attendance
from muster.core.care.before_after import attendance as attendance_between
from muster.core.care.care_period import care_period_start
from muster.core.care.form import care_parameter
from muster.core.care.improvement import small_improvements
from muster.core.care.key_stage import key_stage
from muster.core.care.trigger import need
from muster.core.roles import Action, RecordKind, Role
from muster.interop.models import CareEpisode
from muster.people import access
from muster.people.models import Allocation
from muster.people.models import current as in_force
from muster.registers import store


@dataclass(frozen=True)
class CaseloadRow:
    pupil_id: int
    upn: str
    name: str
    school: str
    nc_year: str
    attendance: float | None
    """Year to date, for display (the band was decided on exact counts)."""
    possible: int
    band: str
    band_since: dt.date | None
    improvement: str
    open_tasks: int
    last_pep: dt.date | None
    next_pep: dt.date | None
    needs: str
    """What the PEP needs for this attendance (seed 000 line 20), or empty."""
    plan_status: str
    escalation: str
    """The latest escalation's status, or empty."""
    care_since: dt.date | None = None
    """The first day of the current period of care (SSDA903 episodes), if known."""
    before_care: Attendance | None = None
    since_care: Attendance | None = None
    plan_id: int | None = None

    @property
    def trend(self) -> str:
        """Attendance before entering care against since, in words (for display)."""
        if self.care_since is None:
            return "date entering care not known"
        if self.since_care is None or not self.since_care.possible:
            return f"in care since {self.care_since:%d %b %Y}; no registers since"
        if self.before_care is None:
            return (f"in care since {self.care_since:%d %b %Y}, before the registers held; "
                    f"{self.since_care.percent:.1f}% since {self.since_care.first:%d %b %Y}")
        before = "no registers" if not self.before_care.possible else f"{self.before_care.percent:.1f}%"
        since = "no registers" if not self.since_care.possible else f"{self.since_care.percent:.1f}%"
        text = f"{before} before, {since} since"
        if self.before_care.possible and self.since_care.possible:
            change = self.since_care.percent - self.before_care.percent
            text += f" ({change:+.1f} points)"
        return text


def _allocated(on: dt.date, username: str, role: Role | None):
    found = Allocation.objects.filter(in_force(on), worker__username=username)
    if role is not None:
        found = found.filter(role=role.value)
    return found.values("pupil_id")


def care_starts(pupil_ids, on: dt.date) -> dict[int, dt.date]:
    """The first day of each child's current period of care, where the episodes say."""
    episodes: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for pupil_id, start, end in CareEpisode.objects.filter(pupil__in=pupil_ids).values_list("pupil", "start", "end"):
        episodes.setdefault(pupil_id, []).append((start, end))
    found = {p: care_period_start(e, on) for p, e in episodes.items()}
    return {p: start for p, start in found.items() if start is not None}


def caseload(user, on: dt.date, *, school: str | None = None, band: str | None = None, la: str | None = None,
             stage: str | None = None, worker: str | None = None, social_worker: str | None = None,
             advisor: str | None = None, pupil_id: int | None = None) -> list[CaseloadRow]:
    """Filters: the school (URN or name), the band (id or label), the school's local authority
    (code), the key stage (KS1..KS4, EYFS, 16-19), the allocated worker of any role, social
    worker or education advisor (username)."""
    pupils = access.pupils_visible_to(user, Action.LIST, RecordKind.FIGURES, on=on).filter(looked_after=True)
    if pupil_id is not None:
        pupils = pupils.filter(pk=pupil_id)
    for username, role in ((worker, None), (social_worker, Role.SOCIAL_WORKER), (advisor, Role.EDUCATION_ADVISOR)):
        if username:
            pupils = pupils.filter(pk__in=_allocated(on, username, role))
    enrolments = access.enrolments_visible_to(user, Action.LIST, RecordKind.REGISTER, on=on).filter(
        pupil__in=pupils.values("pk"))
    current = enrolments.filter(start__lte=on).exclude(end__lt=on).select_related("school__local_authority").order_by("pupil", "start")
    school_of = {e.pupil_id: e.school for e in current}
    if school:
        pupils = pupils.filter(pk__in=[p for p, s in school_of.items() if school in (s.urn, s.name)])
    if la:
        pupils = pupils.filter(pk__in=[p for p, s in school_of.items() if s.local_authority.code == la])
    plan_below, targets_below = care_parameter("plan_threshold_percent").value_on(on)
    year_start = slots.year_start(slots.academic_year(on))
    starts = care_starts(pupils.values("pk"), on)
    before_weeks = care_parameter("before_care_weeks").value_on(on)
    earliest = min((s - dt.timedelta(weeks=before_weeks) for s in starts.values()), default=on)
    first = max(min(year_start, on - dt.timedelta(weeks=5), earliest), slots.year_start(slots.academic_year(on) - 1))
    loaded = store.load(enrolments, first, on, look_back=False)
    counts = figures.compute(loaded.matrix, year_start, on)
    unit_of = {int(pupil_id): i for i, pupil_id in enumerate(loaded.unit_ids)}
    spells = {s.pupil_id: s for s in BandSpell.objects.filter(
        pupil__in=pupils.values("pk"), ends__isnull=True, organisation__kind="virtual_school")}
    tasks = dict(Task.objects.filter(pupil__in=pupils.values("pk"), status=Task.Status.OPEN).order_by()
                 .values("pupil").annotate(n=Count("pk")).values_list("pupil", "n"))
    meetings: dict[int, list[dt.date]] = {}
    for pupil_id, day in PepMeeting.objects.filter(pupil__in=pupils.values("pk")).values_list("pupil", "date"):
        meetings.setdefault(pupil_id, []).append(day)
    plans = {}
    for plan in AttendanceImprovementPlan.objects.filter(pupil__in=pupils.values("pk")).order_by("agreed_on", "pk"):
        plans[plan.pupil_id] = plan
    escalations = {e.pupil_id: e.get_status_display() for e in Escalation.objects.filter(
        pupil__in=pupils.values("pk")).order_by("proposed_on", "pk")}
    rows = []
    for pupil in pupils.order_by("legal_surname", "legal_forename", "pk"):
        spell = spells.get(pupil.pk)
        if stage and key_stage(pupil.nc_year) != stage:
            continue
        if band and (spell is None or band.lower() not in (spell.band.lower(), spell.band_label.lower())):
            continue
        unit = unit_of.get(pupil.pk)
        possible = int(counts.possible[unit]) if unit is not None else 0
        attendance = float(counts.attendance_pct[unit]) if possible else None
        improvement = (small_improvements(loaded.matrix, unit, on, year_start).describe()
                       if unit is not None else "no registers")
        days = sorted(meetings.get(pupil.pk, []))
        plan = plans.get(pupil.pk)
        plan_status = plan.get_status_display() if plan is not None else "no plan"
        if plan is not None and plan.revised_from_id is not None:
            plan_status += f" (revised at the review of {plan.agreed_on})"
        upcoming = [d for d in days if d > on]
        if plan is not None and plan.status == plan.Status.ACTIVE:
            upcoming.append(review_due(plan))
        since = starts.get(pupil.pk)
        before_care = since_care = None
        if since is not None and unit is not None:
            before_from = max(since - dt.timedelta(weeks=before_weeks), loaded.matrix.first_day)
            if before_from < since:
                before_care = attendance_between(loaded.matrix, unit, before_from, since - dt.timedelta(days=1))
            since_care = attendance_between(loaded.matrix, unit, max(since, loaded.matrix.first_day), on)
        rows.append(CaseloadRow(
            pupil_id=pupil.pk, upn=pupil.upn, name=pupil.display_name,
            school=school_of[pupil.pk].name if pupil.pk in school_of else "(not on roll)", nc_year=pupil.nc_year,
            attendance=None if attendance is None or np.isnan(attendance) else round(attendance, 1),
            possible=possible, needs=need(int(counts.attended[unit]) if unit is not None else 0, possible,
                                          plan_below, targets_below).value,
            band=spell.band_label if spell else "(not evaluated)",
            band_since=spell.band_since if spell else None, improvement=improvement,
            open_tasks=tasks.get(pupil.pk, 0), last_pep=max([d for d in days if d <= on], default=None),
            next_pep=min(upcoming, default=None),
            plan_status=plan_status, escalation=escalations.get(pupil.pk, ""),
            care_since=since, before_care=before_care, since_care=since_care,
            plan_id=plan.pk if plan is not None else None,
        ))
    return rows
