"""The tasks page (issue 6, "Tasks: my tasks, the team's, overdue; complete with a note") and the
pupil page's bands and tasks (issue 3 parts 4 and 7, shown where people work)."""

from __future__ import annotations

from muster.audit.models import AuditEvent
from muster.casework.models import Task
from muster.casework.worklists import tasks_for
from tests.web.conftest import TODAY


def test_my_tasks_lists_the_social_workers_own_children_and_completes_with_a_note(as_user, demo):
    worker = demo.get(username="social-worker")
    mine = list(tasks_for(worker, on=TODAY))
    assert mine, "the demo gives the social worker tasks"
    client = as_user("social-worker")
    page = client.get("/tasks/")
    assert page.status_code == 200
    text = page.content.decode()
    for task in mine:
        assert task.title in text
    task = mine[0]
    done = client.post(f"/tasks/{task.pk}/done/", {"note": "Talked it through with the carer"})
    assert done.status_code == 302 and done.url == "/tasks/"
    task.refresh_from_db()
    assert (task.status, task.note, task.completed_by) == (Task.Status.DONE, "Talked it through with the carer", worker)
    assert "Talked it through with the carer" in client.get("/tasks/?view=done").content.decode()
    assert AuditEvent.objects.filter(record_kind="task", action="change", record_id=str(task.pk)).exists()


def test_nobody_completes_a_task_that_is_not_theirs(as_user, demo):
    someone_elses = Task.objects.filter(status="open").exclude(
        pk__in=tasks_for(demo.get(username="social-worker"), team=True).values("pk")).first()
    client = as_user("social-worker")
    assert client.post(f"/tasks/{someone_elses.pk}/done/", {"note": "x"}).status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.status == "open"


def test_the_pupil_page_shows_bands_why_and_open_tasks(as_user, demo):
    worker = demo.get(username="social-worker")
    task = tasks_for(worker, on=TODAY).first()
    page = as_user("social-worker").get(f"/pupils/{task.pupil_id}/")
    text = page.content.decode()
    assert "Bands under each policy" in text and "possible sessions" in text
    assert task.title in text and "Band history" in text


def test_the_virtual_school_sees_every_child_in_care_with_band_and_plan(as_user, demo):
    """Issue 5 item 1 ("as if they attended a single school") as a page, filtered by key stage."""
    client = as_user("vs-head")
    page = client.get("/children-in-care/")
    assert page.status_code == 200
    text = page.content.decode()
    head = demo.get(username="vs-head")
    in_care = access_children(head)
    assert f"{len(in_care)} children" in text or f"{len(in_care)} child" in text
    for pupil in in_care[:5]:
        assert pupil.display_name in text
    assert client.get("/children-in-care/?stage=KS3").status_code == 200


def test_a_teacher_has_no_children_in_care_page(as_user, demo):
    assert as_user("teacher").get("/children-in-care/").status_code == 404


def access_children(user):
    from muster.people import access

    return list(access.pupils_visible_to(user, on=TODAY).filter(looked_after=True))


def test_what_if_moves_a_band_edge_on_past_registers_and_saves_nothing(as_user, demo):
    """Issue 3 part 6 as a page: seed 001's "good" edge raised from 95% to 100%."""
    from muster.casework.models import BandSpell

    before = (Task.objects.count(), BandSpell.objects.count())
    client = as_user("vs-head")
    organisation = demo.get(username="vs-head").roles.first().organisation_id
    page = client.get("/policies/what-if/", {
        "policy": "vs-attendance-processes-matrix", "run": "1", "organisation": organisation,
        "edge-good": "100", "edge-poor": "90", "edge-persistent": "50", "edge-significant": "0",
        "from": "2026-09-01", "to": "2026-11-27",
    })
    assert page.status_code == 200
    text = page.content.decode()
    assert "It would have made" in text and "Good attendance to Poor attendance" in text
    assert (Task.objects.count(), BandSpell.objects.count()) == before


def test_what_if_refuses_an_edge_that_is_not_a_percentage(as_user, demo):
    page = as_user("vs-head").get("/policies/what-if/", {
        "policy": "vs-attendance-processes-matrix", "run": "1", "edge-good": "150"})
    assert "a percentage from 0 to 100" in page.content.decode()
