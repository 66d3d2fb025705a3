"""The children-in-care pages (issue 5): the Virtual School's single school, a child's care record,
the PEP meeting and attendance improvement plan form, the plan with its quality checklist and
attendance measured from the marks, pathways, escalations and PP+ requests.

Records are reached through `muster.care.scope` (a child outside a person's reach is a 404, as if
it did not exist); every write is a `muster.care.actions` function, which puts it on the audit
log; every look at a child's record is put there here."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from muster.audit.log import record_request_event
from muster.audit.models import Action as AuditAction
from muster.care import actions, forms, scope
from muster.care.caseload import caseload
from muster.care.measure import improvements, measure_plan, quality, review_due
from muster.care.models import (
    AttendanceImprovementPlan,
    Escalation,
    PathwayRun,
    PupilPremiumPlusRequest,
)
from muster.casework.models import Task
from muster.core.care.before_after import Attendance, BeforeAfter
from muster.core.care.form import plan_form
from muster.core.care.pathways import pathways
from muster.people import access
from muster.people.models import Allocation
from muster.people.models import current as in_force
from muster.registers.models import Enrolment

CHECK_NAMES = {
    "aim": "Aim with a target and a date", "actions_smart": "SMART actions",
    "actions_answer_barriers": "Actions answer identified barriers", "push_pull": "Push and pull factors",
    "child_voice": "The child's voice", "going_well": "What is going well", "timely_review": "Timely review",
    "review_changed_actions": "Review changed what was not working",
    "reduced_timetable_ends": "Reduced timetable has an end date",
}
"""Headings for the checks of `muster.core.care.plan_quality` (seed 004 lines 183-210)."""
STAGES = ("EYFS", "KS1", "KS2", "KS3", "KS4", "16-19")
FILTERS = ("school", "la", "stage", "band", "social_worker", "advisor")


def _filter_options(user, today: dt.date) -> dict[str, list]:
    """Choices for the filters, from the children the person may see."""
    children = scope.children_in_care_visible_to(user).values("pk")
    current = (Enrolment.objects.filter(pupil__in=children, start__lte=today).exclude(end__lt=today)
               .select_related("school__local_authority"))
    schools = sorted({(e.school.urn, e.school.name) for e in current}, key=lambda s: s[1])
    authorities = sorted({(e.school.local_authority.code, e.school.local_authority.name) for e in current})
    workers = Allocation.objects.filter(in_force(today), pupil__in=children).values_list("role", "worker__username")
    return {
        "schools": schools, "authorities": authorities,
        "social_workers": sorted({u for r, u in workers if r == "social_worker"}),
        "advisors": sorted({u for r, u in workers if r == "education_advisor"}),
    }


def children_in_care(request):
    """The Virtual School's single school, or a worker's own children in care (issue 5 item 1)."""
    user = request.user
    if not scope.works_with_children_in_care(user):
        raise Http404("No children in care")
    today = access.today()
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    visible = scope.children_in_care_visible_to(user)
    rows = caseload(user, today, **{k: v or None for k, v in filters.items()}) if visible.exists() else []
    record_request_event(request, action=AuditAction.LIST, record_kind="figures",
                         summary=f"Listed {len(rows)} children in care with filters "
                                 f"{ {k: v for k, v in filters.items() if v} }")
    return render(request, "web/children_in_care.html", {
        "rows": rows, "filters": filters, "stages": STAGES, "options": _filter_options(user, today),
        "today": today,
    })


def _pathway_runs(pupil) -> list[dict]:
    runs = []
    for run in PathwayRun.objects.filter(pupil=pupil).prefetch_related("approvals__decided_by"):
        pathway = pathways(run.starts)[run.pathway_id]
        tasks = {t.rule: t for t in Task.objects.filter(pupil=pupil, policy_id=run.policy_id, occurrence=run.starts)
                 .select_related("assignee")}
        approvals = {a.step_id: a for a in run.approvals.all()}
        runs.append({"run": run, "pathway": pathway, "steps": [
            {"step": s, "task": tasks.get(s.id), "approval": approvals.get(s.id)} for s in pathway.steps]})
    return runs


def _child_page(request, pupil, errors=(), status: int = 200):
    today = access.today()
    plans = list(AttendanceImprovementPlan.objects.filter(pupil=pupil).select_related("review_meeting")
                 .order_by("-agreed_on", "-pk"))
    row = next(iter(caseload(request.user, today, pupil_id=pupil.pk)), None)
    record_request_event(request, action=AuditAction.VIEW, record_kind="care_record", pupil_id=pupil.pk,
                         summary="Viewed the child's care record: PEPs, plans, pathways, escalations")
    return render(request, "web/care_child.html", {
        "pupil": pupil, "plans": plans, "meetings": pupil.pep_meetings.order_by("-date", "-pk"),
        "runs": _pathway_runs(pupil), "escalations": Escalation.objects.filter(pupil=pupil),
        "improvement": improvements(pupil, today), "row": row,
        "pathways": sorted(pathways(today).values(), key=lambda p: p.title), "today": today, "errors": errors,
    }, status=status)


def care_child(request, pupil_id: int):
    return _child_page(request, scope.access_child(request.user, pupil_id))


def _stored(plan: AttendanceImprovementPlan) -> BeforeAfter | None:
    if plan.review_meeting_id is None or plan.before_first is None:
        return None
    return BeforeAfter(
        Attendance(plan.before_first, plan.agreed_on - dt.timedelta(days=1), plan.before_attended,
                   plan.before_possible),
        Attendance(plan.agreed_on, plan.review_meeting.date, plan.after_attended, plan.after_possible))


def _plan_page(request, plan: AttendanceImprovementPlan, errors=(), status: int = 200):
    today = access.today()
    measured = _stored(plan)
    so_far = measured is None
    if so_far:
        measured = measure_plan(plan, today)
    report = quality(plan, today)
    record_request_event(request, action=AuditAction.VIEW, record_kind="attendance_plan", record_id=plan.pk,
                         pupil_id=plan.pupil_id, summary="Viewed the attendance improvement plan and its checks")
    plan_actions = list(plan.actions.prefetch_related("pp_plus_requests__approver"))
    return render(request, "web/care_plan.html", {
        "plan": plan, "pupil": plan.pupil, "report": report,
        "findings": [{"name": CHECK_NAMES.get(f.check, f.check), "passed": f.passed, "reason": f.reason,
                      "source": f.source} for f in report.findings],
        "factor_values": [(name, getattr(plan, name)) for name in forms.FACTORS], "measured": measured, "so_far": so_far,
        "responsibilities": plan.responsibilities.all(), "plan_actions": plan_actions,
        "escalation": Escalation.objects.filter(plan=plan).first(), "improvement": improvements(plan.pupil, today),
        "review_due": review_due(plan), "revisions": plan.revisions.all(), "today": today, "errors": errors,
        "action_rows": range(1, 4), "form": plan_form(plan.agreed_on),
        "may_decide_pp_plus": any(a.role in actions.PP_PLUS_APPROVERS for a in access.assignments(request.user)),
    }, status=status)


def care_plan(request, plan_id: int):
    return _plan_page(request, scope.access_plan(request.user, plan_id))


def new_plan(request, pupil_id: int):
    """Record a PEP meeting and the attendance improvement plan agreed at it (seed 000, with
    seed 004's action table)."""
    pupil = scope.access_child(request.user, pupil_id)
    today = access.today()
    form = plan_form(today)
    errors: list = []
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        values, errors = forms.plan_meeting(request.POST, form, today)
        if not errors:
            try:
                plan = actions.record_plan_meeting(pupil=pupil, user=request.user, **values)
            except actions.CareRefused as refused:
                errors = [forms.Problem("date", str(refused))]
            else:
                messages.success(request, f"Recorded the PEP meeting of {plan.agreed_on:%-d %B %Y} and its plan.")
                return redirect(reverse("web:care_plan", args=[plan.pk]))
    field_errors = {e.field: e.message for e in errors}
    columns = {c.id: c.label for c in form.action_columns}
    return render(request, "web/care_plan_form.html", {
        "pupil": pupil, "data": data, "errors": errors, "field_errors": field_errors, "today": today,
        "resp_rows": [{"row": r, "answer": data.get(f"resp-{r.id}", ""), "notes": data.get(f"resp-{r.id}-notes", ""),
                       "error": field_errors.get(f"resp-{r.id}")} for r in form.responsibilities],
        "factor_rows": [{"section": f, "value": data.get(f.id, "")} for f in form.factors],
        "action_table": [{"i": i, "columns": [
            {"id": c, "name": f"action-{i}-{c}", "label": columns[c], "value": data.get(f"action-{i}-{c}", ""),
             "error": field_errors.get(f"action-{i}-{c}")} for c in forms.ACTION_FIELDS]}
            for i in range(1, forms.ACTION_ROWS + 1)],
    }, status=400 if errors else 200)


@require_POST
def review_plan(request, plan_id: int):
    """The follow-up PEP meeting reviews the plan: attendance before and after from the marks,
    an escalation proposed if it has not improved (seed 001 line 61)."""
    plan = scope.access_plan(request.user, plan_id)
    today = access.today()
    problems: list = []
    day = forms.date_field(request.POST, "review-date", "the date of the follow-up meeting", problems,
                           required=True, latest=today)
    attendees = [a.strip() for a in request.POST.get("review-attendees", "").splitlines() if a.strip()]
    if not attendees:
        problems.append(forms.Problem("review-attendees", "Enter who attended the follow-up meeting"))
    revised = forms.action_rows(request.POST, problems, prefix="revised")
    if not problems:
        try:
            meeting = actions.record_pep_meeting(pupil=plan.pupil, date=day, attendees=attendees, user=request.user)
            plan, escalation = actions.review_plan(plan=plan, meeting=meeting, user=request.user,
                                                   revised_actions=revised or None)
        except actions.CareRefused as refused:
            problems.append(forms.Problem("review-date", str(refused)))
        else:
            messages.success(request, "Reviewed the plan" + (": an escalation is proposed." if escalation else "."))
            return redirect(reverse("web:care_plan", args=[plan.pk]))
    return _plan_page(request, plan, problems, status=400)


@require_POST
def request_pp_plus(request, plan_id: int):
    """A Pupil Premium Plus request tied to one of the plan's actions."""
    plan = scope.access_plan(request.user, plan_id)
    problems: list = []
    action = plan.actions.filter(pk=request.POST.get("action") or 0).first() if request.POST.get(
        "action", "").isdigit() else None
    if action is None:
        problems.append(forms.Problem("pp-action", "Choose the action the funding is for"))
    amount = forms.money(request.POST, "amount", problems)
    purpose = request.POST.get("purpose", "").strip()
    if not purpose:
        problems.append(forms.Problem("purpose", "Say what the Pupil Premium Plus is for"))
    if not problems:
        actions.request_pp_plus(action=action, amount=amount, purpose=purpose, user=request.user, on=access.today())
        messages.success(request, f"Requested £{amount} of Pupil Premium Plus.")
        return redirect(reverse("web:care_plan", args=[plan.pk]))
    return _plan_page(request, plan, problems, status=400)


@require_POST
def decide_pp_plus(request, request_id: int):
    found: PupilPremiumPlusRequest = scope.access_pp_plus(request.user, request_id)
    plan = found.action.plan
    try:
        actions.decide_pp_plus(request=found, approved=request.POST.get("decision") == "approve", user=request.user,
                               note=request.POST.get("note", "").strip())
    except actions.CareRefused as refused:
        return _plan_page(request, plan, [forms.Problem(f"pp-{found.pk}", str(refused))], status=400)
    messages.success(request, f"Pupil Premium Plus request {found.get_status_display().lower()}.")
    return redirect(reverse("web:care_plan", args=[plan.pk]))


@require_POST
def decide_escalation(request, escalation_id: int):
    """Record the outcome of a proposed escalation to the team manager and the IRO."""
    escalation = scope.access_escalation(request.user, escalation_id)
    decision = request.POST.get("decision")
    problems = [] if decision in ("escalated", "not_escalated") else [
        forms.Problem("decision-escalated", "Choose whether it was escalated")]
    if not problems:
        try:
            actions.decide_escalation(escalation=escalation, escalated=decision == "escalated",
                                      outcome=request.POST.get("outcome", ""), user=request.user)
        except actions.CareRefused as refused:
            problems.append(forms.Problem("outcome", str(refused)))
    if problems:
        return _plan_page(request, escalation.plan, problems, status=400)
    messages.success(request, "Recorded the escalation's outcome.")
    return redirect(reverse("web:care_plan", args=[escalation.plan_id]))


@require_POST
def start_pathway(request, pupil_id: int):
    """Start a seed 001 process for the child: each step becomes a task for its owner."""
    pupil = scope.access_child(request.user, pupil_id)
    problems: list = []
    starts = forms.date_field(request.POST, "starts", "the day the process starts", problems, required=True)
    if not problems:
        try:
            run = actions.start_pathway(pupil=pupil, pathway_id=request.POST.get("pathway", ""), starts=starts,
                                        user=request.user)
        except actions.CareRefused as refused:
            problems.append(forms.Problem("pathway", str(refused)))
        else:
            messages.success(request, f"Started the process on {run.starts:%-d %B %Y}: its steps are tasks.")
            return redirect(reverse("web:care_child", args=[pupil.pk]))
    return _child_page(request, pupil, problems, status=400)


@require_POST
def decide_step(request, run_id: int, step_id: str):
    """Approve or refuse a step that needs approval (school move, reunification protocol)."""
    run = scope.access_run(request.user, run_id)
    try:
        actions.decide_pathway_step(run=run, step_id=step_id, approved=request.POST.get("decision") == "approve",
                                    user=request.user, note=request.POST.get("note", "").strip())
    except (actions.CareRefused, KeyError) as refused:
        return _child_page(request, run.pupil, [forms.Problem(f"step-{run.pk}-{step_id}", str(refused).strip("'\""))],
                           status=400)
    messages.success(request, "Recorded the decision.")
    return redirect(reverse("web:care_child", args=[run.pupil_id]))
