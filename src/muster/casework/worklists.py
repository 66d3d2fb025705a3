"""What a member of staff must do: the tasks theirs by name or waiting in a queue of a role
they hold, for pupils their roles let them see (the trust layer decides, as for every read)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from muster.casework.models import Task
from muster.core.roles import Action, RecordKind
from muster.people import access


def tasks_for(user, *, on: dt.date | None = None, status: str | None = Task.Status.OPEN,
              team: bool = False) -> QuerySet[Task]:
    """The user's tasks: assigned to them, or unassigned in a queue of a role they hold.
    With `team`, every task of their organisations' roles, whoever holds it."""
    on = on or access.today()
    mine = Q(assignee=user)
    for grant in access.assignments(user, on):
        in_queue = Q(organisation_id=grant.organisation_id, role=grant.role)
        mine |= in_queue if team else in_queue & Q(assignee__isnull=True)
    visible = access.pupils_visible_to(user, Action.LIST, RecordKind.PUPIL, on=on)
    tasks = Task.objects.filter(mine, pupil__in=visible.values("pk"))
    if status:
        tasks = tasks.filter(status=status)
    return tasks.select_related("pupil", "assignee", "organisation").order_by("due", "created_on", "pk")


def overdue(tasks: QuerySet[Task], on: dt.date) -> QuerySet[Task]:
    return tasks.filter(status=Task.Status.OPEN, due__lt=on)
