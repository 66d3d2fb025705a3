"""Weekly attendance as a process-behaviour (XmR) chart: signal told apart from noise.

Issue 10 part 6: "weekly attendance for a pupil, cohort and school as a process-behaviour (XmR)
chart with its limits and the usual signal rules (a point outside the limits, a run of 8 on one
side)". The chart (Wheeler, *Understanding Variation*; the XmR constants are properties of the
method, not policy):

- the centre line is the mean of the baseline values (all of them unless a baseline is given);
- a moving range is the absolute difference between one week's value and the week before's;
- the natural process limits are mean +/- 2.66 x the average moving range;
- the upper range limit (for the moving ranges) is 3.268 x the average moving range.

Signals: a value outside the natural process limits; a run of 8 or more successive values on
the same side of the centre line (a value exactly on it ends a run). Limits fixed from a
baseline let later weeks be judged against the earlier ones.

A week's value is attendance pooled over the units in it, reference 3.1: attended sessions over
possible sessions summed across pupils, never an average of percentages. Weeks with no possible
session (holidays) are not points of the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from muster.core.register_matrix import RegisterMatrix
from muster.core.slots import EPOCH_MONDAY
from muster.core.targeting.at_risk import ATTENDED, NOT_POSSIBLE, unit_status

LIMIT_FACTOR = 2.66
"""Natural process limits: mean +/- 2.66 x average moving range (3 / d2, d2 = 1.128)."""
RANGE_FACTOR = 3.268
"""Upper range limit: 3.268 x average moving range (D4 for ranges of two)."""
RUN_LENGTH = 8
"""Successive values on one side of the centre line that make a signal."""


class SignalKind(StrEnum):
    ABOVE_LIMIT = "above_upper_limit"
    BELOW_LIMIT = "below_lower_limit"
    RUN_ABOVE = "run_above_centre"
    RUN_BELOW = "run_below_centre"


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    first: int
    """Index of the first value of the signal (the value itself, or the run's first)."""
    last: int

    def describe(self, labels: tuple[str, ...]) -> str:
        if self.kind in (SignalKind.ABOVE_LIMIT, SignalKind.BELOW_LIMIT):
            side = "above the upper" if self.kind is SignalKind.ABOVE_LIMIT else "below the lower"
            return f"{labels[self.first]}: {side} natural process limit"
        side = "above" if self.kind is SignalKind.RUN_ABOVE else "below"
        return (f"{labels[self.first]} to {labels[self.last]}: {self.last - self.first + 1} "
                f"values in a row {side} the centre line")


@dataclass(frozen=True)
class XmRChart:
    labels: tuple[str, ...]
    values: np.ndarray
    baseline: int
    """How many of the first values set the centre line and limits."""
    mean: float
    moving_ranges: np.ndarray
    """len(values) - 1 values: |x[i] - x[i-1]|."""
    average_moving_range: float
    lower_limit: float
    upper_limit: float
    upper_range_limit: float
    signals: tuple[Signal, ...]

    def descriptions(self) -> list[str]:
        return [s.describe(self.labels) for s in self.signals]


def chart(values, labels=None, baseline: int | None = None) -> XmRChart:
    """The XmR chart of a series; the limits from its first `baseline` values (all by default)."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2 or not np.isfinite(values).all():
        raise ValueError("an XmR chart needs two or more finite values")
    labels = tuple(str(x) for x in (labels if labels is not None else range(1, len(values) + 1)))
    if len(labels) != len(values):
        raise ValueError("one label per value is needed")
    baseline = len(values) if baseline is None else baseline
    if not 2 <= baseline <= len(values):
        raise ValueError(f"the baseline must be 2 to {len(values)} values, not {baseline}")
    base = values[:baseline]
    mean = float(base.mean())
    average_range = float(np.abs(np.diff(base)).mean())
    lower, upper = mean - LIMIT_FACTOR * average_range, mean + LIMIT_FACTOR * average_range
    signals = [Signal(SignalKind.ABOVE_LIMIT if v > upper else SignalKind.BELOW_LIMIT, i, i)
               for i, v in enumerate(values) if v > upper or v < lower]
    signals += _runs(np.sign(values - mean))
    signals.sort(key=lambda s: (s.first, s.kind.value))
    return XmRChart(
        labels=labels, values=values, baseline=baseline, mean=mean,
        moving_ranges=np.abs(np.diff(values)), average_moving_range=average_range,
        lower_limit=lower, upper_limit=upper, upper_range_limit=RANGE_FACTOR * average_range,
        signals=tuple(signals),
    )


def _runs(sides: np.ndarray) -> list[Signal]:
    """Runs of RUN_LENGTH or more values strictly on one side (sides: +1 above, -1 below)."""
    out = []
    start = 0
    for i in range(1, len(sides) + 1):
        if i == len(sides) or sides[i] != sides[start] or sides[i] == 0:
            if sides[start] != 0 and i - start >= RUN_LENGTH:
                kind = SignalKind.RUN_ABOVE if sides[start] > 0 else SignalKind.RUN_BELOW
                out.append(Signal(kind, start, i - 1))
            start = i
    return out


@dataclass(frozen=True)
class WeeklyAttendance:
    weeks: tuple[dt.date, ...]
    """The Monday of each week with a possible session."""
    attended: np.ndarray
    possible: np.ndarray

    @property
    def percent(self) -> np.ndarray:
        return self.attended * 100.0 / self.possible

    def chart(self, baseline: int | None = None) -> XmRChart:
        return chart(self.percent, [w.isoformat() for w in self.weeks], baseline)


def weekly_attendance(matrix: RegisterMatrix, first: dt.date, last: dt.date,
                      units: np.ndarray | None = None) -> WeeklyAttendance:
    """Attendance per Monday-to-Sunday week from `first` to `last`, pooled over `units` (a
    boolean mask or indices of the matrix's units: a pupil, a cohort, a school; all if None)."""
    start, end = matrix.slot_range(first, last)
    start -= start % 2
    status = unit_status(matrix, start, end, 0, matrix.n_units)
    if units is not None:
        status = status[np.asarray(units)]
    if status.ndim == 1:
        status = status[None, :]
    attended = (status == ATTENDED).sum(axis=0)
    possible = (status != NOT_POSSIBLE).sum(axis=0)  # absent sessions are possible (3.1)
    weeks = (matrix.first_day_number + (start + np.arange(end - start)) // 2) // 7
    if not len(weeks):
        return WeeklyAttendance((), np.zeros(0, np.int64), np.zeros(0, np.int64))
    cuts = np.flatnonzero(np.diff(weeks, prepend=weeks[0] - 1))
    week_attended = np.add.reduceat(attended, cuts).astype(np.int64)
    week_possible = np.add.reduceat(possible, cuts).astype(np.int64)
    held = week_possible > 0
    mondays = tuple(EPOCH_MONDAY + dt.timedelta(weeks=int(w)) for w in weeks[cuts][held])
    return WeeklyAttendance(mondays, week_attended[held], week_possible[held])
