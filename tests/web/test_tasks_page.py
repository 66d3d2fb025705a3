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
