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
import functools
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
    calendar.csv), and the imports and `load_register_years` refuse any other.
    """
    start, end = matrix.slot_range(first, last)
    n_rows = matrix.marks.shape[0]
    per_row = np.zeros((n_rows, len(_LANES)), dtype=np.int64)
    days = _weekday_columns(matrix, end // 2)
    split = int(np.searchsorted(days, start // 2))
    table = _pair_table(rule.codes if rule is not None else frozenset())
    day_marks = matrix.marks.view(np.uint16)
    for lo in range(0, len(days), _DAYS_PER_PASS):
        chunk = days[lo : lo + _DAYS_PER_PASS]
        look_back = min(len(chunk), max(0, split - lo))
        _count_rows(day_marks, table, chunk[look_back:], chunk[:look_back], per_row)
    one_row_each = _one_row_per_unit(matrix)
    per_unit = per_row if one_row_each else _sum_by_unit(per_row, matrix.unit, matrix.n_units)
    met = np.full(matrix.n_units, -1, dtype=np.int64)
    if rule is not None and end > start:
        candidates = per_unit[:, _THRESHOLD] >= rule.sessions
        if candidates.any():
            met = threshold_met(matrix, start, end, rule, candidates, one_row_each)
    return Figures(
        present=per_unit[:, 0],
        late=per_unit[:, 1],
        aea=per_unit[:, 2],
        authorised=per_unit[:, 3],
        unauthorised=per_unit[:, 4],
        pn_met_slot=met,
    )


def _one_row_per_unit(matrix: RegisterMatrix) -> bool:
    n = matrix.marks.shape[0]
    return matrix.n_units == n and bool((matrix.unit == np.arange(n)).all())


def _weekday_columns(matrix: RegisterMatrix, end_day: int) -> np.ndarray:
    # Unsigned indices spare the compiled loops numba's negative-index handling.
    day_numbers = matrix.first_day_number + np.arange(end_day)
    return np.flatnonzero(day_numbers % 7 < 5).astype(np.uint64)


# What each byte adds, as 10-bit counters packed in one 64-bit word: present, late, AEA,
# authorised, unauthorised, and the penalty-notice threshold codes. A day's two slots are read
# as one 16-bit value and looked up in a 65,536-entry table of pairs, so the engine adds one word
# per school day (performance.md). A pass covers at most 511 days, so no counter overflows.
_LANES = ("present", "late", "aea", "authorised", "unauthorised", "threshold")
_THRESHOLD = _LANES.index("threshold")
_LANE_BITS = 10
_LANE_MASK = (1 << _LANE_BITS) - 1
_DAYS_PER_PASS = _LANE_MASK // 2


@functools.cache
def _pair_table(threshold_codes: frozenset[str]) -> np.ndarray:
    ids = np.arange(256)
    lanes = [
        (ids >= PRESENT_LO) & (ids < PRESENT_HI),
        ids == LATE_ID,
        (ids >= AEA_LO) & (ids < AEA_HI),
        (ids >= AUTH_LO) & (ids < AUTH_HI),
        (ids >= UNAUTH_LO) & (ids < UNAUTH_HI),
        codes.id_table(threshold_codes),
    ]
    byte_table = np.zeros(256, dtype=np.uint64)
    for lane, members in enumerate(lanes):
        byte_table += members.astype(np.uint64) << np.uint64(lane * _LANE_BITS)
    # Index PM * 256 + AM: a little-endian 16-bit read of the (AM, PM) pair.
    return (byte_table[:, None] + byte_table[None, :]).reshape(-1)


@njit(parallel=True, cache=True, nogil=True)
def _count_rows(day_marks, table, period, look_back, out):  # pragma: no cover - compiled
    """Add to `out` each row's lanes over the `period` days, and its threshold codes over the
    `look_back` days too (the penalty-notice window may reach back before the period)."""
    mask = np.uint64(_LANE_MASK)
    for i in prange(day_marks.shape[0]):
        row = day_marks[i]
        a = np.uint64(0)
        b = np.uint64(0)
        k = 0
        while k + 1 < len(period):
            a += table[row[period[k]]]
            b += table[row[period[k + 1]]]
            k += 2
        if k < len(period):
            a += table[row[period[k]]]
        before = np.uint64(0)
        for k in range(len(look_back)):
            before += table[row[look_back[k]]]
        total = a + b
        for lane in range(5):
            out[i, lane] += np.int64((total >> np.uint64(lane * _LANE_BITS)) & mask)
        shift = np.uint64(_THRESHOLD * _LANE_BITS)
        out[i, 5] += np.int64(((total >> shift) & mask) + ((before >> shift) & mask))


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
