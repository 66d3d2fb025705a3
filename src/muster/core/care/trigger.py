"""When a child in care needs an attendance improvement plan or PEP attendance targets (seed 000
line 20: "Add attendance targets to the PEP if school attendance falls below 95%. Complete an
attendance improvement plan, as part of the PEP, if school attendance falls below 90%"). The
thresholds are the Virtual School's dated parameter `plan_threshold_percent`; compared on whole
sessions, never on rounded percentages (domain reference 0)."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction


class Need(StrEnum):
    PLAN = "attendance improvement plan"
    TARGETS = "attendance targets in the PEP"
    NONE = ""


def need(attended: int, possible: int, plan_below: int | Fraction, targets_below: int | Fraction) -> Need:
    """What the PEP needs for attendance `attended`/`possible` (nothing when nothing was possible)."""
    if possible <= 0:
        return Need.NONE
    rate = Fraction(attended * 100, possible)
    if rate < Fraction(plan_below):
        return Need.PLAN
    if rate < Fraction(targets_below):
        return Need.TARGETS
    return Need.NONE
