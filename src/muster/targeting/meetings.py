"""The pupils to discuss at a targeting support meeting, pre-filled (issue 10 part 3).

On the list: pupils on the school's roll on the meeting day who are at risk, persistently or
severely absent (Annex A's stages that expect action), and every pupil with an agreed action
still open, so the next meeting starts from the last one's actions. Each row carries the
figures, stages and drivers on the day, the open actions, and what changed since the school's
previous meeting: the absence then and now, the stage then and now, new log entries and
actions completed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from muster.people import access
from muster.registers.models import Pupil, School
from muster.targeting import scope
from muster.targeting.models import ActionLogEntry, AgreedAction, Meeting
from muster.targeting.states import PupilState, on_roll_at, stage_label, states_on


@dataclass
class MeetingRow:
    pupil: Pupil
    state: PupilState
    stage: str
    """The highest escalation stage's label, or a note that only open actions bring them."""
    stages: list[str]
    open_actions: list[AgreedAction]
    latest: ActionLogEntry | None
    changes: list[str] = field(default_factory=list)


def previous_meeting(school: School, before: dt.date) -> Meeting | None:
    return Meeting.objects.filter(school=school, held_on__lt=before).order_by("-held_on").first()


def meeting_with_list(user, meeting_id: int) -> tuple[Meeting, list[MeetingRow]]:
    """A meeting the person takes part in and its list, limited to the pupils they may see, with
    the sensitive stages only if they may see those fields: what the pack page, its Word document
    and the command line show. `user=None` is the operator, who reaches every meeting and pupil.
    Another school's meeting answers as one that does not exist (`access.NotFound`)."""
    if user is None:
        try:
            meeting = Meeting.objects.select_related("school", "local_authority").get(pk=meeting_id)
        except (Meeting.DoesNotExist, ValueError, TypeError):
            raise access.NotFound("No such meeting") from None
        return meeting, meeting_rows(meeting.school, meeting.held_on, visible=Pupil.objects.all())
    meeting = scope.access_meeting_by_id(user, meeting_id)
    sensitive = "looked_after" in access.visible_fields(user)
    return meeting, meeting_rows(meeting.school, meeting.held_on,
                                 visible=scope.log_pupils_visible_to(user), sensitive=sensitive)


def meeting_rows(school: School, on: dt.date, *, visible: QuerySet[Pupil],
                 sensitive: bool = True) -> list[MeetingRow]:
    """The list for a meeting of `school` on `on`, limited to the pupils `visible` (the trust
    layer's), most absent first."""
    roll = set(on_roll_at(school, on)) & set(visible.values_list("pk", flat=True))
    open_actions: dict[int, list[AgreedAction]] = {}
    for action in AgreedAction.objects.filter(
            completed_on__isnull=True, entry__school=school, pupil__in=visible.values("pk"),
            entry__written_on__lte=on).select_related("entry").order_by("review_on", "pk"):
        open_actions.setdefault(action.pupil_id, []).append(action)
    states = states_on(on, roll | set(open_actions), sensitive=sensitive)
    listed = [pid for pid, s in states.items() if s.escalation or pid in open_actions]
    previous = previous_meeting(school, on)
    before = states_on(previous.held_on, listed, sensitive=sensitive) if previous else {}
    latest = {}
    for entry in ActionLogEntry.objects.filter(pupil_id__in=listed, school=school,
                                               written_on__lte=on).order_by("written_at", "pk"):
        latest[entry.pupil_id] = entry
    pupils = Pupil.objects.in_bulk(listed)
    rows = []
    for pid in listed:
        state = states[pid]
        rows.append(MeetingRow(
            pupil=pupils[pid], state=state,
            stage=stage_label(state.escalation) if state.escalation else "Open actions only",
            stages=[stage_label(s) for s in state.stages if s != "all_pupils"],
            open_actions=open_actions.get(pid, []), latest=latest.get(pid),
            changes=_changes(state, before.get(pid), previous, school),
        ))
    rows.sort(key=lambda r: (-(r.state.absence_pct or 0), r.pupil.upn))
    return rows


def _changes(now: PupilState, then: PupilState | None, previous: Meeting | None,
             school: School) -> list[str]:
    if previous is None:
        return ["First meeting: nothing to compare with"]
    out = []
    if then is None or then.possible == 0:
        out.append(f"No figures at the last meeting ({previous.held_on})")
    else:
        out.append(f"Absence {then.absence_pct}% on {previous.held_on}, {now.absence_pct}% now")
        if then.escalation != now.escalation:
            was = stage_label(then.escalation) if then.escalation else "not at a stage"
            is_now = stage_label(now.escalation) if now.escalation else "not at a stage"
            out.append(f"Stage: {was} then, {is_now} now")
    entries = ActionLogEntry.objects.filter(pupil_id=now.pupil_id, school=school,
                                            written_on__gt=previous.held_on, written_on__lte=now.on)
    done = AgreedAction.objects.filter(pupil_id=now.pupil_id, entry__school=school,
                                       completed_on__gt=previous.held_on, completed_on__lte=now.on)
    if entries.exists():
        out.append(f"{entries.count()} log entries since the last meeting")
    if done.exists():
        out.append(f"{done.count()} agreed actions completed since the last meeting")
    return out
