"""Targeting support pages (issue 10): the meetings of a school and its authority, the meeting
pack (page and Word document) with the shared action log, the no-action worklist and the XmR
chart of a school or a pupil. Each asks `muster.targeting.scope` and `muster.people.access`
what the person reaches, calls the actions every shell calls, and audits its reads."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from muster.audit.log import record_request_event
from muster.audit.models import Action as AuditAction
from muster.core import slots
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.models import School
from muster.targeting import actions, scope
from muster.targeting.charts import enrolments_for, weekly_chart, xmr_drawing
from muster.targeting.cohort_gaps import school_cohort_gaps
from muster.targeting.meetings import meeting_with_list
from muster.targeting.pack import meeting_pack
from muster.targeting.worklist import no_action_rows

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _schools(user):
    schools = scope.schools_in_conversation(user).order_by("urn")
    if not schools.exists():
        raise Http404("No targeting support")
    return schools


def _date(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        raise Http404("No such day") from None


def meetings(request):
    """The schools in the person's targeting conversation and their meetings; hold a new one."""
    user = request.user
    schools = _schools(user)
    if request.method == "POST":
        school = schools.filter(urn=request.POST.get("school", "")).first()
        if school is None:
            raise Http404("No such school")
        try:
            held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
            meeting = actions.hold_meeting(school=school, held_on=held_on, user=user,
                                           attendees=request.POST.get("attendees", "").splitlines())
        except ValueError as problem:
            messages.error(request, f"The meeting was not recorded: {problem}")
            return redirect(reverse("web:targeting_meetings"))
        return redirect(reverse("web:targeting_meeting", args=[meeting.pk]))
    found = scope.meetings_visible_to(user).select_related("school").order_by("-held_on")
    return render(request, "web/targeting_meetings.html", {
        "schools": schools, "meetings": found, "today": access.today()})


def _pack(request, meeting_id: int):
    return meeting_with_list(request.user, meeting_id)


def meeting(request, meeting_id: int):
    """The meeting pack as a page, with the action log form for each pupil on the list."""
    meeting, rows = _pack(request, meeting_id)
    if request.method == "POST":
        return _write_entry(request, meeting)
    record_request_event(request, action=AuditAction.LIST, record_kind=RecordKind.FIGURES.value,
                         record_id=meeting.pk, summary=f"Opened the targeting meeting pack of "
                         f"{meeting.school.urn} for {meeting.held_on}: {len(rows)} pupils")
    return render(request, "web/targeting_meeting.html", {
        "meeting": meeting, "rows": rows, "review_default": meeting.held_on + dt.timedelta(weeks=4)})


def meeting_document(request, meeting_id: int):
    """The same pack as a Word document."""
    meeting, rows = _pack(request, meeting_id)
    record_request_event(request, action=AuditAction.EXPORT, record_kind=RecordKind.FIGURES.value,
                         record_id=meeting.pk, summary=f"Downloaded the targeting meeting pack of "
                         f"{meeting.school.urn} for {meeting.held_on}: {len(rows)} pupils")
    response = HttpResponse(meeting_pack(meeting, rows), content_type=DOCX)
    response["Content-Disposition"] = (f'attachment; filename="targeting-{meeting.school.urn}-'
                                       f'{meeting.held_on}.docx"')
    return response


def _write_entry(request, meeting):
    user, form = request.user, request.POST
    pupil = scope.access_log_pupil(user, form.get("pupil", ""))
    early_help = {"yes": True, "no": False}.get(form.get("early_help", ""))
    drafts = []
    if form.get("action", "").strip():
        try:
            review_on = dt.date.fromisoformat(form.get("review_on", ""))
        except ValueError:
            messages.error(request, "The review date must be a date, YYYY-MM-DD.")
            return redirect(reverse("web:targeting_meeting", args=[meeting.pk]))
        drafts.append(actions.ActionDraft(form["action"], form.get("owner", ""), review_on))
    try:
        actions.write_log_entry(
            pupil=pupil, school=meeting.school, user=user, meeting=meeting,
            written_on=access.today(), lead_practitioner=form.get("lead_practitioner", ""),
            early_help_offered=early_help, barriers=form.get("barriers", ""),
            note=form.get("note", ""), actions=drafts)
    except ValueError as problem:
        messages.error(request, f"Nothing was recorded: {problem}.")
    else:
        messages.success(request, f"Recorded in the action log of {pupil.upn}.")
    return redirect(reverse("web:targeting_meeting", args=[meeting.pk]) + f"#pupil-{pupil.pk}")


