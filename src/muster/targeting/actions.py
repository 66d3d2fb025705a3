"""Changing targeting support: holding a meeting, writing to a pupil's shared action log,
completing an agreed action. Pages, the CLI and the demo call these; each checks the reach of
the person (`muster.targeting.scope`) and writes the audit log in the same transaction.

`user=None` is the system (the demo, commands run by the operator): it reaches everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from muster.audit.log import record_event
from muster.audit.models import Action as AuditAction
from muster.people import access
from muster.people.models import Involvement, current
from muster.registers.models import Pupil, School
from muster.targeting import scope
from muster.targeting.models import ActionLogEntry, AgreedAction, Meeting
from muster.targeting.states import on_roll_at, states_on

MEETING = "targeting_meeting"
LOG = "targeting_log"


class NotAllowed(PermissionError):
    """The person takes no part in this school's targeting conversation."""


@dataclass(frozen=True)
class ActionDraft:
    description: str
    owner: str
    review_on: dt.date


def _name(user) -> str:
    return getattr(user, "username", "") or "system"


def _check_school(user, school: School) -> None:
    if user is not None and not scope.schools_in_conversation(user).filter(pk=school.pk).exists():
        raise access.NotFound("No such school")


def hold_meeting(*, school: School, held_on: dt.date, attendees: Sequence[str], user) -> Meeting:
    """Record a meeting of the school and its authority, and bring the pupils at risk on its list
    into the authority's reach (a referral: Annex A, the LA "hold a regular conversation with
    every school" about them), as persistently and severely absent pupils already are."""
    _check_school(user, school)
    names = [a.strip() for a in attendees if a.strip()]
    if not names:
        raise ValueError("a meeting needs its attendees")
    if Meeting.objects.filter(school=school, held_on=held_on).exists():
        raise ValueError(f"a meeting of {school.name} on {held_on} is already recorded")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            school=school, local_authority=school.local_authority, held_on=held_on,
            attendees="\n".join(names), created_by=user if getattr(user, "pk", None) else None,
            created_at=timezone.now())
        referred = refer_listed(school=school, on=held_on)
        record_event(user=user, action=AuditAction.CREATE, record_kind=MEETING, record_id=meeting.pk,
                     summary=f"Targeting support meeting for {school.urn} on {held_on} "
                     f"({len(names)} attendees, {referred} pupils at risk referred)")
    return meeting


def refer_listed(*, school: School, on: dt.date) -> int:
    """Open a referral involvement for each pupil at risk on the school's roll whom the authority
    does not reach yet; return how many."""
    states = states_on(on, on_roll_at(school, on))
    at_risk = [pid for pid, s in states.items() if s.escalation == "at_risk"]
    involved = set(Involvement.objects.filter(current(on), local_authority=school.local_authority,
                                              pupil_id__in=at_risk).values_list("pupil_id", flat=True))
    new = [Involvement(pupil_id=pid, local_authority=school.local_authority,
                       reason=Involvement.Reason.REFERRAL, starts=on,
                       note=f"At risk: on the targeting support meeting list of {on}")
           for pid in at_risk if pid not in involved]
    Involvement.objects.bulk_create(new)
    return len(new)


def write_log_entry(
    *, pupil: Pupil, school: School, user, written_on: dt.date, meeting: Meeting | None = None,
    lead_practitioner: str = "", early_help_offered: bool | None = None, barriers: str = "",
    note: str = "", actions: Sequence[ActionDraft] = (),
) -> ActionLogEntry:
    """Add an entry to the pupil's shared action log, with any actions agreed."""
    _check_school(user, school)
    if user is not None:
        scope.access_log_pupil(user, pupil.pk)
    if meeting is not None and meeting.school_id != school.pk:
        raise ValueError("the meeting is another school's")
    if not (lead_practitioner or barriers or note or actions or early_help_offered is not None):
        raise ValueError("an entry needs something to say")
    for draft in actions:
        if not draft.description.strip() or not draft.owner.strip():
            raise ValueError("each agreed action needs what is to be done and who owns it")
    with transaction.atomic():
        entry = ActionLogEntry.objects.create(
            pupil=pupil, school=school, meeting=meeting, lead_practitioner=lead_practitioner.strip(),
            early_help_offered=early_help_offered, barriers=barriers.strip(), note=note.strip(),
            written_on=written_on, written_at=timezone.now(),
            written_by=user if getattr(user, "pk", None) else None, written_by_name=_name(user),
            organisation=scope.side_of(user, school) if user is not None else None)
        AgreedAction.objects.bulk_create(
            AgreedAction(entry=entry, pupil=pupil, description=d.description.strip(),
                         owner=d.owner.strip(), review_on=d.review_on) for d in actions)
        record_event(user=user, action=AuditAction.CREATE, record_kind=LOG, record_id=entry.pk,
                     pupil_id=pupil.pk, summary=f"Targeting action log entry with {len(actions)} "
                     f"agreed actions (school {school.urn})")
    return entry


def complete_agreed_action(*, action: AgreedAction, user, on: dt.date) -> AgreedAction:
    """Mark an agreed action done on a day."""
    with transaction.atomic():
        action = AgreedAction.objects.select_for_update().select_related("entry__school").get(pk=action.pk)
        _check_school(user, action.entry.school)
        if user is not None:
            scope.access_log_pupil(user, action.pupil_id)
        if action.completed_on is not None:
            raise ValueError(f"action {action.pk} was completed on {action.completed_on}")
        action.completed_on, action.completed_by_name = on, _name(user)
        action.save(update_fields=["completed_on", "completed_by_name"])
        record_event(user=user, action=AuditAction.CHANGE, record_kind=LOG, record_id=action.entry_id,
                     pupil_id=action.pupil_id, summary=f"Completed agreed action {action.pk}")
    return action
