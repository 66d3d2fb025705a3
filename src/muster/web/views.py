"""The pages. Each view asks muster.people.access what the person may reach, calls the reports
and actions that every other shell calls, puts reads of children's records on the audit log,
and renders. The work is in the modules beside this one."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.contrib import messages
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse

from muster.audit.log import record_request_event
from muster.audit.models import Action as AuditAction
from muster.casework.actions import TaskNotOpen
from muster.casework.actions import complete_task as complete
from muster.casework.explanations import band_history
from muster.casework.models import PolicyAdoption
from muster.casework.whatif import run_whatif
from muster.casework.worklists import tasks_for
from muster.core import slots
from muster.core.policy.check import number as edge_text
from muster.core.roles import Action, RecordKind, Role
from muster.people import access
from muster.registers import reports
from muster.web import (
    calling_list,
    charts,
    navigation,
    overnight,
    policy_pages,
    pupil_page,
    pupil_records,
    register_sheet,
    school_day,
    task_list,
)
from muster.web import cohorts as cohorts_page
from muster.web.periods import FieldError, Period, period_from


def home(request):
    """Each person's day starts where their role's work is."""
    destination = navigation.start_of_day(request.user)
    if destination is not None:
        return redirect(destination)
    return render(request, "web/no_role.html")


def pupils(request):
    """The children the person may see, with this year's attendance."""
    visible = access.pupils_visible_to(request.user, Action.LIST, RecordKind.FIGURES)
    period = Period.year_to_date(access.today())
    rows = _pupil_rows(visible, period)
    record_request_event(request, action=AuditAction.LIST, record_kind=RecordKind.FIGURES.value,
                         summary=f"Listed {len(rows)} pupils' figures for {period}")
    return render(request, "web/pupils.html", {"rows": rows, "period": period})


def _pupil_rows(visible, period: Period) -> list[dict]:
    """reports.pupil_rows for the pupils a person may see, lowest attendance first, each with
    its pupil's id for the link to their page."""
    if not visible.exists():
        return []  # a query set known to be empty cannot be read into the store's SQL
    rows = reports.pupil_rows(period.first, period.last, pupils=visible)
    ids = dict(visible.filter(upn__in=[r["upn"] for r in rows]).values_list("upn", "pk"))
    link = reverse("web:pupil", args=[0]).replace("/0/", "/{}/")
    for row in rows:
        row["pk"] = ids[row["upn"]]
        row["url"] = link.format(row["pk"])
    rows.sort(key=lambda r: (r["attendance_pct"] is None, r["attendance_pct"] or 0))
    return rows


def pupil(request, pupil_id: int):
    """One child's attendance: the year, any range, the calendar and the trend."""
    user = request.user
    child = access.access_pupil_by_id(user, pupil_id, Action.VIEW, RecordKind.FIGURES)
    today = access.today()
    year = _year(request, today)
    this_year = Period.academic_year(year, today)
    chosen, errors = period_from(request.GET, default=None, within=today)
    figures = pupil_page.figures_row(
        access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES), child, this_year.first, this_year.last,
    )
    in_range = None
    if chosen is not None:
        in_range = pupil_page.figures_row(
            access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES), child, chosen.first, chosen.last,
        )
    registers = access.enrolments_visible_to(user, Action.VIEW, RecordKind.REGISTER).filter(pupil=child)
    first, shown, counts = pupil_page.year_marks(registers, year, this_year.last)
    trend = pupil_page.weekly_trend(first, counts)
    record_request_event(
        request, action=AuditAction.VIEW, record_kind=RecordKind.FIGURES.value, record_id=child.pk,
        pupil_id=child.pk, summary=f"Opened the pupil page for {this_year}"
        + (f" and {chosen}" if chosen else ""),
    )
    history = band_history(child).filter(ends__isnull=True)
    open_tasks = child.tasks.filter(status="open", pk__in=tasks_for(user, team=True).values("pk"))
    return render(request, "web/pupil.html", {
        "bands": history, "spells": band_history(child), "open_tasks": open_tasks,
        "pupil": child, "figures": figures, "period": this_year, "chosen": chosen,
        "in_range": in_range, "errors": errors, "months": pupil_page.months(first, shown),
        "legend": pupil_page.legend(), "trend": trend, "chart": charts.trend_chart(trend),
        "year": year, "years": _years(today), "today": today,
        "records": pupil_records.records_for(user, child, today),
    })


