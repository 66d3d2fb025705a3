"""Tasks: GET the token user's worklist (muster.casework.worklists.tasks_for) and complete one
(muster.casework.actions.complete_task), refusing a change made against a stale copy: the task's
ETag must be sent back in If-Match (412 when it no longer matches, 428 when missing)."""


import datetime as dt
import hashlib
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from muster.api.common import Message, Page, Pages
from muster.api.text import Text
from muster.audit.log import record_event
from muster.casework.actions import TaskNotOpen, complete_task
from muster.casework.models import Task
from muster.casework.worklists import tasks_for
from muster.people import access

router = Router(tags=["tasks"])

ORDERINGS = {"due": ("due", "created_on", "pk"), "-due": ("-due", "-created_on", "-pk"),
             "created_on": ("created_on", "pk"), "-created_on": ("-created_on", "-pk"), "id": ("pk",),
             "-id": ("-pk",)}


def etag(task: Task) -> str:
    """A strong ETag of the task's state: it changes whenever the task is completed, superseded,
    reassigned or re-dated."""
    state = "|".join(str(v) for v in (task.pk, task.status, task.assignee_id, task.due, task.completed_at,
                                      task.note, task.superseded_on))
    return '"' + hashlib.sha256(state.encode()).hexdigest()[:32] + '"'


class TaskOut(Schema):
    id: int
    upn: str
    title: str
    instruction: str
    source: str
    role: str
    status: str
    created_on: dt.date
    due: dt.date | None
    assignee: str | None
    completed_at: dt.datetime | None
    note: str
    etag: str = Field(description="Send back in If-Match to complete the task.")


class TaskFilter(Schema):
    status: Literal["open", "done", "superseded", "any"] = "open"
    ordering: Literal[tuple(ORDERINGS)] = "due"  # type: ignore[valid-type]


class CompleteIn(Schema):
    note: Text = ""


def _out(task: Task) -> dict:
    return {"id": task.pk, "upn": task.pupil.upn, "title": task.title, "instruction": task.instruction,
            "source": task.source, "role": task.role, "status": task.status, "created_on": task.created_on,
            "due": task.due, "assignee": task.assignee.username if task.assignee else None,
            "completed_at": task.completed_at, "note": task.note, "etag": etag(task)}


@router.get("/tasks", response=list[TaskOut], summary="The token user's tasks")
@paginate(Pages)
def list_tasks(request, filters: Query[TaskFilter]):
    user = request.auth
    status = None if filters.status == "any" else filters.status
    tasks = tasks_for(user, status=status).order_by(*ORDERINGS[filters.ordering])
    record_event(user=user, action="list", record_kind="task", summary=f"tasks ({filters.status}) through the API",
                 source="api")
    return Page(tasks, _out)


@router.get("/tasks/{task_id}", response={200: TaskOut, 404: Message}, summary="One task, with its ETag")
def get_task(request, response: HttpResponse, task_id: int):
    user = request.auth
    task = _find(user, task_id)
    record_event(user=user, action="view", record_kind="task", record_id=task.pk, pupil_id=task.pupil_id,
                 summary=f"task {task.pk} through the API", source="api")
    response["ETag"] = etag(task)
    return Status(200, _out(task))


@router.post("/tasks/{task_id}/complete",
             response={200: TaskOut, 404: Message, 409: Message, 412: Message, 428: Message},
             summary="Complete a task (If-Match: its ETag)")
def complete(request, response: HttpResponse, task_id: int, body: CompleteIn,
             if_match: str | None = Header(None, alias="If-Match")):
    user = request.auth
    task = _find(user, task_id)
    if not if_match:
        return Status(428, {"detail": "send the task's ETag in If-Match"})
    if if_match.strip() not in (etag(task), "*"):
        record_event(user=user, action="change", record_kind="task", record_id=task.pk, pupil_id=task.pupil_id,
                     summary=f"completing task {task.pk} through the API refused: changed since read",
                     source="api")
        return Status(412, {"detail": "the task has changed since you read it; read it again"})
    try:
        done = complete_task(task=task, user=user, note=body.note)
    except TaskNotOpen as why:
        return Status(409, {"detail": str(why)})
    done = _find(user, done.pk)
    response["ETag"] = etag(done)
    return Status(200, _out(done))


def _find(user, task_id: int) -> Task:
    task = tasks_for(user, status=None).filter(pk=task_id).first()
    if task is None:
        raise access.NotFound("No such task")
    return task
