"""Marks changed after they were taken, so the demo's registers have a history to show.

Schools record `N` when nobody yet knows why a pupil is away and replace it once they find out
(within 5 school days, reference 2.3); a doctor's note can turn an unexplained absence into
illness; a register taken wrongly is put right. The generator writes the first mark into the
register and lists the change; the database writer applies it as a correction with its reason,
which keeps the old mark in the history (reference 0, "Two marks for one session").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from muster.core import codes

N = codes.code("N").id


@dataclass(frozen=True)
class Correction:
    enrolment_key: int
    academic_year: int
    slot: int
    symbol: str
    """The mark that replaces the one first recorded."""
    reason: str


@dataclass(frozen=True)
class _Kind:
    found: str
    """The mark the pupil ends up with (or, for `first`, the mark first recorded)."""
    becomes: str
    first: str
    reason: str


KINDS = (
    _Kind("I", "I", "N", "Parent phoned on the second day: illness."),
    _Kind("O", "O", "N", "No reason given after five school days of follow-up."),
    _Kind("G", "G", "N", "Parent confirmed a family holiday; leave had not been granted."),
    _Kind("M", "M", "N", "Appointment letter seen: hospital appointment."),
    _Kind("/", "/", "N", "Register error: the pupil was in school (signed in at the office)."),
    _Kind("O", "I", "O", "Medical evidence received: absence authorised as illness."),
)


def plan_corrections(
    rng: np.random.Generator, registers: list, *, how_many: int, settled_before: dict[int, int]
) -> list[Correction]:
    """Pick `how_many` marks to have been recorded first as something else, one per register.

    `registers` are `RegisterYearMarks` (their marks are changed in place to the first mark);
    `settled_before` gives, per academic year, the first slot too recent to have been corrected.
    """
    order = rng.permutation(len(registers))
    corrections: list[Correction] = []
    for index in order:
        if len(corrections) >= how_many:
            break
        kind = KINDS[len(corrections) % len(KINDS)]
        register = registers[int(index)]
        limit = settled_before.get(register.academic_year, len(register.marks))
        candidates = np.flatnonzero(register.marks[:limit] == codes.code(kind.found).id)
        if not len(candidates):
            continue
        slot = int(rng.choice(candidates))
        register.marks[slot] = codes.code(kind.first).id
        corrections.append(
            Correction(register.enrolment_key, register.academic_year, slot, kind.becomes, kind.reason)
        )
    return corrections
