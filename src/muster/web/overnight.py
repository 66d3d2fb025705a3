"""The rest of a school's Today page (issue 6 page 1): the pupils who moved into a band at the
day's evaluation (`muster evaluate` runs each night), and the tasks due by the day."""

from __future__ import annotations

import datetime as dt

from muster.casework.models import BandSpell, Task
from muster.casework.worklists import tasks_for
from muster.core.roles import Action, RecordKind
from muster.people import access

SHOWN = 50
"""More than this and the person goes to the Tasks page or the pupils list."""


def band_moves(user, school, day: dt.date) -> list[BandSpell]:
    """Spells that began a run in a new band on `day`, for the school's pupils the person sees."""
    pupils = access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES).filter(enrolments__school=school)
    return list(
        BandSpell.objects.filter(pupil__in=pupils.values("pk"), band_since=day, starts=day)
        .exclude(band="").select_related("pupil").order_by("pupil__legal_surname", "pupil__legal_forename")[:SHOWN]
    )


def tasks_due(user, school, day: dt.date) -> tuple[list[Task], int]:
    """The person's open tasks (and their queues') for the school's pupils due by `day`."""
    due = tasks_for(user, on=day).filter(due__lte=day, pupil__enrolments__school=school).distinct()
    return list(due[:SHOWN]), due.count()
