"""First-day calling: who to call after the register closes, and what follows if no one answers.

Sources: seed 002 lines 122-132 (parents report absence before the register closes; the school
telephones "on the first, and every subsequent day of absence"; if it cannot reach the parents,
emergency contacts, letters home and a home visit; "a referral may be made to Local Authority if
no contact has been made with parents by the 10th day of absence"); domain reference 5.1
("First-day calling", "Inform social worker"), 2.1 and 2.3 (`N` must be replaced within 5 school
days) and section 0 (an open session with no mark is listed for the school to resolve).
The 5 and the 10 are dated parameters in `policies/national/first_day/`.

Priority (reference 5.1, 8; seed 001): children in care first, then pupils with a social
worker, then everyone else; within a group by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from muster.core import codes
from muster.core.parameters import national

LADDER = (
    (1, "call the parents"),
    (1, "if the parents cannot be reached: call the emergency contacts"),
    (2, "send a letter home"),
    (3, "consider a home visit"),
)
"""Seed 002 lines 128-131: every day a call; if no contact, emergency contacts, a letter, a home
visit. The seed gives no day for the letter and visit, so they are offered from the day shown
(our inference, reference section 0 legend I); the referral day is a dated parameter."""


def no_reason_codes(on: dt.date) -> frozenset[str]:
    return frozenset(national("first_day", "no_reason_codes").value_on(on))


def resolve_within(on: dt.date) -> int:
    return int(national("first_day", "n_resolve_school_days").value_on(on))


def referral_day(on: dt.date) -> int:
    return int(national("first_day", "referral_absence_day").value_on(on))


@dataclass(frozen=True)
class Candidate:
    """A pupil on roll at a school for an open session, with the mark the session has."""

    pupil: int
    name: str
    mark: str | None
    """The symbol, or None for an open session with no mark yet."""
    looked_after: bool = False
    has_social_worker: bool = False


def priority(candidate: Candidate) -> int:
    if candidate.looked_after:
        return 0
    if candidate.has_social_worker:
        return 1
    return 2


def calling_list(candidates: Iterable[Candidate], on: dt.date) -> list[Candidate]:
    """Pupils absent with no reason (an `N` or no mark), children in care and pupils with a
    social worker first (seed 002 lines 122-132; reference 5.1)."""
    unexplained = no_reason_codes(on)
    wanted = [c for c in candidates if c.mark is None or c.mark in unexplained]
    return sorted(wanted, key=lambda c: (priority(c), c.name, c.pupil))


def school_days_after(day: dt.date, school_days: Sequence[dt.date], on: dt.date) -> int:
    """School days strictly after `day`, up to and including `on`."""
    return sum(1 for d in school_days if day < d <= on)


@dataclass(frozen=True)
class UnresolvedN:
    row: int
    slot: int
    day: dt.date
    resolve_by: dt.date
    """The last of the 5 school days after the day of the mark (reference 2.3)."""


def unresolved_n(
    marks: np.ndarray, first_day: dt.date, school_days: Sequence[dt.date], on: dt.date
) -> list[UnresolvedN]:
    """`N` marks still standing on `on` after the 5 school days after their own day.

    `marks` is rows x slots from `first_day`; `school_days` are the days the school is open,
    in order. An `N` on a Monday with school every weekday must be resolved by the end of the
    next Monday; on the Tuesday it is flagged.
    """
    allowed = resolve_within(on)
    ordered = sorted(school_days)
    index = {d: i for i, d in enumerate(ordered)}
    last = min(marks.shape[1], 2 * ((on - first_day).days + 1))
    flagged = []
    rows, slots = np.nonzero(marks[:, :last] == codes.code("N").id)
    for r, s in zip(rows, slots, strict=True):
        day = first_day + dt.timedelta(days=int(s) // 2)
        position = index.get(day)
        if position is None:
            following = [d for d in ordered if d > day]
            if len(following) < allowed:
                continue
            resolve_by = following[allowed - 1]
        elif position + allowed < len(ordered):
            resolve_by = ordered[position + allowed]
        else:
            continue
        if on > resolve_by:
            flagged.append(UnresolvedN(int(r), int(s), day, resolve_by))
    return flagged


def unexplained_absence_days(day_marks: Sequence[Sequence[str | None]], on: dt.date) -> int:
    """How many school days running, ending with the latest, the pupil has been absent with no
    reason established: every open session of the day `N`, `O` or no mark.

    `day_marks` lists the pupil's school days up to `on` in order, each as its sessions' marks
    (None for no mark). A day with any other mark ends the count (the reason is then known, or
    the pupil came in).
    """
    unexplained = no_reason_codes(on) | {"O"}
    count = 0
    for day in reversed(day_marks):
        if all(mark is None or mark in unexplained for mark in day):
            count += 1
        else:
            break
    return count


@dataclass(frozen=True)
class LadderStep:
    day: int
    action: str
    referral: bool = False


def ladder(absence_day: int, contact_made: bool, on: dt.date) -> list[LadderStep]:
    """What the policy asks for today, on the `absence_day`-th school day of unexplained absence.

    Every day a call (seed 002 line 128); when no contact has been made, the further steps of
    lines 130-131; from the referral day (line 132, day 10) with still no contact, a referral
    to the local authority as possibly missing education.
    """
    if absence_day < 1:
        return []
    steps = [LadderStep(absence_day, LADDER[0][1])]
    if contact_made:
        return steps
    steps += [LadderStep(absence_day, action) for first, action in LADDER[1:] if absence_day >= first]
    if absence_day >= referral_day(on):
        steps.append(
            LadderStep(
                absence_day,
                "refer to the local authority as possibly missing education",
                referral=True,
            )
        )
    return steps


def referral_due(absence_day: int, contact_made: bool, on: dt.date) -> bool:
    """Seed 002 line 132: no contact with the parents by the 10th day of absence."""
    return not contact_made and absence_day >= referral_day(on)
