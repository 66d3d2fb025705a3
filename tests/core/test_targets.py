"""Sessions still to attend to reach 90% and 95% by the end of the year (issue "Register core")."""

from fractions import Fraction

import numpy as np
import pytest

from muster.core.targets import UNREACHABLE, sessions_needed

NINETY, NINETY_FIVE = Fraction(9, 10), Fraction(19, 20)


@pytest.mark.parametrize(
    "attended,possible,remaining,target,needed",
    [
        (90, 100, 0, NINETY, 0),          # exactly 90% already: nothing more needed
        (89, 100, 0, NINETY, UNREACHABLE),
        (89, 100, 10, NINETY, 10),        # (89 + 10) / 110 = 90% exactly
        (95, 100, 100, NINETY_FIVE, 95),  # 190 / 200 = 95% exactly
        (95, 100, 100, NINETY, 85),       # 180 / 200 = 90%
        (0, 0, 380, NINETY_FIVE, 361),    # a new pupil: 361 of 380
        (300, 340, 40, NINETY_FIVE, UNREACHABLE),
    ],
)
def test_sessions_needed_with_exact_edges(attended, possible, remaining, target, needed):
    result = sessions_needed(np.array([attended]), np.array([possible]), np.array([remaining]), target)
    assert result.tolist() == [needed]
