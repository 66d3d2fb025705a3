"""Each pupil's targeting state on a day: figures this year, Annex A stages and at-risk drivers.

One load of the registers per call (the year before for the last-year rule); the meeting list,
the no-action worklist and the messages read it, so they agree with `muster at-risk`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np

from muster.core import slots
from muster.core.policy.format import Policy
from muster.core.policy.loader import load_all
from muster.core.targeting.at_risk import AtRiskRules, detect
from muster.core.targeting.stages import ESCALATION, PupilFacts, stages_of
from muster.registers import store
from muster.registers.models import SEN, Enrolment, Pupil, School
from muster.registers.reports import enrolments_in_period
from muster.targeting.backtest import Roll

ANNEX_A = "national-annex-a-responsibilities"


@cache
def annex_a() -> Policy:
    return next(p for p in load_all() if p.id == ANNEX_A)


def stage_label(stage: str) -> str:
    policy = annex_a()
    for item in (*policy.stages, *policy.bands):
        if item.id == stage:
            return item.label
    return stage.replace("_", " ")


@dataclass(frozen=True)
class PupilState:
    pupil_id: int
    on: dt.date
    absent: int
    possible: int
    stages: tuple[str, ...]
    drivers: tuple[str, ...]
    half_term_start: dt.date | None
    """First day of the pupil's current half term (the at-risk stage's clock, see worklist)."""

    @property
    def absence_pct(self) -> float | None:
        return round(100 * self.absent / self.possible, 1) if self.possible else None

    @property
    def escalation(self) -> str | None:
        """The highest of at risk, persistently and severely absent the pupil is at, if any."""
        found = [s for s in ESCALATION if s in self.stages]
        return found[-1] if found else None


def on_roll_at(school: School, on: dt.date) -> list[int]:
    """Pupils on the school's roll on a day."""
    return sorted(set(enrolments_in_period(on, on).filter(school=school)
                      .values_list("pupil_id", flat=True)))


def states_on(on: dt.date, pupil_ids: Iterable[int], *, sensitive: bool = True) -> dict[int, PupilState]:
    """The state of each pupil on `on` from the marks up to that day (all their schools pooled).

    `sensitive`: whether the reader may see SEN, social-work and care details; without them
    the characteristic stages are left out.
    """
    ids = sorted(set(pupil_ids))
    if not ids:
        return {}
    year = slots.academic_year(on)
    enrolments = Enrolment.objects.filter(pupil_id__in=ids)
    loaded = store.load(enrolments, slots.year_start(year - 1), on, look_back=False)
    roll = Roll(enrolments, loaded.unit_ids, year)
    result = detect(loaded.matrix, on, AtRiskRules.national(on),
                    sessions_left=roll.sessions_left(on), school_changed=roll.school_changed(on))
    flagged = result.flagged
    details = {p["pk"]: p for p in Pupil.objects.filter(pk__in=ids).values(
        "pk", "sen", "has_social_worker", "looked_after", "previously_looked_after")}
    out = {}
    for unit, pupil_id in enumerate(loaded.unit_ids.tolist()):
        p = details[pupil_id]
        facts = PupilFacts(
            absent=int(result.absent[unit]), possible=int(result.possible[unit]),
            at_risk=bool(flagged[unit]), sen=sensitive and p["sen"] != SEN.NONE,
            has_social_worker=sensitive and p["has_social_worker"],
            looked_after=sensitive and (p["looked_after"] or p["previously_looked_after"]),
        )
        half_term = result.half_term_start[unit]
        out[pupil_id] = PupilState(
            pupil_id=pupil_id, on=on, absent=facts.absent, possible=facts.possible,
            stages=stages_of(annex_a(), facts),
            drivers=tuple(d.text for d in result.drivers(unit)) if flagged[unit] else (),
            half_term_start=None if np.isnat(half_term) else half_term.astype(dt.date),
        )
    return out