def _year(request, today: dt.date) -> int:
    raw = request.GET.get("year", "")
    current = slots.academic_year(today)
    if not raw:
        return current
    if not raw.isdigit() or int(raw) not in _years(today):
        raise Http404("No such year")
    return int(raw)


def _years(today: dt.date) -> list[int]:
    current = slots.academic_year(today)
    return [current - 1, current]


def today(request, urn: str):
    """A school's day: registers taken or missing, pupils absent with no reason yet."""
    school = next((s for s in navigation.schools_run_by(request.user) if s.urn == urn), None)
    if school is None:
        raise Http404("No such school")
    day = _day(request.GET.get("date", ""), access.today())
    registers = access.enrolments_visible_to(request.user, Action.VIEW, RecordKind.REGISTER)
    summary = school_day.school_day(school, day, registers)
    record_request_event(
        request, action=AuditAction.LIST, record_kind=RecordKind.REGISTER.value, record_id=school.urn,
        summary=f"Today page for {school.urn} on {day}: {len(summary.absent)} pupils absent with no reason",
    )
    callers = calling_list.calling_list(
        summary.absent, school=school, day=day, shows_care=_shows_care(request.user),
        pupils=access.pupils_visible_to(request.user, Action.VIEW, RecordKind.PUPIL),
    )
    calling_list.add_forms(callers, url=reverse("web:log_contact", args=[urn, 0]).removesuffix("0/"),
                           token=get_token(request), day=day)
    due, due_count = overnight.tasks_due(request.user, school, day)
    return render(request, "web/today.html", {
        "day": summary, "is_today": day == access.today(), "callers": callers,
        "pupil_url": reverse("web:pupil", args=[0]).removesuffix("0/"),
        "moves": overnight.band_moves(request.user, school, day), "due": due, "due_count": due_count,
    })


def _shows_care(user) -> bool:
    return {"looked_after", "has_social_worker"} <= access.visible_fields(user)


def _day(raw: str, default: dt.date) -> dt.date:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404("No such day") from None


def cohorts(request):
    """Figures by year group and characteristic for the pupils the person sees pooled."""
    user = request.user
    if not access.can(user, RecordKind.COHORT_FIGURES, Action.VIEW):
        raise Http404("No cohort figures")
    period, errors = period_from(request.GET, default=Period.year_to_date(access.today()), within=access.today())
    enrolments = reports.enrolments_in_period(period.first, period.last).filter(
        pk__in=access.cohort_enrolments_visible_to(user).values("pk")
    )
    shown = cohorts_page.dimensions_for(access.visible_fields(user))
    named = access.can(user, RecordKind.FIGURES, Action.LIST)
    return render(request, "web/cohorts.html", {
        "tables": cohorts_page.tables(period.first, period.last, enrolments, shown),
        "period": period, "errors": errors, "named": named,
        "range": {"from": period.first.isoformat(), "to": period.last.isoformat()},
    })


