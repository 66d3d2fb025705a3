"""Which band of a policy a pupil's figures fall in, and why, in words a person can check.

The measure is computed as an exact fraction from whole session counts and compared with the
band edges as fractions (reference 0, "Threshold comparisons"), so 90% and 95% are exact. The
explanation is built from the same numbers that placed the pupil, so it cannot disagree.

>>> from muster.core.policy.loader import load_all
>>> seed_001 = next(p for p in load_all() if p.id == "vs-attendance-processes-matrix")
>>> place(seed_001, attended=312, possible=357).explanation.split(" (")[0]
'87.39% attendance, 312 of 357 possible sessions: band Persistent absence'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from muster.core.policy.format import Band, Policy, Quantity


@dataclass(frozen=True)
class Placement:
    band: Band | None
    value: Fraction | None
    """The measure: a percentage as an exact fraction, or None when it cannot be taken."""
    explanation: str


def place(policy: Policy, *, attended: int, possible: int) -> Placement:
    """The band for a pupil who attended `attended` of `possible` sessions (present + AEA)."""
    quantity = policy.measure.quantity
    if not quantity.is_percent:
        return Placement(None, None, f"{policy.title} is measured in {quantity.value.replace('_', ' ')}: "
                         "see the penalty-notice date")
    if possible <= 0:
        return Placement(None, None, "no possible sessions in the period: no band")
    if quantity is Quantity.ATTENDANCE_PERCENT:
        value, noun = Fraction(100 * attended, possible), "attendance"
        counts = f"{attended} of {possible} possible sessions"
    else:
        absent = possible - attended
        value, noun = Fraction(100 * absent, possible), "absence"
        counts = f"{absent} of {possible} possible sessions missed"
    figure = f"{float(value):.2f}% {noun}, {counts}"
    band = next((b for b in policy.bands if b.contains(value)), None)
    if band is None:
        return Placement(None, value, f"{figure}: in no band of {policy.title} (the policy defines "
                         f"none for this figure; `muster policy check` lists its gaps)")
    return Placement(band, value, f"{figure}: band {band.label} ({policy.title}, {band.source})")
