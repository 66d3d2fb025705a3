"""Escalation: attendance not improved by the follow-up meeting, by the margin the Virtual
School sets, is escalated to the social worker's team manager and the IRO (seed 001 lines 24,
42, 61: "escalate concerns to Social Worker TM and IRO if there are no improvements in
attendance"). Muster proposes it; people decide and record the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from muster.core.care.before_after import BeforeAfter
from muster.core.roles import Role

SOURCE = "seed 001 line 61 (also lines 24, 42)"
ESCALATE_TO = (Role.TEAM_MANAGER, Role.IRO)
ESCALATED_BY = (Role.EDUCATION_ADVISOR, Role.SOCIAL_WORKER)


@dataclass(frozen=True)
class EscalationProposal:
    escalate: bool
    measurable: bool
    reason: str
    source: str = SOURCE


def propose(measured: BeforeAfter, margin_points: Fraction | int | Decimal,
            aim_percent: Fraction | int | Decimal | None = None) -> EscalationProposal:
    """Escalate when attendance since the plan is not at least `margin_points` above before it,
    unless it has reached the plan's aim (a child already at the aim, or at 100%, cannot improve
    and is not escalated: seed 000 line 7, "good school attendance (95% plus)" is the goal).
    Compared exactly (fractions of sessions), never on rounded percentages."""
    margin = Fraction(margin_points)
    change = measured.change_points
    if change is None:
        missing = "before the plan" if measured.before.fraction is None else "since the plan"
        return EscalationProposal(False, False, f"No possible sessions {missing}: improvement cannot be measured.")
    summary = f"before {measured.before}; since {measured.after}; change {float(change):+.1f} points"
    if aim_percent is not None and measured.after.fraction >= Fraction(aim_percent):
        return EscalationProposal(False, True, f"At or above the aim of {aim_percent}%: {summary}.")
    if change >= margin:
        return EscalationProposal(False, True, f"Improved by at least {margin} point(s): {summary}.")
    return EscalationProposal(
        True, True,
        f"Not improved by {margin} point(s) by the follow-up meeting ({summary}): escalate to the social "
        "worker's team manager and the IRO.")