def cohort_pupils(request):
    """The pupils behind one number of the cohorts page, as far as the person may see them."""
    user = request.user
    dimension, group = request.GET.get("dimension", ""), request.GET.get("group", "")
    fields = access.visible_fields(user)
    if dimension not in cohorts_page.dimensions_for(fields):
        raise Http404("No such group")
    period, errors = period_from(request.GET, default=Period.year_to_date(access.today()), within=access.today())
    if errors:
        raise Http404("No such period")
    enrolments = reports.enrolments_in_period(period.first, period.last).filter(
        pk__in=access.cohort_enrolments_visible_to(user).values("pk")
    )
    visible = access.pupils_visible_to(user, Action.LIST, RecordKind.FIGURES)
    behind = cohorts_page.behind(dimension, group, enrolments, visible)
    rows = _pupil_rows(behind, period)
    label = cohorts_page.label(dimension, group)
    record_request_event(
        request, action=AuditAction.LIST, record_kind=RecordKind.FIGURES.value,
        summary=f"Listed the {len(rows)} pupils behind {dimension}={group} for {period}",
    )
    return render(request, "web/cohort_pupils.html", {
        "rows": rows, "period": period, "label": label,
        "heading": cohorts_page.DIMENSIONS[dimension][0],
    })


def policies(request):
    """Each shipped policy's bands and interventions, and what the validator finds."""
    return render(request, "web/policies.html", {"policies": policy_pages.shipped()})


def tasks(request):
    """My tasks, my team's, the overdue ones and those done, with a note when completing one."""
    view = request.GET.get("view", "mine")
    if view not in dict(task_list.VIEWS):
        raise Http404("No such list")
    today = access.today()
    found = list(task_list.tasks(request.user, view, today)[:500])
    for task in found:
        task.role_label = task_list.role_label(task.role)
    record_request_event(request, action=AuditAction.LIST, record_kind="task",
                         summary=f"Listed {len(found)} tasks ({view})")
    return render(request, "web/tasks.html", {
        "tasks": found, "view": view, "views": task_list.VIEWS, "caption": dict(task_list.VIEWS)[view],
        "today": today, "errors": [],
    })


def complete_task(request, task_id: int):
    """Mark a task done; only a task of the person's own (or their team's) for a pupil they see."""
    if request.method != "POST":
        raise Http404("Tasks are completed with the form")
    task = tasks_for(request.user, status=None, team=True).filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task")
    try:
        complete(task=task, user=request.user, note=request.POST.get("note", ""))
    except TaskNotOpen as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Done: {task.title}.")
    return redirect(reverse("web:tasks"))


def what_if(request):
    """Move a policy's band edges and see, on past registers, who would land where and how many
    tasks it would have made; nothing is saved (issue 3 part 6, issue 6 page 7)."""
    user = request.user
    if not any(Role(g.role) in navigation.POLICY_ROLES for g in access.assignments(user)):
        raise Http404("No policies")
    policies = {p.id: p for p in policy_pages.percent_policies()}
    chosen = policies.get(request.GET.get("policy", ""))
    if chosen is None:
        return render(request, "web/what_if.html", {"policies": policies.values()})
    adopters = list(PolicyAdoption.objects.filter(policy_id=chosen.id).select_related("organisation"))
    today = access.today()
    period, errors = period_from(request.GET, default=Period.year_to_date(today), within=today)
    edges, values = {}, {}
    for band in chosen.bands:
        raw = request.GET.get(f"edge-{band.id}", "").strip()
        values[band.id] = raw or edge_text(band.lower.value)
        if raw:
            try:
                edges[band.id] = Fraction(raw)
            except (ValueError, ZeroDivisionError):
                errors.append(FieldError(f"edge-{band.id}", f"Enter a number for {band.label}"))
            else:
                if not 0 <= edges[band.id] <= 100:
                    errors.append(FieldError(f"edge-{band.id}", f"{band.label}: a percentage from 0 to 100"))
    adopter = next((a.organisation for a in adopters if str(a.organisation_id) == request.GET.get("organisation")), None)
    result = None
    if request.GET.get("run") and not errors:
        if adopter is None and adopters:
            errors.append(FieldError("organisation", "Choose whose pupils to try it on"))
        else:
            result = run_whatif(policy_pages.with_lower_edges(chosen, edges), organisation=adopter,
                                first=period.first, last=period.last, baseline_id=chosen.id)
            visible = set(access.pupils_visible_to(user, Action.LIST, RecordKind.FIGURES)
                          .filter(upn__in=[m[0] for m in result.movers]).values_list("upn", flat=True))
            result = {"run": result, "movers": [m for m in result.movers if m[0] in visible],
                      "moves": sorted(result.moves.items()),
                      "bands": sorted((label, n) for (pid, label), n in result.draft_run.bands.items()
                                      if pid == chosen.id)}
            record_request_event(request, action=AuditAction.LIST, record_kind=RecordKind.COHORT_FIGURES.value,
                                 summary=f"What-if on {chosen.id} with edges {edges} for {period}")
    return render(request, "web/what_if.html", {
        "policies": policies.values(), "policy": chosen, "adopters": adopters, "adopter": adopter,
        "period": period, "errors": errors, "bands": [(b, values[b.id]) for b in chosen.bands],
        "result": result,
    })


