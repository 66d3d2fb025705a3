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
import functools
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
    matrix: RegisterMatrix,
    start: int,
    end: int,
    rule: ThresholdRule,
    candidates: np.ndarray,
    one_row_each: bool = False,
) -> np.ndarray:
    """For each unit, the first slot in [start, end) at which the threshold is met, else -1.

    Only `candidates` (units with at least `rule.sessions` threshold-coded sessions from the
    start of the matrix to `end`) are examined: no other unit can meet it (performance.md).
    `one_row_each` says each unit is the matrix row of the same number, the common case.
    Like the counts, only weekdays are read, a day's two slots at once.
    """
    day_numbers = matrix.first_day_number + np.arange((end + 1) // 2)
    week_of_day = (day_numbers // 7 - matrix.first_day_number // 7).astype(np.int64)
    weekdays = np.flatnonzero(day_numbers % 7 < 5).astype(np.uint64)
    kinds = _day_kinds(rule.codes)
    units = np.flatnonzero(candidates).astype(np.uint64)
    day_marks = matrix.marks.view(np.uint16)
    if one_row_each:
        return _first_met_one_row(
            day_marks, units, matrix.n_units, week_of_day, weekdays, start, end, kinds,
            rule.sessions, rule.school_weeks,
        )
    order = np.argsort(matrix.unit, kind="stable").astype(np.uint64)
    bounds = np.searchsorted(matrix.unit[order.astype(np.int64)], np.arange(matrix.n_units + 1))
    return _first_met_rows(
        day_marks, order, bounds.astype(np.uint64), units, matrix.n_units, week_of_day,
        weekdays, start, end, kinds, rule.sessions, rule.school_weeks,
    )


_SCHOOL_DAY = 1
_AM_CODE = 2
_PM_CODE = 4


@functools.cache
def _day_kinds(threshold_codes: frozenset[str]) -> np.ndarray:
    """For each (AM, PM) pair read as PM * 256 + AM: bit 1 if either slot makes a school week,
    bit 2 if the AM mark is a threshold code, bit 4 if the PM mark is."""
    school = np.zeros(256, dtype=np.uint8)
    school[1:SCHOOL_WEEK_CODES_END] = 1
    threshold = codes.id_table(threshold_codes).astype(np.uint8)
    pair = np.arange(65536)
    am, pm = pair & 255, pair >> 8
    kinds = (
        (school[am] | school[pm]) * _SCHOOL_DAY + threshold[am] * _AM_CODE + threshold[pm] * _PM_CODE
    )
    return kinds.astype(np.uint8)


# Both kernels walk a unit's school days in time order once: the school-week ordinal goes up at
# the first marked day of each new school week, a ring holds the ordinals of the last `need`
# threshold-coded sessions, and the threshold is met when the oldest of them lies fewer than
# `weeks` school weeks back (reference 0, "Threshold met").


@njit(parallel=True, cache=True, nogil=True)
def _first_met_one_row(
    day_marks, units, n_units, week_of_day, days, start, end, kinds, need, weeks
):  # pragma: no cover - compiled; covered through threshold_met
    met = np.full(n_units, -1, np.int64)
    for c in prange(len(units)):
        u = units[c]
        row = day_marks[u]
        ring = np.empty(need, np.int64)
        found = 0
        ordinal = 0
        last_week = -1
        for x in range(len(days)):
            d = days[x]
            k = kinds[row[d]]
            if k == 0:
                continue
            if week_of_day[d] != last_week:
                last_week = week_of_day[d]
                ordinal += 1
            for half in range(2):
                j = 2 * np.int64(d) + half
                if k & (_AM_CODE << half) and j < end:
                    if found >= need - 1 and j >= start and ordinal - ring[(found + 1) % need] < weeks:
                        met[u] = j
                        break
                    ring[found % need] = ordinal
                    found += 1
            if met[u] >= 0:
                break
    return met


@njit(parallel=True, cache=True, nogil=True)
def _first_met_rows(
    day_marks, order, bounds, units, n_units, week_of_day, days, start, end, kinds, need, weeks
):  # pragma: no cover - compiled; covered through threshold_met
    met = np.full(n_units, -1, np.int64)
    for c in prange(len(units)):
        u = units[c]
        rows = order[bounds[u] : bounds[u + 1]]
        ring = np.empty(need, np.int64)
        found = 0
        ordinal = 0
        last_week = -1
        for x in range(len(days)):
            d = days[x]
            day_kind = 0
            for y in range(len(rows)):
                day_kind |= kinds[day_marks[rows[y], d]]
            if day_kind == 0:
                continue
            if week_of_day[d] != last_week:
                last_week = week_of_day[d]
                ordinal += 1
            for half in range(2):
                j = 2 * np.int64(d) + half
                if j >= end:
                    break
                for y in range(len(rows)):
                    if kinds[day_marks[rows[y], d]] & (_AM_CODE << half):
                        if found >= need - 1 and j >= start and ordinal - ring[(found + 1) % need] < weeks:
                            met[u] = j
                            break
                        ring[found % need] = ordinal
                        found += 1
                if met[u] >= 0:
                    break
            if met[u] >= 0:
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
