"""Why a pupil is in a band: every policy that covers them on a day, evaluated from their
registers by the same engine as the daily run, and the history of their bands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from muster.casework.evaluation import CHARACTERISTICS, adopted
from muster.casework.models import BandSpell
from muster.core import figures
from muster.core.policy.evaluate import (
    Evaluation,
    applies_on,
    evaluate,
    period,
    school_week_mondays,
    year_to_date,
)
from muster.core.policy.format import CoverageKind, Policy
from muster.core.policy.loader import load_all
from muster.people.models import Organisation
from muster.registers import store
from muster.registers.models import Pupil


@dataclass(frozen=True)
class Explained:
    policy: Policy
    adopter: Organisation | None
    evaluation: Evaluation


def covers(policy: Policy, adopter: Organisation | None, pupil: Pupil, on: dt.date) -> bool:
    """The daily run's coverage (evaluation._Year._covered) for one pupil; a test holds the two
    to the same answers on the demo."""
    on_roll = pupil.enrolments.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on)
    kind = policy.coverage.kind
    if kind is CoverageKind.ALL_PUPILS:
        return on_roll.exists()
    if kind is CoverageKind.CHARACTERISTIC:
        value = getattr(pupil, CHARACTERISTICS.get(policy.coverage.characteristic, ""), None)
        if not value or value == "N":
            return False
        if adopter is not None and adopter.school_id:
            return on_roll.filter(school_id=adopter.school_id).exists()
        if adopter is not None:
            return on_roll.filter(school__local_authority_id=adopter.local_authority_id).exists()
        return on_roll.exists()
    if adopter is None:
        return False
    if kind is CoverageKind.SCHOOL_ROLL:
        return on_roll.filter(school_id=adopter.school_id).exists()
    if kind is CoverageKind.LA_SCHOOLS:
        return on_roll.filter(school__local_authority_id=adopter.local_authority_id).exists()
    if kind is CoverageKind.LA_CHILDREN_IN_CARE:
        return (pupil.looked_after and adopter.local_authority is not None
                and pupil.care_authority == adopter.local_authority.code and on_roll.exists())
    return False


def explain(pupil: Pupil, on: dt.date, *, policy_id: str | None = None) -> list[Explained]:
    """Each percentage policy covering the pupil on the day, with its evaluation."""
    policies = [p for p in load_all() if p.measure.quantity.is_percent and (policy_id is None or p.id == policy_id)]
    reach = min([year_to_date(on)[0], on - dt.timedelta(weeks=52)])
    loaded = store.load(pupil.enrolments.all(), reach, on, look_back=False)
    weeks = school_week_mondays(loaded.matrix)
    result = []
    for policy, adopter, starts, ends in adopted(policies, on, on):
        if not (applies_on(policy, on) and starts <= on and (ends is None or on <= ends)):
            continue
        if not covers(policy, adopter, pupil, on):
            continue
        first = period(policy, on, weeks)[0]
        counts = figures.compute(loaded.matrix, first, on)
        evaluation = evaluate(policy, on, first, attended=_one(counts.attended),
                              possible=_one(counts.possible), authorised=_one(counts.authorised),
                              unauthorised=_one(counts.unauthorised))
        result.append(Explained(policy, adopter, evaluation))
    return result


def _one(values) -> int:
    return int(values[0]) if len(values) else 0


def band_history(pupil: Pupil, policy_id: str | None = None) -> QuerySet[BandSpell]:
    spells = pupil.band_spells.select_related("organisation").order_by("policy_id", "starts")
    return spells.filter(policy_id=policy_id) if policy_id else spells
