"""Changing casework: adopting a policy, completing a task. Pages, admin and CLI call these."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from muster.audit.log import record_event
from muster.casework.models import PolicyAdoption, Task
from muster.core.policy.loader import load_all
from muster.people.models import Organisation


class TaskNotOpen(ValueError):
    """Only an open task can be completed: a superseded one no longer applies."""


def adopt_policy(*, policy_id: str, organisation: Organisation, starts: dt.date, user=None) -> PolicyAdoption:
    """Record that an organisation uses a shipped policy from a day (it must exist)."""
    known = {p.id for p in load_all()}
    if policy_id not in known:
        raise ValueError(f"no policy {policy_id!r}; the policies are: {', '.join(sorted(known))}")
    adoption, _ = PolicyAdoption.objects.get_or_create(policy_id=policy_id, organisation=organisation, starts=starts)
    record_event(user=user, action="change", record_kind="policy", record_id=policy_id,
                 summary=f"{organisation} adopted policy {policy_id} from {starts}")
    return adoption


def complete_task(*, task: Task, user, note: str = "") -> Task:
    """Mark a task done, with who, when and a note, on the record of the pupil."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.OPEN:
            raise TaskNotOpen(f"task {task.pk} is {task.get_status_display().lower()}, not open")
        task.status, task.completed_at, task.completed_by, task.note = (
            Task.Status.DONE, timezone.now(), user, note.strip())
        task.save(update_fields=["status", "completed_at", "completed_by", "note"])
        record_event(user=user, action="change", record_kind="task", record_id=task.pk, pupil_id=task.pupil_id,
                     summary=f"completed task {task.pk}: {task.title}")
    return task