def registers(request):
    """The classes whose registers the person takes, with today's sessions a click away."""
    groups = register_sheet.groups_for(request.user, navigation.schools_run_by(request.user))
    day = _day(request.GET.get("date", ""), access.today())
    return render(request, "web/registers.html", {
        "groups": groups.filter(academic_year=slots.academic_year(day)), "day": day,
        "sessions": [s.value for s in slots.Session],
    })


def register(request, group_id: int, day: str, session: str):
    """Take or correct one session's register for a class, from the keyboard."""
    user = request.user
    group = register_sheet.groups_for(user, navigation.schools_run_by(user)).filter(pk=group_id).first()
    if group is None or session not in slots.Session.__members__:
        raise Http404("No such register")
    day, session = _day(day, access.today()), slots.Session(session)
    if day > access.today():
        raise Http404("Registers are taken on the day")
    enrolments = access.enrolments_visible_to(user, Action.CHANGE, RecordKind.REGISTER).filter(
        school=group.school, pupil__in=group.pupils.values("pk"),
    )
    posted = request.POST if request.method == "POST" else None
    intent = request.POST.get("action", "") if posted is not None else ""
    rows = register_sheet.rows(enrolments, day, session, posted, all_present=intent == "all-present")
    errors = []
    if intent == "save":
        try:
            saved = register_sheet.save(
                rows=rows, day=day, session=session, reason=request.POST.get("reason", ""), user=user,
                description=f"{group} {day} {session}",
            )
        except register_sheet.NeedsReason as problem:
            errors.append(FieldError("reason", str(problem)))
        except register_sheet.MarksRefused as problem:
            errors += [FieldError(field, message) for field, message in problem.problems]
        except register_sheet.FileRejected as problem:  # a correction refused by its own checks
            errors += [FieldError("reason", str(e.reason)) for e in problem.errors]
        except (register_sheet.MarksConflict, register_sheet.MarkConflict) as problem:
            errors.append(FieldError("reason", f"Someone else changed this register meanwhile: {problem}"))
        else:
            record_request_event(
                request, action=AuditAction.CHANGE, record_kind=RecordKind.REGISTER.value,
                record_id=f"group:{group.pk}:{day}:{session}",
                summary=f"Took the {session} register of {group} for {day}: {saved.added} marks added, "
                f"{saved.corrected} corrected",
            )
            messages.success(request, f"Register saved: {saved.added} marks added, {saved.corrected} corrected.")
            return redirect(request.path)
    record_request_event(
        request, action=AuditAction.LIST, record_kind=RecordKind.REGISTER.value,
        record_id=f"group:{group.pk}:{day}:{session}", summary=f"Opened the {session} register of {group} for {day}",
    )
    return render(request, "web/register.html", {
        "group": group, "day": day, "session": session, "rows": rows, "errors": errors,
        "choices": register_sheet.choices(day), "present": register_sheet.PRESENT[session],
        "is_open": group.school.calendar().is_open(day, session),
    })
