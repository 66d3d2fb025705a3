"""The national penalty-notice threshold: 10 unauthorised sessions in any rolling 10 school weeks.

Sources: seed 002 "Penalty Notices"; domain reference 0 ("School week", "Threshold met"), 4.2.
The number, the period and the codes are dated parameters in
`policies/national/penalty_notice/`; a local code of conduct may add `N` (reference 10.1).

A school week is a Monday-to-Sunday week in which the pupil has at least one session at a school
where they are registered that was open: any mark but `#`, `Z` or none. Holidays and weeks off
roll are not school weeks, so they neither break nor extend the window. The threshold is met on
the first threshold-coded session that brings the count in its own school week and the 9 school
weeks before it to 10. The window follows the pupil across terms, years and schools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from muster.core import codes
from muster.core.parameters import national
from muster.core.register_matrix import RegisterMatrix

SCHOOL_WEEK_CODES_END = codes.CATEGORY_RANGES[codes.Category.ADMINISTRATIVE][0]
"""A slot marks a school week when 1 <= id < this: any mark but none, `Z` and `#`."""

LOOKBACK_DAYS = 26 * 7
"""How far before a period the window may reach. Ten school weeks span at most about 26
calendar weeks in practice (a summer holiday, two half terms and some weeks off roll)."""


@dataclass(frozen=True)
class ThresholdRule:
    sessions: int
    school_weeks: int
    codes: frozenset[str]
    reference: str

    def __post_init__(self) -> None:
        for symbol in self.codes:
            if codes.code(symbol).category is not codes.Category.UNAUTHORISED:
                raise ValueError(f"threshold code {symbol} is not an unauthorised-absence code")
        if self.sessions < 1 or self.school_weeks < 1:
            raise ValueError("the threshold needs at least one session and one school week")

    @classmethod
    def national(cls, on: dt.date) -> ThresholdRule:
        """The national rule in force on a day (domain reference 0, 4.2)."""
        sessions = national("penalty_notice", "unauthorised_sessions").entry_on(on)
        weeks = national("penalty_notice", "school_weeks").entry_on(on)
        threshold_codes = national("penalty_notice", "codes").entry_on(on)
        if sessions is None or weeks is None or threshold_codes is None:
            raise ValueError(f"no national penalty-notice threshold was in force on {on}")
        return cls(
            sessions=int(sessions.value),
            school_weeks=int(weeks.value),
            codes=frozenset(threshold_codes.value),
            reference=sessions.reference,
        )

    @property
    def code_table(self) -> np.ndarray:
        return codes.id_table(self.codes)


def threshold_met(
    matrix: RegisterMatrix, start: int, end: int, rule: ThresholdRule, candidates: np.ndarray
) -> np.ndarray:
    """For each unit, the first slot in [start, end) at which the threshold is met, else -1.

    Only `candidates` (units with at least `rule.sessions` unauthorised sessions from the start of
    the matrix to `end`) are examined: no other unit can meet it (performance.md).
    """
    order = np.argsort(matrix.unit, kind="stable")
    bounds = np.searchsorted(matrix.unit[order], np.arange(matrix.n_units + 1))
    day_numbers = matrix.first_day_number + np.arange(matrix.n_slots // 2)
    week_of_day = day_numbers // 7 - matrix.first_day_number // 7
    weekdays = np.flatnonzero(day_numbers[: (end + 1) // 2] % 7 < 5)
    return _first_met(
        matrix.marks,
        order,
        bounds,
        np.flatnonzero(candidates),
        matrix.n_units,
        week_of_day,
        weekdays,
        start,
        end,
        rule.code_table,
        rule.sessions,
        rule.school_weeks,
        SCHOOL_WEEK_CODES_END,
    )


@njit(parallel=True, cache=True, nogil=True)
def _first_met(
    marks, order, bounds, candidates, n_units, week_of_day, days, start, end, is_code, need,
    weeks, week_end,
):  # pragma: no cover - compiled; covered through threshold_met
    met = np.full(n_units, -1, np.int64)
    n_weeks = week_of_day[-1] + 1
    for c in prange(len(candidates)):
        u = candidates[c]
        rows = order[bounds[u] : bounds[u + 1]]
        ordinal = np.zeros(n_weeks, np.int64)
        slots = np.empty(2 * len(days) * len(rows), np.int64)
        found = 0
        for d in days:
            for half in range(2):
                j = 2 * d + half
                if j >= end:
                    break
                for r in rows:
                    b = marks[r, j]
                    if b != 0 and b < week_end:
                        ordinal[week_of_day[d]] = 1
                    if is_code[b]:
                        slots[found] = j
                        found += 1
        if found < need:
            continue
        running = 0
        for w in range(n_weeks):
            running += ordinal[w]
            ordinal[w] = running
        for k in range(need - 1, found):
            j = slots[k]
            if j >= start:
                here = ordinal[week_of_day[j // 2]]
                if here - ordinal[week_of_day[slots[k - need + 1] // 2]] < weeks:
                    met[u] = j
                    break
    return met


@dataclass(frozen=True)
class ThresholdSession:
    day: dt.date
    session: str
    code: str
    row: int


def evidence(
    matrix: RegisterMatrix, unit: int, met_slot: int, rule: ThresholdRule
) -> list[ThresholdSession]:
    """The threshold-coded sessions in the window that met the threshold, in time order.

    The window is the met session's school week and the `school_weeks - 1` school weeks before
    it; the list is what an evidence pack shows (seed 002: "the sessions, their codes and dates").
    """
    rows = np.flatnonzero(matrix.unit == unit)
    block = matrix.marks[rows, : met_slot + 1]
    day0 = matrix.first_day_number
    weeks = (day0 + np.arange(block.shape[1]) // 2) // 7
    in_school_week = ((block != 0) & (block < SCHOOL_WEEK_CODES_END)).any(axis=0)
    school_weeks = np.unique(weeks[in_school_week])
    window = school_weeks[-rule.school_weeks :]
    table = rule.code_table
    found = []
    for j in range(block.shape[1]):
        if weeks[j] < window[0]:
            continue
        for r_index, r in enumerate(rows):
            code_id = int(block[r_index, j])
            if table[code_id]:
                found.append(
                    ThresholdSession(
                        matrix.day_of_slot(j),
                        matrix.session_of_slot(j).value,
                        codes.BY_ID[code_id].symbol,
                        int(r),
                    )
                )
    return found
