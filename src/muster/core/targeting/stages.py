"""A pupil's stages in Annex A and what each role is expected to do for them (issue 10 part 1).

The table (policies/national/annex_a_responsibilities.yaml, seed 002 lines 223-271) is read for
one pupil: every pupil is at "all pupils"; then at most one of "at risk", "persistently absent"
and "severely absent", the last two by the DfE bands of absence so far this year (exact, seed 002
lines 110 and 112, reference 3.1) and "at risk" by the at-risk rules (`at_risk`) when neither
band applies; then a stage for each characteristic the pupil has. Cohorts and monitoring are not
stages of one pupil.

The table is cumulative: persistently absent pupils get "Continue support as for pupils at risk
of becoming persistently absent and: ..." (seed 002 line 241) and severely absent pupils
"Continue support as for persistently absent pupils and: ..." (line 246), so their expectations
include the earlier stages' cells.

Muster decisions, where the table gives no figure: "with poor attendance" (line 253) is a pupil
at risk, persistently or severely absent; medical conditions are not held, so that stage is
reached through SEN (SEN support or an EHC plan) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from muster.core.policy.format import Intervention, Policy, StageKind

ESCALATION = ("at_risk", "persistent", "severe")
"""Each stage continues the support of the ones before it (seed 002 lines 241 and 246)."""

@dataclass(frozen=True)
class PupilFacts:
    absent: int
    """Sessions of absence (authorised and unauthorised) this school year so far."""
    possible: int
    at_risk: bool
    """Flagged by the at-risk rules (`at_risk.AtRisk.flagged`)."""
    sen: bool = False
    has_social_worker: bool = False
    looked_after: bool = False
    """Looked after or previously looked after."""


def stages_of(policy: Policy, facts: PupilFacts) -> tuple[str, ...]:
    """The pupil's stages: band or stage ids of the policy, in the table's order."""
    found = [s.id for s in policy.stages if s.kind is StageKind.ALL_PUPILS]
    band = None
    if facts.possible > 0:
        absence = Fraction(100 * facts.absent, facts.possible)
        band = next((b.id for b in policy.bands if b.contains(absence)), None)
    if band in ESCALATION:
        found.append(band)
    elif facts.at_risk:
        found += [s.id for s in policy.stages if s.kind is StageKind.AT_RISK]
    poor_attendance = band in ESCALATION or facts.at_risk
    has = {
        "send_or_medical_condition": facts.sen and poor_attendance,
        "social_worker": facts.has_social_worker,
        "looked_after_or_previously_looked_after": facts.looked_after,
    }
    found += [s.id for s in policy.stages
              if s.kind is StageKind.CHARACTERISTIC and has.get(s.characteristic, False)]
    return tuple(found)


def expectations(policy: Policy, stages: tuple[str, ...]) -> dict[str, list[Intervention]]:
    """Role -> the table's cells for the pupil's stages, the earlier escalation stages' included,
    in the policy's order."""
    reached = set(stages)
    for stage in stages:
        if stage in ESCALATION:
            reached.update(ESCALATION[: ESCALATION.index(stage) + 1])
    out: dict[str, list[Intervention]] = {}
    for cell in policy.interventions:
        if (cell.stage or cell.band) in reached:
            out.setdefault(cell.role, []).append(cell)
    return out
