"""What a penalty-notice case records and allows, beyond the threshold itself.

Sources: domain reference 0 ("School week", "Threshold met"), 4.1 ("support first"), 4.3
(notice to improve: an improvement period of 3 to 6 weeks, a dated parameter in
`policies/national/penalty_notice/improvement_period_weeks.yaml`); seed 002 lines 187-191
(the evidence is the sessions, their codes and dates in the 10 school weeks, which may span
terms, years and settings).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from muster.core.parameters import national
from muster.core.register_matrix import RegisterMatrix
from muster.core.rules.penalty_notice import SCHOOL_WEEK_CODES_END, ThresholdRule
from muster.core.slots import EPOCH_MONDAY

STAGES = ("opened", "support_offered", "attendance_contract", "notice_to_improve", "decided")
"""The "support first" path in order (reference 4.1, 4.3; issue 4). A stage may be skipped
(reference 4.3: a notice to improve is not needed where support is not appropriate, e.g. a
term-time holiday) but never gone back to."""


def window_weeks(matrix: RegisterMatrix, unit: int, met_slot: int, rule: ThresholdRule) -> list[dt.date]:
    """The Mondays of the school weeks in the window that met the threshold: the met session's
    school week and the `school_weeks - 1` school weeks before it, at any of the unit's schools."""
    rows = np.flatnonzero(matrix.unit == unit)
    block = matrix.marks[rows, : met_slot + 1]
    weeks = (matrix.first_day_number + np.arange(block.shape[1]) // 2) // 7
    in_school_week = ((block != 0) & (block < SCHOOL_WEEK_CODES_END)).any(axis=0)
    school_weeks = np.unique(weeks[in_school_week])[-rule.school_weeks :]
    return [EPOCH_MONDAY + dt.timedelta(weeks=int(w)) for w in school_weeks]


def improvement_period_limits(on: dt.date) -> tuple[int, int]:
    shortest, longest = national("penalty_notice", "improvement_period_weeks").value_on(on)
    return int(shortest), int(longest)


def check_improvement_period(weeks: int, on: dt.date) -> None:
    shortest, longest = improvement_period_limits(on)
    if not shortest <= weeks <= longest:
        raise ValueError(
            f"an improvement period must be {shortest} to {longest} weeks (reference 4.3), not {weeks}"
        )


def check_next_stage(current: str, wanted: str) -> None:
    """Stages go forward along the path, possibly skipping some; never back or repeated."""
    if wanted not in STAGES:
        raise ValueError(f"{wanted!r} is not a stage of a penalty-notice case: {', '.join(STAGES)}")
    if STAGES.index(wanted) <= STAGES.index(current):
        raise ValueError(f"a case at stage {current!r} cannot go to {wanted!r}")