def worklist(request):
    """No action, no hiding: pupils at a stage that expects action with none for N school days."""
    user = request.user
    schools = _schools(user)
    on = _date(request.GET.get("date", ""), access.today())
    rows = no_action_rows(on, schools=schools, visible=scope.log_pupils_visible_to(user))
    record_request_event(request, action=AuditAction.LIST, record_kind=RecordKind.FIGURES.value,
                         summary=f"No-action worklist on {on}: {len(rows)} pupils")
    return render(request, "web/targeting_worklist.html", {"rows": rows, "on": on})


def xmr(request):
    """Weekly attendance of a school (?school=URN) or a pupil (?pupil=ID) as an XmR chart."""
    user = request.user
    today = access.today()
    first = slots.year_start(slots.academic_year(today) - 1)
    pupil_id, school, kind = request.GET.get("pupil", ""), None, RecordKind.COHORT_FIGURES
    if pupil_id:
        kind = RecordKind.FIGURES
        pupil = access.access_pupil_by_id(user, pupil_id, Action.VIEW, RecordKind.FIGURES)
        visible = access.enrolments_visible_to(user, Action.VIEW, RecordKind.REGISTER)
        chosen = enrolments_for(first, today, pupil_id=pupil.pk, visible=visible)
        whose = f"{pupil.preferred_name or pupil.legal_forename} {pupil.legal_surname}"
    else:
        if not access.can(user, RecordKind.COHORT_FIGURES, Action.VIEW):
            raise Http404("No figures")
        visible = access.cohort_enrolments_visible_to(user)
        school = visible.filter(school__urn=request.GET.get("school", "")).values_list(
            "school", flat=True).first()
        if school is None:
            raise Http404("No such school")
        chosen = enrolments_for(first, today, visible=visible).filter(school_id=school)
        whose = chosen.first().school.name
    try:
        series, chart = weekly_chart(first, today, chosen, pupil=bool(pupil_id))
    except ValueError:
        raise Http404("Not enough weeks") from None
    record_request_event(request, action=AuditAction.VIEW, record_kind=kind.value,
                         pupil_id=int(pupil_id) if pupil_id else None,
                         summary=f"XmR chart of {whose} from {first} to {today}")
    weeks = list(zip(series.weeks, series.attended.tolist(), series.possible.tolist(),
                     [round(float(v), 1) for v in chart.values], strict=True))
    return render(request, "web/targeting_xmr.html", {
        "whose": whose, "chart": chart, "drawing": xmr_drawing(series, chart), "weeks": weeks})


def cohort_gaps(request, urn: str):
    """Cohorts of a school with lower attendance than their peers (seed 002 Annex A), with the
    gap and its trend, over the school year to the day (?date=YYYY-MM-DD, today by default)."""
    user = request.user
    if not access.can(user, RecordKind.COHORT_FIGURES, Action.VIEW):
        raise Http404("No figures")
    visible = access.cohort_enrolments_visible_to(user)
    school_id = visible.filter(school__urn=urn).values_list("school", flat=True).first()
    if school_id is None:
        raise Http404("No such school")
    last = _date(request.GET.get("date", ""), access.today())
    first = slots.year_start(slots.academic_year(last))
    found = school_cohort_gaps(School.objects.get(pk=school_id), first, last, visible=visible,
                               fields=access.visible_fields(user))
    lower = sum(1 for row in found.rows if row.gap.lower)
    record_request_event(request, action=AuditAction.VIEW,
                         record_kind=RecordKind.COHORT_FIGURES.value,
                         summary=f"Cohort attendance gaps of {urn} from {first} to {last}: "
                                 f"{len(found.rows)} groups, {lower} lower than their peers")
    return render(request, "web/targeting_gaps.html", {"found": found, "lower": lower})
