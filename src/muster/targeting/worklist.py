"""No action, no hiding (issue 10 part 4), the database side: who is at a stage that expects
action, since when, and their actions, handed to `muster.core.targeting.worklist.no_action`.

Stages and their start: persistently and severely absent from the pupil's current spell in
that band of the national policy (`casework` band history, `band_since`); at risk, which has no
history held, from the first day of the pupil's current half term (Muster decision). Actions:
a task completed, a contact logged (the statutory contact log), an entry written to the
targeting action log (a meeting or its follow-up) and an agreed action completed. Notes are not
read, so editing one changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from muster.casework.models import BandSpell, Task
from muster.core import slots
from muster.core.targeting.worklist import Activity, ActivityKind, AtStage, NoAction, no_action
from muster.registers.models import Pupil, School
from muster.statutory.models import ContactAttempt
from muster.targeting.models import ActionLogEntry, AgreedAction
from muster.targeting.states import on_roll_at, stage_label, states_on

BANDS_POLICY = "national-persistent-severe-absence"


@dataclass(frozen=True)
class WorklistRow:
    pupil: Pupil
    school: School
    item: NoAction

    @property
    def stage_label(self) -> str:
        return stage_label(self.item.stage)


def open_days(school: School, on: dt.date) -> list[dt.date]:
    """The school's open days in the school years of `on` and the one before, sorted."""
    calendar = school.calendar()
    year = slots.academic_year(on)
    days = set()
    for y in (year - 1, year):
        mask = calendar.open_slots(y)
        days.update(slots.date_of(y, int(s))[0] for s in mask.nonzero()[0])
    return sorted(days)


def activities(pupil_ids: list[int], on: dt.date) -> list[Activity]:
    """Every action on record for the pupils up to `on` (what counts: the module docstring)."""
    out = [Activity(p, at.date(), ActivityKind.TASK_COMPLETED) for p, at in Task.objects.filter(
        pupil_id__in=pupil_ids, status=Task.Status.DONE, completed_at__isnull=False)
        .values_list("pupil_id", "completed_at")]
    out += [Activity(p, at.date(), ActivityKind.CONTACT_LOGGED) for p, at in
            ContactAttempt.objects.filter(pupil_id__in=pupil_ids).values_list("pupil_id", "made_at")]
    out += [Activity(p, day, ActivityKind.MEETING) for p, day in ActionLogEntry.objects.filter(
        pupil_id__in=pupil_ids).values_list("pupil_id", "written_on")]
    out += [Activity(p, day, ActivityKind.MEETING) for p, day in AgreedAction.objects.filter(
        pupil_id__in=pupil_ids, completed_on__isnull=False).values_list("pupil_id", "completed_on")]
    return [a for a in out if a.day <= on]


def at_stage(school: School, on: dt.date, pupil_ids: list[int]) -> list[AtStage]:
    states = states_on(on, pupil_ids)
    bands = dict(BandSpell.objects.filter(
        policy_id=BANDS_POLICY, organisation__isnull=True, ends__isnull=True, starts__lte=on,
        pupil_id__in=pupil_ids).values_list("pupil_id", "band_since"))
    out = []
    for pid, state in states.items():
        stage = state.escalation
        if stage is None:
            continue
        if stage == "at_risk":
            since = state.half_term_start or slots.year_start(slots.academic_year(on))
        else:
            since = bands.get(pid) or slots.year_start(slots.academic_year(on))
        out.append(AtStage(pid, stage, since, school.urn))
    return out


def no_action_rows(on: dt.date, *, schools: QuerySet[School], visible: QuerySet[Pupil]) -> list[WorklistRow]:
    """The worklist on `on` for the schools, limited to the pupils `visible` (the trust layer's)."""
    allowed = set(visible.values_list("pk", flat=True))
    rows: list[WorklistRow] = []
    for school in schools.order_by("urn"):
        ids = [p for p in on_roll_at(school, on) if p in allowed]
        if not ids:
            continue
        listed = no_action(at_stage(school, on, ids), activities(ids, on), on,
                           {school.urn: open_days(school, on)})
        pupils = Pupil.objects.in_bulk([n.pupil for n in listed])
        rows += [WorklistRow(pupils[n.pupil], school, n) for n in listed]
    return rows
