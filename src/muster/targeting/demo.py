"""Targeting support on the demo: last half term's meeting at the demo staff's school, its
action log, and the planted cases the no-action worklist must find.

Called once by `muster.registers.demo.build_demo`, inside its transaction, after the registers,
staff, band history and tasks are written. The story: the school and the authority met before
half term and logged every pupil on the list; since then the school has followed up every
pupil at a stage that expects action except a few (the planted cases), whom the worklist must
list, and no one else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max

from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.roles import Role
from muster.interop.models import PupilContact
from muster.people.models import RoleAssignment
from muster.registers.actions import MarkInput, record_marks
from muster.registers.models import Enrolment, MarkBatch, Pupil, School
from muster.targeting import actions
from muster.targeting.models import TARGETING_TABLES, SiblingLink
from muster.targeting.states import on_roll_at, states_on
from muster.targeting.worklist import no_action_rows, open_days

SHIFT_SCHOOL_DAYS = 10
"""The last school days of the planted shift: a pupil who had attended every session is off
ill for two weeks, so the XmR chart of the pupil shows the shift as a signal."""
PLANTED = 3
"""How many pupils the demo leaves with no action."""
WEEKS_SINCE_MEETING = 6
BARRIERS = ("Anxiety about a friendship group", "Caring for a younger sibling in the mornings",
            "Transport: the bus route changed", "Low mood; waiting for a CAMHS appointment")


def _clear() -> None:
    with connection.cursor() as cursor:
        for model in TARGETING_TABLES:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def demo_school() -> School | None:
    """The school where the demo's staff work (its attendance lead's)."""
    grant = RoleAssignment.objects.filter(role=Role.ATTENDANCE_LEAD, organisation__school__isnull=False) \
        .select_related("organisation__school").order_by("pk").first()
    return grant.organisation.school if grant else None


@dataclass
class Planted:
    no_action: list[int] = field(default_factory=list)
    """Pupils left with no action, sorted by id."""
    shifted: int | None = None
    """The pupil whose weekly attendance has the planted shift."""
    shift_days: list[dt.date] = field(default_factory=list)
    """The school days the shift rewrote."""


def plant_targeting_shift(*, today: dt.date) -> Planted:
    """Plant the shift alone: the demo does so before the year's evaluation, so the policies
    read the two weeks of illness once, day by day, as they would have happened."""
    planted = Planted()
    school = demo_school()
    if school is None:
        return planted
    planted.shift_days = [d for d in open_days(school, today) if d <= today][-SHIFT_SCHOOL_DAYS:]
    planted.shifted = plant_shift(school, today, planted.shift_days)
    return planted


def plant_targeting_demo(*, today: dt.date, echo: Callable[[str], object] = print,
                         shift: Planted | None = None) -> Planted:
    """Plant the shift (unless `shift` says where it was planted already), the meeting, its log
    and the no-action cases; return what was planted."""
    _clear()
    planted = Planted()
    school = demo_school()
    if school is None:
        return planted
    days = [d for d in open_days(school, today) if d <= today]
    target = today - dt.timedelta(weeks=WEEKS_SINCE_MEETING)
    held_on = max((d for d in days if d <= target), default=None)
    if held_on is None:
        return planted
    shift = shift or plant_targeting_shift(today=today)
    planted.shift_days, planted.shifted = shift.shift_days, shift.shifted
    meeting = actions.hold_meeting(school=school, held_on=held_on, user=None, attendees=[
        "Attendance lead (school)", "Headteacher (school)", "Attendance officer (local authority)"])
    states = states_on(held_on, on_roll_at(school, held_on))
    listed = sorted(pid for pid, s in states.items() if s.escalation)
    for n, pid in enumerate(listed):
        actions.write_log_entry(
            pupil=Pupil.objects.get(pk=pid), school=school, user=None, written_on=held_on,
            meeting=meeting, lead_practitioner="Attendance lead",
            early_help_offered=n % 3 == 0, barriers=BARRIERS[n % len(BARRIERS)],
            actions=[actions.ActionDraft("Meet the family to agree an attendance plan",
                                         "Attendance lead", held_on + dt.timedelta(weeks=3))])
    everyone = Pupil.objects.all()
    pending = no_action_rows(today, schools=School.objects.filter(pk=school.pk), visible=everyone)
    planted.no_action = sorted(row.pupil.pk for row in pending)[:PLANTED]
    last_open = days[-1]
    for row in pending:
        if row.pupil.pk in planted.no_action:
            continue
        actions.write_log_entry(pupil=row.pupil, school=school, user=None, written_on=last_open,
                                note="Follow-up call with the family (demo)")
    plant_family(school, listed, today)
    echo(f"Targeting meeting held {held_on} ({len(listed)} pupils); "
         f"{len(planted.no_action)} left with no action")
    return planted


def plant_family(school: School, listed: list[int], today: dt.date) -> None:
    """A pupil on the meeting list shares a parent's number with a pupil at another school of
    the authority, and is recorded as the sibling of a pupil at their own school."""
    if not listed:
        return
    first = Pupil.objects.get(pk=listed[0])
    elsewhere = Enrolment.objects.filter(school__local_authority=school.local_authority,
                                         end__isnull=True).exclude(school=school) \
        .order_by("pupil_id").values_list("pupil_id", flat=True).first()
    here = [p for p in on_roll_at(school, today) if p != first.pk]
    for pid, number in [(first.pk, "07700 900123"), (elsewhere, "+44 7700 900123")]:
        if pid is not None:
            order = (PupilContact.objects.filter(pupil_id=pid).aggregate(m=Max("order"))["m"] or 0) + 1
            PupilContact.objects.create(pupil_id=pid, order=order, forename="Sam", surname="Example",
                                        relationship="PAR", phones=[{"kind": "mobile", "number": number}])
    if here:
        SiblingLink.objects.create(pupil=first, sibling_id=here[0], note="half-siblings",
                                   recorded_by_name="system", recorded_on=today)


def plant_shift(school: School, today: dt.date, days: list[dt.date]) -> int | None:
    """Mark the last `days` as illness (I) for the pupil of the school who has missed the fewest
    sessions this school year; return their id."""
    states = states_on(today, on_roll_at(school, today))
    candidates = sorted((s.absent, pid) for pid, s in states.items() if s.possible)
    if not candidates:
        return None
    pupil_id = candidates[0][1]
    enrolment = Enrolment.objects.filter(pupil_id=pupil_id, school=school).order_by("-start").first()
    record_marks(marks=[MarkInput(enrolment.pk, day, session, codes.code("I"))
                        for day in days for session in slots.Session],
                 source=MarkBatch.Source.CORRECTION, description="Demo: two weeks off ill (a shift)",
                 reason="The parent rang each morning: ill (invented, for the XmR chart's shift)",
                 on_conflict=OnConflict.REPLACE)
    return pupil_id
