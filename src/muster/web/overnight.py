"""The rest of a school's Today page (issue 6 page 1): the pupils who moved into another band at the
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
    """Spells that took the school's pupils the person sees into another band on `day`: a new
    run, or a return within the window that continues an earlier run (its `band_since` is that
    run's first day: casework/evaluation.py), but not a change of absence column alone."""
    pupils = access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES).filter(enrolments__school=school)
    began = list(BandSpell.objects.filter(pupil__in=pupils.values("pk"), starts=day).exclude(band="")
                 .select_related("pupil").order_by("pupil__legal_surname", "pupil__legal_forename", "pk"))
    before: dict[tuple, str] = {}
    earlier = (BandSpell.objects.filter(pupil__in=[s.pupil_id for s in began if s.band_since != day], starts__lt=day)
               .order_by("starts", "pk").values_list("pupil_id", "policy_id", "organisation_id", "band"))
    for pupil_id, policy_id, organisation_id, band in earlier:
        before[(pupil_id, policy_id, organisation_id)] = band  # the last spell before the day wins
    moved = [s for s in began if s.band_since == day
             or before.get((s.pupil_id, s.policy_id, s.organisation_id), s.band) != s.band]
    return moved[:SHOWN]


def tasks_due(user, school, day: dt.date) -> tuple[list[Task], int]:
    """The person's open tasks (and their queues') for the school's pupils due by `day`."""
    due = tasks_for(user, on=day).filter(due__lte=day, pupil__enrolments__school=school).distinct()
    return list(due[:SHOWN]), due.count()
