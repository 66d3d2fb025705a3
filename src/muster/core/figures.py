"""The figures engine: attendance and absence exactly as the DfE defines them.

Formulas: domain reference 3.1. possible = present + AEA + authorised + unauthorised; attendance
rate = (present + AEA) / possible; overall absence = authorised + unauthorised. A pupil (or
enrolment) is persistently absent when overall absence is at least 10% of their own possible
sessions and severely absent at 50% or more, compared in whole numbers (reference 0: `absence *
10 >= possible`), never as rounded percentages. Cohorts pool sessions: numerators and
denominators are summed, percentages are never averaged (reference 3.1, "Aggregation").

One compiled pass reads each school day's two register bytes once; ids are grouped by category
(`codes`), so the table of what each byte adds is built from category ranges. Units with no possible session have no rates and no flags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
from numba import njit, prange

from muster.core import codes
from muster.core.register_matrix import RegisterMatrix
from muster.core.rules.penalty_notice import ThresholdRule, threshold_met

_R = codes.CATEGORY_RANGES
_C = codes.Category
PRESENT_LO, PRESENT_HI = _R[_C.PRESENT]
AEA_LO, AEA_HI = _R[_C.AEA]
AUTH_LO, AUTH_HI = _R[_C.AUTHORISED]
UNAUTH_LO, UNAUTH_HI = _R[_C.UNAUTHORISED]
LATE_ID = codes.code("L").id

COUNT_NAMES = ("present", "late", "aea", "authorised", "unauthorised")


@dataclass(frozen=True)
class Figures:
    """Session counts per unit (pupil or enrolment) over a period, with the flags that follow."""

    present: np.ndarray
    """Present sessions, late (`L`) included (reference 3.1)."""
    late: np.ndarray
    """`L` marks: arrived before the register closed (reference 0, `late` in reports)."""
    aea: np.ndarray
    authorised: np.ndarray
    unauthorised: np.ndarray
    pn_met_slot: np.ndarray
    """Slot of the matrix at which the penalty-notice threshold was first met, or -1."""

    @property
    def possible(self) -> np.ndarray:
        return self.present + self.aea + self.authorised + self.unauthorised

    @property
    def attended(self) -> np.ndarray:
        return self.present + self.aea

    @property
    def overall_absence(self) -> np.ndarray:
        return self.authorised + self.unauthorised

    @property
    def persistent_absence(self) -> np.ndarray:
        """Overall absence >= 10% of possible sessions (reference 3.1, exact method)."""
        possible = self.possible
        return (possible > 0) & (self.overall_absence * 10 >= possible)

    @property
    def severe_absence(self) -> np.ndarray:
        """Overall absence >= 50% of possible sessions (reference 3.1)."""
        possible = self.possible
        return (possible > 0) & (self.overall_absence * 2 >= possible)

    def rate(self, numerator: np.ndarray) -> np.ndarray:
        """Percentages for display (NaN where nothing was possible); never compare these."""
        possible = self.possible.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(possible > 0, numerator * 100.0 / possible, np.nan)

    @property
    def attendance_pct(self) -> np.ndarray:
        return self.rate(self.attended)

    @property
    def overall_absence_pct(self) -> np.ndarray:
        return self.rate(self.overall_absence)

    def __len__(self) -> int:
        return int(self.present.shape[0])


def compute(
    matrix: RegisterMatrix,
    first: dt.date,
    last: dt.date,
    rule: ThresholdRule | None = None,
) -> Figures:
    """Figures for every unit of the matrix over the days first..last inclusive.

    Slots before `first` in the matrix are read only as the penalty-notice window's look-back.
    Only weekdays are read: marks are taken on school days, which are weekdays (formats.md,
    calendar.csv) and `record_marks` refuses any other.
    """
    start, end = matrix.slot_range(first, last)
    per_row = np.zeros((matrix.marks.shape[0], 6), dtype=np.int64)
    days = _weekday_columns(matrix, 0, end // 2)
    split = int(np.searchsorted(days, start // 2))
    day_marks = matrix.marks.view(np.uint16)
    for lo in range(0, len(days), _DAYS_PER_PASS):
        chunk = days[lo : lo + _DAYS_PER_PASS]
        look_back = min(len(chunk), max(0, split - lo))
        packed = _packed_row_counts(day_marks, _PAIR_TABLE, chunk, look_back)
        per_row[:, :5] += _unpack(packed[:, 0])
        per_row[:, 5] += _unpack(packed[:, 0] + packed[:, 1])[:, 4]
    per_unit = _sum_by_unit(per_row, matrix.unit, matrix.n_units)
    met = np.full(matrix.n_units, -1, dtype=np.int64)
    if rule is not None and end > start:
        candidates = per_unit[:, 5] >= rule.sessions
        if candidates.any():
            met = threshold_met(matrix, start, end, rule, candidates)
    return Figures(
        present=per_unit[:, 0],
        late=per_unit[:, 1],
        aea=per_unit[:, 2],
        authorised=per_unit[:, 3],
        unauthorised=per_unit[:, 4],
        pn_met_slot=met,
    )


def _weekday_columns(matrix: RegisterMatrix, first_day: int, end_day: int) -> np.ndarray:
    day_numbers = matrix.first_day_number + np.arange(first_day, end_day)
    return np.flatnonzero(day_numbers % 7 < 5).astype(np.int64) + first_day


# Each byte's contribution as 12-bit counters packed in one 64-bit word: present, late, AEA,
# authorised, unauthorised. A day's two slots are read as one 16-bit value and looked up in a
# 65,536-entry table of pairs, so the engine adds one word per day (performance.md).
_LANE_BITS = 12
_LANE_MASK = (1 << _LANE_BITS) - 1
_DAYS_PER_PASS = _LANE_MASK // 2


def _byte_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint64)
    ids = np.arange(256)
    lanes = [
        (ids >= PRESENT_LO) & (ids < PRESENT_HI),
        ids == LATE_ID,
        (ids >= AEA_LO) & (ids < AEA_HI),
        (ids >= AUTH_LO) & (ids < AUTH_HI),
        (ids >= UNAUTH_LO) & (ids < UNAUTH_HI),
    ]
    for lane, members in enumerate(lanes):
        table += members.astype(np.uint64) << np.uint64(lane * _LANE_BITS)
    return table


_BYTE_TABLE = _byte_table()
_PAIR_TABLE = (_BYTE_TABLE[:, None] + _BYTE_TABLE[None, :]).reshape(-1)
"""Index hi * 256 + lo: a little-endian 16-bit read of (AM, PM) is AM + 256 * PM."""


def _unpack(packed: np.ndarray) -> np.ndarray:
    shifts = np.arange(5, dtype=np.uint64) * np.uint64(_LANE_BITS)
    return ((packed[:, None] >> shifts) & np.uint64(_LANE_MASK)).astype(np.int64)


@njit(parallel=True, cache=True, nogil=True)
def _packed_row_counts(day_marks, table, days, split):  # pragma: no cover - compiled
    """Per row, packed counts over days[split:] (the period) and days[:split] (look-back)."""
    n = day_marks.shape[0]
    out = np.zeros((n, 2), np.uint64)
    for i in prange(n):
        row = day_marks[i]
        a = np.uint64(0)
        b = np.uint64(0)
        k = split
        while k + 1 < len(days):
            a += table[row[days[k]]]
            b += table[row[days[k + 1]]]
            k += 2
        if k < len(days):
            a += table[row[days[k]]]
        before = np.uint64(0)
        for k in range(split):
            before += table[row[days[k]]]
        out[i, 0] = a + b
        out[i, 1] = before
    return out


@njit(cache=True, nogil=True)
def _sum_by_unit(per_row, unit, n_units):  # pragma: no cover - compiled
    out = np.zeros((n_units, per_row.shape[1]), np.int64)
    for i in range(per_row.shape[0]):
        for k in range(per_row.shape[1]):
            out[unit[i], k] += per_row[i, k]
    return out


def code_counts(matrix: RegisterMatrix, first: dt.date, last: dt.date) -> np.ndarray:
    """Sessions per unit per code id: (n_units, 256), for reasons and distributions (3.1)."""
    start, end = matrix.slot_range(first, last)
    return _code_counts(matrix.marks, matrix.unit, matrix.n_units, start, end)


@njit(cache=True, nogil=True)
def _code_counts(marks, unit, n_units, start, end):  # pragma: no cover - compiled
    out = np.zeros((n_units, 256), np.int64)
    for i in range(marks.shape[0]):
        u = unit[i]
        for j in range(start, end):
            out[u, marks[i, j]] += 1
    return out


@dataclass(frozen=True)
class CohortFigures:
    """Pooled figures for groups of units (reference 3.1: sum numerators and denominators)."""

    units: np.ndarray
    present: np.ndarray
    late: np.ndarray
    aea: np.ndarray
    authorised: np.ndarray
    unauthorised: np.ndarray
    persistent: np.ndarray
    """Units persistently absent (counted per unit on its own possible sessions)."""
    severe: np.ndarray
    with_possible: np.ndarray
    """Units with at least one possible session: the denominator of PA and SA rates (3.2)."""

    @property
    def possible(self) -> np.ndarray:
        return self.present + self.aea + self.authorised + self.unauthorised


def pool(figures: Figures, group: np.ndarray, n_groups: int) -> CohortFigures:
    """Sum units' figures into groups: `group[u]` is the group of unit u (or -1 for none)."""
    keep = group >= 0
    g = group[keep]

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=values[keep], minlength=n_groups).astype(np.int64)

    has_possible = figures.possible > 0
    return CohortFigures(
        units=np.bincount(g, minlength=n_groups).astype(np.int64),
        present=total(figures.present),
        late=total(figures.late),
        aea=total(figures.aea),
        authorised=total(figures.authorised),
        unauthorised=total(figures.unauthorised),
        persistent=total(figures.persistent_absence.astype(np.int64)),
        severe=total(figures.severe_absence.astype(np.int64)),
        with_possible=total(has_possible.astype(np.int64)),
    )


def concatenate(parts: list[Figures]) -> Figures:
    return Figures(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Figures)}
    )
