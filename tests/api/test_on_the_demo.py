"""The open API on the demo (issue 9, "Open API" and "Done when"): marks pushed in a batch are
checked as marks.csv is and written all or nothing, idempotent by the client's batch id; figures
and tasks are scoped exactly like the token's user (muster.people.access) and every call is in
the audit log; a task is completed only against its current ETag."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.api.actions import create_integration_account
from muster.audit.models import AuditEvent
from muster.casework.models import Task
from muster.casework.worklists import tasks_for
from muster.core.roles import Action, RecordKind
from muster.core.slots import Session
from muster.people import access
from muster.people.models import Organisation
from muster.registers.models import MarkBatch, RegisterYear, School
from tests.demo_world import TODAY, demo_world_fixture

demo_world = demo_world_fixture(pupils=300)


@pytest.fixture
def demo(demo_world, db):
    return demo_world


def _lead_school(demo) -> School:
    lead = demo.get(username="attendance-lead")
    return access.assignments(lead)[0].organisation.school


def _open_days_after_today(school: School, n: int) -> list[dt.date]:
    calendar, day, found = school.calendar(), TODAY, []
    while len(found) < n:
        day += dt.timedelta(days=1)
        if calendar.why_closed(day, Session.AM) is None and calendar.why_closed(day, Session.PM) is None:
            found.append(day)
    return found


def _pupils_on_roll(user, school: School, day: dt.date, n: int) -> list[str]:
    enrolments = access.enrolments_visible_to(user, Action.CHANGE, RecordKind.REGISTER).filter(
        school=school, start__lte=day).exclude(end__lt=day).select_related("pupil").order_by("pupil__upn")
    return [e.pupil.upn for e in enrolments[:n]]


def _marks(upns: list[str], urn: str, day: dt.date, symbol: str = "/") -> list[dict]:
    return [{"upn": upn, "school_urn": urn, "date": day.isoformat(), "session": "AM", "mark": symbol}
            for upn in upns]


def _register_state():
    return MarkBatch.objects.count(), sorted(RegisterYear.objects.values_list("pk", "version"))


def test_a_batch_with_one_bad_mark_changes_nothing_and_names_it(demo, caller):
    """Issue 9 "Done when": a batch with one bad row changes nothing and names the row."""
    lead = demo.get(username="attendance-lead")
    school = _lead_school(demo)
    day = _open_days_after_today(school, 1)[0]
    marks = _marks(_pupils_on_roll(lead, school, day, 4), school.urn, day)
    marks[2]["mark"] = "q"  # codes are case-sensitive (formats.md, "Register marks")
    marks[3]["minutes_late"] = 10  # minutes late go only with L or U
    before = _register_state()
    answer = caller(lead).post("/api/v1/marks", {"client_batch_id": "morning-1", "marks": marks})
    assert answer.status_code == 422
    problems = answer.json()["errors"]
    assert [(p["index"], p["field"]) for p in problems] == [(2, "mark"), (3, "minutes_late")]
    assert "case-sensitive" in problems[0]["reason"]
    assert _register_state() == before


def test_a_pupil_beyond_the_tokens_reach_reads_as_not_on_roll(demo, caller):
    """A school's token cannot write to another school's pupils, nor learn who is on roll there."""
    lead = demo.get(username="attendance-lead")
    school = _lead_school(demo)
    other = School.objects.exclude(pk=school.pk).filter(enrolments__isnull=False).order_by("urn").first()
    day = _open_days_after_today(other, 1)[0]
    outsider = _pupils_on_roll(demo.get(username="la-officer"), other, day, 1) or [
        e.pupil.upn for e in other.enrolments.filter(start__lte=day).exclude(end__lt=day)[:1]]
    answer = caller(lead).post("/api/v1/marks", {"client_batch_id": "elsewhere",
                                                 "marks": _marks(outsider, other.urn, day)})
    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert (problem["index"], problem["field"]) == (0, "upn")
    assert "has no enrolment" in problem["reason"]


def test_the_same_batch_sent_twice_gets_the_same_answer_and_changes_nothing(demo, caller):
    lead = demo.get(username="attendance-lead")
    school = _lead_school(demo)
    day = _open_days_after_today(school, 1)[0]
    body = {"client_batch_id": "morning-2", "marks": _marks(_pupils_on_roll(lead, school, day, 3), school.urn, day)}
    api = caller(lead)
    first = api.post("/api/v1/marks", body)
    assert first.status_code == 200, first.json()
    assert (first.json()["added"], first.json()["received"]) == (3, 3)
    assert MarkBatch.objects.get(pk=first.json()["batch_id"]).source == MarkBatch.Source.API
    after_first = _register_state()
    again = api.post("/api/v1/marks", body)
    assert (again.status_code, again.json()) == (200, first.json())
    assert _register_state() == after_first
    body["marks"][0]["mark"] = "N"
    reused = api.post("/api/v1/marks", body)
    assert reused.status_code == 409
    assert _register_state() == after_first
    events = AuditEvent.objects.filter(username="attendance-lead", source="api", record_kind="register")
    assert events.count() == 3


def test_another_mark_for_a_held_session_is_refused_unless_asked_to_replace(demo, caller):
    lead = demo.get(username="attendance-lead")
    school = _lead_school(demo)
    day = _open_days_after_today(school, 1)[0]
    upns = _pupils_on_roll(lead, school, day, 1)
    api = caller(lead)
    assert api.post("/api/v1/marks", {"client_batch_id": "a", "marks": _marks(upns, school.urn, day)}).status_code == 200
    refused = api.post("/api/v1/marks", {"client_batch_id": "b", "marks": _marks(upns, school.urn, day, "I")})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["index"] == 0
    replaced = api.post("/api/v1/marks", {"client_batch_id": "c", "on_conflict": "replace",
                                          "marks": _marks(upns, school.urn, day, "I")})
    assert (replaced.status_code, replaced.json()["changed"]) == (200, 1)


def test_an_mis_integration_account_reaches_only_its_school(demo, caller):
    school = _lead_school(demo)
    account = create_integration_account(username="mis-test", organisation=Organisation.objects.get(school=school),
                                         description="MIS", starts=dt.date(2026, 9, 1))
    assert not account.user.has_usable_password()
    api = caller(account.user)
    assert api.get(f"/api/v1/schools/{school.urn}/figures").status_code == 200
    other = School.objects.exclude(pk=school.pk).filter(enrolments__isnull=False).first()
    assert api.get(f"/api/v1/schools/{other.urn}/figures").status_code == 404


def test_a_social_workers_token_reads_only_their_childrens_figures(demo, caller):
    worker = demo.get(username="social-worker")
    mine = access.pupils_visible_to(worker, Action.VIEW, RecordKind.FIGURES).order_by("upn").first()
    assert mine is not None
    other = access.pupils_visible_to(demo.get(username="attendance-lead")).exclude(
        pk__in=access.pupils_visible_to(worker, Action.VIEW, RecordKind.FIGURES).values("pk")).first()
    api = caller(worker)
    own = api.get(f"/api/v1/pupils/{mine.upn}/figures?from=2026-09-01&to=2026-11-27")
    assert own.status_code == 200
    figures = own.json()
    assert figures["on_roll"] is True and figures["possible"] > 0
    assert figures["present"] + figures["aea"] + figures["authorised"] + figures["unauthorised"] <= figures["possible"]
    hidden = api.get(f"/api/v1/pupils/{other.upn}/figures")
    missing = api.get("/api/v1/pupils/Z999999999999/figures")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert AuditEvent.objects.filter(username="social-worker", record_kind="figures", pupil_id=mine.pk,
                                     source="api").exists()


def test_pupil_figures_are_the_reports_figures(demo, caller):
    """The one figures engine: the API answers what muster.registers.reports.pupil_rows says."""
    from muster.registers.reports import pupil_rows

    lead = demo.get(username="attendance-lead")
    pupil = access.pupils_visible_to(lead).order_by("upn").first()
    row = pupil_rows(dt.date(2026, 9, 1), TODAY, pupils=access.pupils_visible_to(lead).filter(pk=pupil.pk))[0]
    answer = caller(lead).get(f"/api/v1/pupils/{pupil.upn}/figures?from=2026-09-01&to=2026-11-27").json()
    for key in ("possible", "present", "late", "aea", "authorised", "unauthorised", "attendance_pct",
                "persistent_absence"):
        assert answer[key] == row[key], key
    bad = caller(lead).get(f"/api/v1/pupils/{pupil.upn}/figures?from=2026-11-27&to=2026-09-01")
    assert bad.status_code == 422


def test_school_figures_need_cohort_figures_at_that_school(demo, caller):
    lead = demo.get(username="attendance-lead")
    school = _lead_school(demo)
    answer = caller(lead).get(f"/api/v1/schools/{school.urn}/figures?from=2026-09-01&to=2026-11-27")
    assert answer.status_code == 200
    assert answer.json()["enrolments"] > 0 and answer.json()["urn"] == school.urn
    assert caller(demo.get(username="social-worker")).get(f"/api/v1/schools/{school.urn}/figures").status_code == 404


def _user_with_open_tasks(demo):
    for user in demo.filter(is_active=True).order_by("username"):
        if tasks_for(user).count() >= 2:
            return user
    pytest.fail("the demo plants open tasks (issue 3)")


def test_tasks_are_listed_in_pages_and_in_order(demo, caller):
    user = _user_with_open_tasks(demo)
    api = caller(user)
    expected = list(tasks_for(user).order_by("-due", "-created_on", "-pk").values_list("pk", flat=True))
    first = api.get("/api/v1/tasks?limit=2&ordering=-due").json()
    second = api.get("/api/v1/tasks?limit=2&offset=2&ordering=-due").json()
    assert first["count"] == len(expected)
    assert [t["id"] for t in first["items"] + second["items"]] == expected[:4]


def test_a_task_is_completed_only_against_its_current_etag(demo, caller):
    user = _user_with_open_tasks(demo)
    api = caller(user)
    task = api.get("/api/v1/tasks?limit=1").json()["items"][0]
    path = f"/api/v1/tasks/{task['id']}/complete"
    assert api.post(path, {"note": "called"}).status_code == 428
    assert api.post(path, {"note": "called"}, HTTP_IF_MATCH='"stale"').status_code == 412
    assert Task.objects.get(pk=task["id"]).status == Task.Status.OPEN
    done = api.post(path, {"note": "called home"}, HTTP_IF_MATCH=task["etag"])
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["note"]) == ("done", "called home")
    assert done["ETag"] == done.json()["etag"] != task["etag"]
    stored = Task.objects.get(pk=task["id"])
    assert (stored.status, stored.completed_by) == (Task.Status.DONE, user)
    assert list(AuditEvent.objects.filter(username=user.username, record_kind="task", record_id=str(stored.pk),
                                          action="change").order_by("sequence").values_list("summary", flat=True)) == [
        f"completing task {stored.pk} through the API refused: changed since read",
        f"completed task {stored.pk}: {stored.title}"]
    assert api.post(path, {"note": "again"}, HTTP_IF_MATCH=task["etag"]).status_code == 412


def test_another_persons_task_is_not_found(demo, caller):
    user = _user_with_open_tasks(demo)
    task = tasks_for(user).first()
    stranger = demo.get(username="governor")
    assert caller(stranger).post(f"/api/v1/tasks/{task.pk}/complete", {}, HTTP_IF_MATCH="*").status_code == 404
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN
