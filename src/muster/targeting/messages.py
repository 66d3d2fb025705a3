"""Messages that inform (issue 10 part 7), the database side: for a school and a week, the
message to the parents of each pupil at a stage that expects action, written only once every
open session of the week has a mark for every pupil on roll (`reports.missing_marks` is empty;
rules and text: `muster.core.targeting.messages`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from muster.core.targeting.messages import Message, WeekNotFinal, message
from muster.registers.models import Pupil, School
from muster.registers.reports import missing_marks
from muster.targeting.states import on_roll_at, states_on


@dataclass(frozen=True)
class PupilMessage:
    pupil: Pupil
    message: Message


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Friday of the day's week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=4)


def school_messages(school: School, day: dt.date, *, visible: QuerySet[Pupil]) -> list[PupilMessage]:
    """The messages for the week of `day` at the school, to the pupils `visible` (the trust
    layer's); WeekNotFinal while any session of the week has no mark."""
    monday, friday = week_of(day)
    missing = missing_marks(monday, friday, school=school)
    if missing:
        raise WeekNotFinal(f"the week of {monday} at {school.name} has {len(missing)} open "
                           "sessions with no mark: the messages wait until they are all marked")
    states = states_on(friday, on_roll_at(school, friday))
    typical = [s.absent for s in states.values() if s.possible]
    allowed = set(visible.filter(pk__in=list(states)).values_list("pk", flat=True))
    pupils = Pupil.objects.in_bulk([pid for pid, s in states.items() if s.escalation and pid in allowed])
    out = []
    for pid in sorted(pupils, key=lambda p: pupils[p].upn):
        state, pupil = states[pid], pupils[pid]
        out.append(PupilMessage(pupil, message(
            stage=state.escalation, child=pupil.preferred_name or pupil.legal_forename,
            school=school.name, absent_sessions=state.absent, school_absences=typical,
            week_ending=friday, final=True)))
    return out
