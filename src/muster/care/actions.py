"""Changing care records: PEP meetings, attendance improvement plans and their reviews,
escalations, process pathways and Pupil Premium Plus requests. Pages, admin, CLI and the demo
call these; each change is on the audit record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from muster.audit.log import record_event
from muster.care.measure import measure_plan
from muster.care.models import (
    AttendanceImprovementPlan,
    Escalation,
    PathwayApproval,
    PathwayRun,
    PepMeeting,
    PlanAction,
    PupilPremiumPlusRequest,
    ResponsibilityCheck,
)
from muster.casework.holders import Holders
from muster.casework.models import Task
from muster.core.care.escalation import ESCALATED_BY, propose
from muster.core.care.form import care_parameter, plan_form
from muster.core.care.pathways import pathways
from muster.core.care.plan_quality import ActionRow
from muster.core.roles import Role
from muster.people import access
from muster.registers.models import LocalAuthority, Pupil


class CareRefused(ValueError):
    """An action the record or the person may not take; the message says why."""


def _audit(user, pupil_id: int, kind: str, record_id, summary: str) -> None:
    record_event(user=user, action="change", record_kind=kind, record_id=record_id, pupil_id=pupil_id,
                 summary=summary)


def record_pep_meeting(*, pupil: Pupil, date: dt.date, attendees: Sequence[str], user, notes: str = "") -> PepMeeting:
    names = [a.strip() for a in attendees if a.strip()]
    if not names:
        raise CareRefused("a PEP meeting needs its attendees")
    meeting = PepMeeting.objects.create(pupil=pupil, date=date, attendees="\n".join(names), notes=notes,
                                        recorded_by=user)
    _audit(user, pupil.pk, "pep_meeting", meeting.pk, f"recorded the PEP meeting of {date}")
    return meeting


def agree_plan(
    *, meeting: PepMeeting, user, responsibilities: Mapping[str, tuple[bool, str]], actions: Sequence[ActionRow],
    aim_percent: Decimal | None = None, aim_date: dt.date | None = None, push_inside: str = "",
    push_outside: str = "", pull_inside: str = "", pull_outside: str = "", pupil_voice: str = "",
    going_well: str = "", incentive: str = "", reduced_timetable: bool = False,
    reduced_timetable_ends: dt.date | None = None, revised_from: AttendanceImprovementPlan | None = None,
) -> AttendanceImprovementPlan:
    """The plan agreed at a PEP meeting, with every row of the responsibilities checklist
    answered (seed 000 line 11), all or nothing."""
    rows = plan_form(meeting.date).responsibilities
    known = {r.id for r in rows}
    unknown = set(responsibilities) - known
    if unknown:
        raise CareRefused(f"no responsibilities row {sorted(unknown)}; the rows are {sorted(known)}")
    missing = [r.label for r in rows if r.id not in responsibilities]
    if missing:
        raise CareRefused(f"the responsibilities checklist is not answered for: {'; '.join(missing)}")
    with transaction.atomic():
        plan = AttendanceImprovementPlan.objects.create(
            pupil=meeting.pupil, meeting=meeting, agreed_on=meeting.date, aim_percent=aim_percent, aim_date=aim_date,
            push_inside=push_inside, push_outside=push_outside, pull_inside=pull_inside, pull_outside=pull_outside,
            pupil_voice=pupil_voice, going_well=going_well, incentive=incentive, reduced_timetable=reduced_timetable,
            reduced_timetable_ends=reduced_timetable_ends, revised_from=revised_from, created_by=user,
        )
        ResponsibilityCheck.objects.bulk_create(
            ResponsibilityCheck(plan=plan, who=r.id, label=r.label, discussed=responsibilities[r.id][0],
                                notes=responsibilities[r.id][1]) for r in rows)
        PlanAction.objects.bulk_create(
            PlanAction(plan=plan, order=i + 1, barrier=a.barrier, action=a.action, by_when=a.by_when,
                       responsible=a.responsible, measure=a.measure) for i, a in enumerate(actions))
        _audit(user, plan.pupil_id, "attendance_plan", plan.pk,
               f"agreed an attendance improvement plan at the PEP meeting of {meeting.date}")
    return plan


def record_plan_meeting(*, pupil: Pupil, date: dt.date, attendees: Sequence[str], user, notes: str = "",
                        **plan) -> AttendanceImprovementPlan:
    """A PEP meeting and the attendance improvement plan agreed at it, both or neither (the
    page's one form, seed 000). `plan` takes `agree_plan`'s keywords."""
    with transaction.atomic():
        meeting = record_pep_meeting(pupil=pupil, date=date, attendees=attendees, user=user, notes=notes)
        return agree_plan(meeting=meeting, user=user, **plan)


def review_plan(
    *, plan: AttendanceImprovementPlan, meeting: PepMeeting, user, revised_actions: Sequence[ActionRow] | None = None,
) -> tuple[AttendanceImprovementPlan, Escalation | None]:
    """The follow-up meeting reviews the plan: attendance before and after is measured from the
    marks; if it has not improved by the policy's margin an escalation is proposed (seed 001
    line 61). Revised actions make a new plan that replaces this one."""
    if plan.review_meeting_id is not None:
        raise CareRefused(f"the plan agreed on {plan.agreed_on} was already reviewed")
    if meeting.pupil_id != plan.pupil_id or meeting.date <= plan.agreed_on:
        raise CareRefused("the review is a later PEP meeting of the same child")
    measured = measure_plan(plan, meeting.date)
    margin = care_parameter("escalation_margin_points").value_on(meeting.date)
    aim = plan.aim_percent if plan.aim_percent is not None else (
        care_parameter("plan_threshold_percent").value_on(meeting.date)[1])
    proposal = propose(measured, margin, aim)
    with transaction.atomic():
        plan.review_meeting = meeting
        plan.before_first = measured.before.first
        plan.before_attended, plan.before_possible = measured.before.attended, measured.before.possible
        plan.after_attended, plan.after_possible = measured.after.attended, measured.after.possible
        plan.status = (plan.Status.NOT_IMPROVED if proposal.escalate or not proposal.measurable
                       else plan.Status.IMPROVED)
        plan.save()
        escalation = None
        if proposal.escalate:
            escalation = Escalation.objects.create(pupil=plan.pupil, plan=plan, proposed_on=meeting.date,
                                                   reason=proposal.reason, source=proposal.source)
        _audit(user, plan.pupil_id, "attendance_plan", plan.pk,
               f"reviewed the plan at the PEP meeting of {meeting.date}: {proposal.reason}")
        if revised_actions is not None:
            agree_plan(
                meeting=meeting, user=user, actions=revised_actions, aim_percent=plan.aim_percent,
                aim_date=plan.aim_date, push_inside=plan.push_inside, push_outside=plan.push_outside,
                pull_inside=plan.pull_inside, pull_outside=plan.pull_outside, pupil_voice=plan.pupil_voice,
                going_well=plan.going_well, incentive=plan.incentive, reduced_timetable=plan.reduced_timetable,
                reduced_timetable_ends=plan.reduced_timetable_ends, revised_from=plan,
                responsibilities={r.who: (r.discussed, r.notes) for r in plan.responsibilities.all()},
            )
    return plan, escalation


ESCALATION_DECIDERS = frozenset({*ESCALATED_BY, Role.VIRTUAL_SCHOOL_HEAD})
"""Seed 001 line 61: the Virtual School advisor or the social worker escalates; Muster decision:
the Virtual School Head may record it too."""


def decide_escalation(*, escalation: Escalation, escalated: bool, outcome: str, user) -> Escalation:
    """Record what was done with a proposed escalation (seed 001 line 61)."""
    if escalation.status != Escalation.Status.PROPOSED:
        raise CareRefused(f"the escalation is already {escalation.get_status_display().lower()}")
    if not any(Role(a.role) in ESCALATION_DECIDERS for a in access.assignments(user)):
        raise CareRefused("only the Virtual School Head, an Education Advisor or the social worker records "
                          "an escalation's outcome")
    if not outcome.strip():
        raise CareRefused("say what was decided and why")
    escalation.status = Escalation.Status.ESCALATED if escalated else Escalation.Status.NOT_ESCALATED
    escalation.outcome, escalation.decided_by, escalation.decided_at = outcome.strip(), user, timezone.now()
    escalation.save()
    _audit(user, escalation.pupil_id, "escalation", escalation.pk,
           f"escalation {escalation.get_status_display().lower()}: {escalation.outcome}")
    return escalation


def _current_school_id(pupil: Pupil, on: dt.date) -> int | None:
    enrolment = pupil.enrolments.filter(start__lte=on).order_by("-start").first()
    return enrolment.school_id if enrolment else None


def start_pathway(*, pupil: Pupil, pathway_id: str, starts: dt.date, user) -> PathwayRun:
    """Start a seed 001 process for a child: each step becomes a casework task for the person
    holding the step's role for the child (or that role's queue)."""
    found = pathways(starts)
    if pathway_id not in found:
        raise CareRefused(f"no pathway {pathway_id!r}; the pathways are {', '.join(sorted(found))}")
    if not pupil.looked_after:
        raise CareRefused("the Virtual School's pathways are for children in care")
    pathway = found[pathway_id]
    if PathwayRun.objects.filter(pupil=pupil, pathway_id=pathway_id, starts=starts).exists():
        raise CareRefused(f"{pathway.title} was already started for the child on {starts}")
    holders = Holders(starts)
    school_id = _current_school_id(pupil, starts)
    school_authority = (pupil.enrolments.filter(school_id=school_id).values_list("school__local_authority_id",
                                                                                 flat=True).first())
    care_authority = LocalAuthority.objects.filter(code=pupil.care_authority).values_list("pk", flat=True).first()
    with transaction.atomic():
        run = PathwayRun.objects.create(pupil=pupil, pathway_id=pathway_id, version=pathway.version, starts=starts,
                                        started_by=user)
        tasks = []
        for step in pathway.steps:
            holder = holders.find(step.owner.value, pupil_id=pupil.pk, school_id=school_id,
                                  school_authority_id=school_authority, care_authority_id=care_authority,
                                  adopter_id=None)
            instruction = step.text
            if step.approval is not None:
                instruction += f" Needs approval: {step.approval.what}."
            tasks.append(Task(
                pupil=pupil, title=f"{pathway.title}: {step.id.replace('_', ' ')}"[:300], instruction=instruction,
                source=step.source, policy_id=run.policy_id, rule=step.id, occurrence=starts, role=step.owner.value,
                organisation_id=holder.organisation_id, assignee_id=holder.user_id, created_on=starts, due=None))
        Task.objects.bulk_create(tasks)
        _audit(user, pupil.pk, "pathway", run.pk, f"started the pathway {pathway.title} on {starts}")
    return run


def decide_pathway_step(*, run: PathwayRun, step_id: str, approved: bool, user, note: str = "") -> PathwayApproval:
    """Approve (or refuse) a step that needs approval, by a holder of the approving role."""
    step = pathways(run.starts)[run.pathway_id].step(step_id)
    if step.approval is None:
        raise CareRefused(f"step {step_id} needs no approval")
    if not any(a.role == step.approval.by.value for a in access.assignments(user)):
        raise CareRefused(f"only a {step.approval.by.value.replace('_', ' ')} may decide: {step.approval.what}")
    if run.approvals.filter(step_id=step_id).exists():
        raise CareRefused(f"step {step_id} was already decided")
    approval = PathwayApproval.objects.create(run=run, step_id=step_id, what=step.approval.what, approved=approved,
                                              decided_by=user, decided_at=timezone.now(), note=note)
    _audit(user, run.pupil_id, "pathway", run.pk,
           f"{'approved' if approved else 'refused'}: {step.approval.what}")
    return approval


def request_pp_plus(*, action: PlanAction, amount: Decimal, purpose: str, user, on: dt.date) -> PupilPremiumPlusRequest:
    if amount <= 0:
        raise CareRefused("a Pupil Premium Plus request needs an amount above nothing")
    if not purpose.strip():
        raise CareRefused("say what the Pupil Premium Plus is for")
    request = PupilPremiumPlusRequest.objects.create(action=action, amount=amount, purpose=purpose.strip(),
                                                     requested_by=user, requested_on=on)
    _audit(user, action.plan.pupil_id, "pp_plus_request", request.pk, f"requested £{amount} PP+: {purpose}")
    return request


PP_PLUS_APPROVERS = frozenset({"virtual_school_head", "education_advisor"})
"""Muster decision: the Virtual School decides PP+ (seed 000 line 22 "Use Pupil Premium Plus
funding"; seed 001 line 22 "Virtual School Education Advisor to action funding request")."""


def decide_pp_plus(*, request: PupilPremiumPlusRequest, approved: bool, user, note: str = "") -> PupilPremiumPlusRequest:
    if not any(a.role in PP_PLUS_APPROVERS for a in access.assignments(user)):
        raise CareRefused("only the Virtual School Head or an Education Advisor decides Pupil Premium Plus")
    if request.status != PupilPremiumPlusRequest.Status.REQUESTED:
        raise CareRefused(f"the request is already {request.get_status_display().lower()}")
    request.status = PupilPremiumPlusRequest.Status.APPROVED if approved else PupilPremiumPlusRequest.Status.DECLINED
    request.approver, request.decided_at, request.note = user, timezone.now(), note
    request.save()
    _audit(user, request.action.plan.pupil_id, "pp_plus_request", request.pk,
           f"PP+ request {request.get_status_display().lower()}")
    return request
