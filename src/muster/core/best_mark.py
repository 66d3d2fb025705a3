"""Two marks for one session: which is kept.

Reference 0 ("Two marks for one session from different sources"): keep the best, present >
approved activity > authorised > unauthorised > not possible, and record the other in the
mark's history (a vendor rule, reference 2.3 [ARBOR]). Imports refuse a different mark unless
told which rule to follow (formats.md).

>>> from muster.core.codes import code
>>> better(code("I"), code("N")).symbol, better(code("O"), code("/")).symbol
('I', '/')
"""

from __future__ import annotations

from enum import StrEnum

from muster.core.codes import Category, Code

BEST_FIRST = (
    Category.PRESENT,
    Category.AEA,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_POSSIBLE,
    Category.ADMINISTRATIVE,
)


class OnConflict(StrEnum):
    REJECT = "reject"
    """A different mark for a session that has one is an error (formats.md)."""
    BEST = "best"
    """Keep the better of the two; the other goes into the mark's history."""
    REPLACE = "replace"
    """The new mark replaces the old one, which stays in the mark's history."""


def rank(mark: Code) -> int:
    """Lower is better."""
    return BEST_FIRST.index(mark.category)


def better(offered: Code, held: Code) -> Code:
    """The mark to keep; on a tie (same category) the one already held stays."""
    return offered if rank(offered) < rank(held) else held


def takes_offer(offered: Code, held: Code, rule: OnConflict) -> bool:
    """Whether an offered mark replaces the one held under `rule` (never for REJECT)."""
    if offered is held:
        return True
    if rule is OnConflict.REPLACE:
        return True
    if rule is OnConflict.BEST:
        return better(offered, held) is offered
    return False
