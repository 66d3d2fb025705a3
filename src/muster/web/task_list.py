"""The tasks page: mine, my team's, overdue, done, for the pupils the person may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from muster.casework.models import Task
from muster.casework.worklists import overdue, tasks_for
from muster.core.roles import Role, definition

VIEWS = (("mine", "My tasks"), ("team", "My team's tasks"), ("overdue", "Overdue"), ("done", "Done"))


def tasks(user, view: str, today: dt.date) -> QuerySet[Task]:
    if view == "team":
        return tasks_for(user, on=today, team=True)
    if view == "overdue":
        return overdue(tasks_for(user, on=today, team=True), today)
    if view == "done":
        return tasks_for(user, on=today, status=Task.Status.DONE, team=True).order_by("-completed_at")
    return tasks_for(user, on=today)


def role_label(role: str) -> str:
    try:
        return definition(Role(role)).label
    except ValueError:
        return role.replace("_", " ").capitalize()
