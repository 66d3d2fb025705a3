"""No action, no hiding (issue 10 part 4): pupils at a stage that expects action who have had
none in N school days, N per stage as data
(`policies/national/targeting/no_action_school_days.yaml`).

An action is a completed task, a logged contact or a meeting; editing a note is not one, so a
case cannot be kept off the list by touching it. The clock starts on the later of the day the
pupil entered the stage and the day of their last action, and counts the school days after it
up to and including the day of the list, on the pupil's school's calendar. A pupil is listed
once N school days have passed that way: at N, not N - 1.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from muster.core.parameters import national


class ActivityKind(StrEnum):
    TASK_COMPLETED = "task_completed"
    CONTACT_LOGGED = "contact_logged"
    MEETING = "meeting"
    NOTE_EDITED = "note_edited"


ACTIONS = frozenset({ActivityKind.TASK_COMPLETED, ActivityKind.CONTACT_LOGGED,
                     ActivityKind.MEETING})
"""What counts as action (issue 10 part 4); a note edited is not action."""


@dataclass(frozen=True)
class Activity:
    pupil: int
    day: dt.date
    kind: ActivityKind


@dataclass(frozen=True)
class AtStage:
    """A pupil at a stage on the day of the list, since a day, at a school."""

    pupil: int
    stage: str
    since: dt.date
    school: str


@dataclass(frozen=True)
class NoAction:
    pupil: int
    stage: str
    school: str
    clock_from: dt.date
    """The later of entering the stage and the last action."""
    last_action: dt.date | None
    school_days: int
    """School days after `clock_from` up to and including the day of the list."""
    limit: int

    def describe(self) -> str:
        last = (f"last action {self.last_action.isoformat()}" if self.last_action
                else "no action since entering the stage")
        return (f"{self.stage}: {self.school_days} school days with no action ({last}; "
                f"at most {self.limit})")


def limits_on(day: dt.date) -> dict[str, int]:
    """The school days allowed per stage on a day."""
    value = national("targeting", "no_action_school_days").value_on(day)
    return {str(stage): int(days) for stage, days in value.items()}


def no_action(
    at_stage: Iterable[AtStage],
    activities: Iterable[Activity],
    on: dt.date,
    school_days: Mapping[str, Sequence[dt.date]],
    limits: Mapping[str, int] | None = None,
) -> list[NoAction]:
    """The worklist on `on`: pupils at a stage in `limits` whose clock has run N school days.

    `school_days[school]`: the school's open days, sorted (its calendar). Activities after
    `on` are ignored, so the list for a past day replays as it was.
    """
    limits = limits_on(on) if limits is None else limits
    last_action: dict[int, dt.date] = {}
    for activity in activities:
        if activity.kind in ACTIONS and activity.day <= on:
            last_action[activity.pupil] = max(activity.day,
                                              last_action.get(activity.pupil, activity.day))
    listed = []
    for entry in at_stage:
        if entry.stage not in limits:
            continue
        if entry.school not in school_days:
            raise ValueError(f"no calendar for school {entry.school}")
        action = last_action.get(entry.pupil)
        clock = max(entry.since, action) if action else entry.since
        days = school_days[entry.school]
        passed = bisect.bisect_right(days, on) - bisect.bisect_right(days, clock)
        if passed >= limits[entry.stage]:
            listed.append(NoAction(entry.pupil, entry.stage, entry.school, clock, action, passed,
                                   limits[entry.stage]))
    listed.sort(key=lambda n: (-n.school_days / n.limit, n.school, n.pupil))
    return listed
