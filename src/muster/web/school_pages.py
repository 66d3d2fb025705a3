"""The pages where a school's attendance staff change records: a contact logged from the
first-day calling list (htmx, in place) and a marks file imported (issue 6 pages 1 and 8). Like
views.py, they ask muster.people.access and call the apps' actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.actions import StaleRegister
from muster.statutory.models import ContactAttempt
from muster.web import calling_list, imports_page, navigation
from muster.web.periods import FieldError
from muster.web.views import _day


def log_contact(request, urn: str, pupil_id: int):
    """One click on the calling list: a call, text, email or visit and what came of it. With
    htmx the row's contacts are sent back in place; without, the Today page again."""
    if request.method != "POST":
        raise Http404("Contacts are logged with the form")
    school = next((s for s in navigation.schools_run_by(request.user) if s.urn == urn), None)
    if school is None:
        raise Http404("No such school")
    day = _day(request.POST.get("date", ""), access.today())
    if day > access.today():
        raise Http404("Contacts are about a day that has been")
    enrolment = access.enrolments_visible_to(request.user, Action.CHANGE, RecordKind.REGISTER).filter(
        school=school, pupil_id=pupil_id).select_related("pupil").first()
    if enrolment is None:
        raise Http404("No such pupil")
    error = None
    try:
        calling_list.log(pupil=enrolment.pupil, school=school, day=day, by=request.user,
                         method=request.POST.get("method", ""), outcome=request.POST.get("outcome", ""),
                         note=request.POST.get("note", ""))
    except calling_list.ContactRefused as problem:
        error = str(problem)
    today_page = f"{reverse('web:today', args=[urn])}?date={day.isoformat()}"
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Contact logged for {enrolment.pupil.display_name}.")
        return redirect(today_page)
    contacts = ContactAttempt.objects.filter(school=school, absence_on=day, pupil_id=pupil_id).order_by("made_at")
    return render(request, "web/today_contacts.html", {
        "contacts": contacts, "error": error, "pupil_id": pupil_id, "logged": error is None,
    })


def imports(request):
    """Upload a marks CSV for the schools whose registers the person keeps: every bad row named
    by line and field and nothing changed, or what changed (issue 6 page 8)."""
    schools = navigation.schools_run_by(request.user)
    if not schools:
        raise Http404("No registers to import into")
    errors, rejected, result = [], [], None
    on_conflict = request.POST.get("on_conflict", "reject")
    if request.method == "POST":
        try:
            result = imports_page.import_upload(upload=request.FILES.get("file"), user=request.user,
                                                schools=schools, on_conflict=on_conflict)
        except imports_page.UploadRefused as problem:
            errors.append(FieldError("file", str(problem)))
        except imports_page.FileRejected as problem:
            rejected = problem.errors
            errors.append(FieldError("rejected", f"The file has {len(rejected)} bad row"
                                                 f"{'' if len(rejected) == 1 else 's'}: nothing was changed"))
        except StaleRegister:
            errors.append(FieldError("file", "Someone saved one of these registers meanwhile: nothing "
                                             "was changed. Upload the file again"))
    return render(request, "web/imports.html", {
        "schools": schools, "errors": errors, "rejected": rejected, "result": result,
        "on_conflict": on_conflict, "conflict_choices": imports_page.CONFLICT_CHOICES,
    })
