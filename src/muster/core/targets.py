"""How many more sessions a pupil must attend to reach an attendance target by a date.

If a pupil has attended `a` of `p` possible sessions and `r` sessions remain, attending `x` of
them gives (a + x) / (p + r). The least x with (a + x) / (p + r) >= t is
ceil(t (p + r) - a), computed in whole numbers with t as a fraction, so 90% and 95% are exact
(reference 0, "Threshold comparisons").

>>> sessions_needed(np.array([300]), np.array([340]), np.array([60]), Fraction(9, 10)).tolist()
[60]
>>> sessions_needed(np.array([300]), np.array([340]), np.array([60]), Fraction(19, 20)).tolist()
[-1]
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

UNREACHABLE = -1


def sessions_needed(
    attended: np.ndarray, possible: np.ndarray, remaining: np.ndarray, target: Fraction
) -> np.ndarray:
    """Sessions still to attend to reach `target`; 0 if already safe, -1 if out of reach."""
    num, den = target.numerator, target.denominator
    total = possible + remaining
    shortfall = num * total - den * attended
    needed = np.maximum(0, -(-shortfall // den))
    return np.where(needed > remaining, UNREACHABLE, needed)
