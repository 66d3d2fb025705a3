"""The first-day calling list with one-click contact logging and the Imports page, through
Django's test client on the demo (issue 6 pages 1 and 8; seed 002 lines 128-131: contact on the
first day of absence; formats.md: a marks file with any bad row changes nothing)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from muster.audit.models import AuditEvent
from muster.core import codes, slots
from muster.registers import store
from muster.registers.models import Enrolment, MarkBatch, Pupil
from muster.statutory.models import ContactAttempt
from muster.web import navigation
from tests.web.conftest import TODAY


def _today(client, school):
    response = client.get(f"/schools/{school.urn}/today/")
    assert response.status_code == 200
    return response.context["callers"]


def test_the_calling_list_puts_children_with_a_social_worker_or_in_care_first(as_user, demo):
    """Issue 6 page 1; seed 002: children with a social worker are called first."""
    school = navigation.schools_run_by(demo.get(username="attendance-lead"))[0]
    client = as_user("attendance-lead")
    callers = _today(client, school)
    assert len(callers) >= 2, "the demo has pupils absent with no reason on its today"
    last = callers[-1].absent.pupil_id
    Pupil.objects.filter(pk__in=[c.absent.pupil_id for c in callers]).update(has_social_worker=False, looked_after=False)
    Pupil.objects.filter(pk=last).update(has_social_worker=True)
    callers = _today(client, school)
    assert callers[0].absent.pupil_id == last
    assert [c.first for c in callers] == [True] + [False] * (len(callers) - 1)
    assert b"Social worker</strong>" in client.get(f"/schools/{school.urn}/today/").content


def test_a_contact_logged_with_htmx_comes_back_in_place_through_the_statutory_action(as_user, demo):
    """Issue 6 page 1: one-click contact logging that responds without a reload; the contact is
    the statutory app's ContactAttempt with its audit event."""
    lead = demo.get(username="attendance-lead")
    school = navigation.schools_run_by(lead)[0]
    client = as_user("attendance-lead")
    pupil_id = _today(client, school)[0].absent.pupil_id
    url = f"/schools/{school.urn}/today/contacts/{pupil_id}/"
    response = client.post(url, {"date": TODAY.isoformat(), "method": "call", "outcome": "no_answer"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["web/today_contacts.html"]
    assert b"Telephone call: No answer" in response.content
    attempt = ContactAttempt.objects.get(pupil_id=pupil_id, school=school, absence_on=TODAY)
    assert (attempt.method, attempt.outcome, attempt.made_by) == ("call", "no_answer", lead)
    assert AuditEvent.objects.filter(record_kind="contact_attempt", record_id=str(attempt.pk)).exists()

    response = client.post(url, {"date": TODAY.isoformat(), "method": "home_visit", "outcome": "nobody_home"})
    assert response.status_code == 302 and response.url.startswith(f"/schools/{school.urn}/today/")
    callers = {c.absent.pupil_id: c for c in _today(client, school)}
    assert [c.method for c in callers[pupil_id].contacts] == ["call", "home_visit"]


def test_a_contact_the_list_does_not_offer_or_for_a_pupil_out_of_reach_is_refused(as_user, demo):
    school = navigation.schools_run_by(demo.get(username="attendance-lead"))[0]
    client = as_user("attendance-lead")
    pupil_id = _today(client, school)[0].absent.pupil_id
    url = f"/schools/{school.urn}/today/contacts/{pupil_id}/"
    response = client.post(url, {"date": TODAY.isoformat(), "method": "pigeon", "outcome": "no_answer"},
                           headers={"HX-Request": "true"})
    assert b"Choose how you contacted the family" in response.content
    assert client.get(url).status_code == 404
    stranger = Pupil.objects.exclude(enrolments__school=school).first()
    assert client.post(f"/schools/{school.urn}/today/contacts/{stranger.pk}/",
                       {"method": "call", "outcome": "no_answer"}).status_code == 404
    client.logout()
    worker = as_user("social-worker")
    assert worker.post(url, {"method": "call", "outcome": "no_answer"}).status_code == 404
    assert not ContactAttempt.objects.filter(pupil_id__in=[pupil_id, stranger.pk]).exists()


def _upload(client, rows: list[str], on_conflict: str = "reject"):
    text = "upn,school_urn,date,session,mark\n" + "\n".join(rows) + "\n"
    upload = SimpleUploadedFile("autumn-marks.csv", text.encode(), content_type="text/csv")
    return client.post("/imports/", {"file": upload, "on_conflict": on_conflict})


def on_roll(school) -> Enrolment:
    return Enrolment.objects.filter(school=school, start__lte=TODAY, end__isnull=True).order_by("pk").first()


def held_mark(enrolment: Enrolment) -> str:
    """The mark the register holds for the enrolment's morning of TODAY ("" for none)."""
    loaded = store.load(Enrolment.objects.filter(pk=enrolment.pk), TODAY, TODAY,
                        unit=store.Unit.ENROLMENT, look_back=False)
    mark = int(loaded.matrix.marks[0, loaded.matrix.slot(TODAY, slots.Session.AM)])
    return codes.BY_ID[mark].symbol if mark != codes.NO_MARK else ""


def test_an_uploaded_marks_file_says_what_changed_and_a_second_upload_changes_nothing(as_user, demo):
    """Issue 6 page 8; README: importing the same file twice changes nothing; a different mark
    replaces the held one only when asked, the old one kept in its history."""
    school = navigation.schools_run_by(demo.get(username="attendance-lead"))[0]
    client = as_user("attendance-lead")
    enrolment = on_roll(school)
    held = held_mark(enrolment)
    new = "C" if held != "C" else "B"
    row = f"{enrolment.pupil.upn},{school.urn},{TODAY.isoformat()},AM,"
    result = _upload(client, [row + new], on_conflict="replace").context["result"]
    assert (result.rows, result.added, result.changed) == (1, int(not held), int(bool(held)))
    result = _upload(client, [row + new]).context["result"]
    assert (result.added, result.changed, result.unchanged) == (0, 0, 1)
    assert held_mark(enrolment) == new
    assert b"Sessions changed" in _upload(client, [row + new]).content


def test_a_bad_marks_file_names_each_bad_line_and_field_and_changes_nothing(as_user, demo):
    """formats.md: every bad row with its line, column, value and reason; nothing changes. A pupil
    of a school whose registers the person does not keep is refused like an unknown one."""
    lead = demo.get(username="attendance-lead")
    school = navigation.schools_run_by(lead)[0]
    client = as_user("attendance-lead")
    upn = on_roll(school).pupil.upn
    elsewhere = Enrolment.objects.exclude(school=school).exclude(pupil__enrolments__school=school).first()
    batches = MarkBatch.objects.count()
    response = _upload(client, [
        f"{upn},{school.urn},{TODAY.isoformat()},AM,C",      # line 2: fine on its own
        f"{upn},{school.urn},2026-13-40,AM,C",                # line 3: no such date
        f"{elsewhere.pupil.upn},{elsewhere.school.urn},{TODAY.isoformat()},AM,/",  # line 4
        f"{upn},{school.urn},{TODAY.isoformat()},PM,Q9",      # line 5: no such code
    ])
    assert response.status_code == 200
    assert response.context["result"] is None
    found = {(e.line, e.column) for e in response.context["rejected"]}
    assert {(3, "date"), (4, "school_urn"), (5, "mark")} <= found
    assert all(line != 2 for line, _ in found)
    assert MarkBatch.objects.count() == batches
    assert b"Nothing was changed" in response.content


def test_imports_are_for_the_people_who_keep_a_schools_registers(as_user, demo):
    lead = as_user("attendance-lead")
    assert lead.get("/imports/").status_code == 200
    lead.logout()
    for username in ("teacher", "social-worker", "governor"):
        client = as_user(username)
        assert client.get("/imports/").status_code == 404, username
        client.logout()


def test_today_lists_the_pupils_who_moved_band_that_day_and_the_tasks_due(as_user, demo):
    """Issue 6 page 1: pupils who crossed a band overnight, tasks due."""
    from muster.casework.models import BandSpell
    from muster.casework.worklists import tasks_for

    lead = demo.get(username="attendance-lead")
    school = navigation.schools_run_by(lead)[0]
    moved = (BandSpell.objects.filter(pupil__enrolments__school=school, starts__lte=TODAY)
             .exclude(band="").filter(band_since=models.F("starts")).order_by("-starts").first())
    assert moved is not None, "the demo's evaluations move some pupils between bands"
    client = as_user("attendance-lead")
    response = client.get(f"/schools/{school.urn}/today/", {"date": moved.starts.isoformat()})
    moves = response.context["moves"]
    assert moved.pk in {m.pk for m in moves}
    assert all(m.starts == moved.starts for m in moves)
    due = tasks_for(lead, on=moved.starts).filter(due__lte=moved.starts, pupil__enrolments__school=school)
    assert response.context["due_count"] == due.distinct().count()
    assert {t.pk for t in response.context["due"]} <= set(due.values_list("pk", flat=True))
