"""Cohorts with lower attendance than their peers, with the gap and its trend.

Seed 002 line 248 (Annex A) names a stage "Support for cohorts of pupils with lower attendance
than their peers", and line 251 asks schools to "proactively use data to identify cohorts with,
or at risk of, low attendance"; issue 10 part 6 asks for them "shown with the gap and its trend".

For each group of a characteristic (free school meals, SEN, sex, year group, looked after) the
group's attendance is set against its peers, the rest of the school's pupils over the same weeks,
each pooled (attended over possible sessions summed across pupils, reference 3.1). The gap is
the peers' attendance less the group's, in percentage points: positive when the group attends
less. Every figure is a dated parameter (policies/national/targeting/cohort_*.yaml):

- a group is lower than its peers when its gap is *more than* the gap threshold (a group exactly
  at the threshold is not flagged, as with the at-risk rules), compared exactly, not in floats;
- the trend compares the gap over the last N weeks with the gap over the earlier weeks (at least
  N of them): widening when it rose by more than the widening figure, narrowing when it fell by
  more; a signal above the centre line of the XmR chart of the weekly gap (limits from the
  earlier weeks, `muster.core.targeting.xmr`) in the recent weeks also counts as widening;
- a group with fewer pupils than the minimum, or whose peers are fewer, is not shown: with a
  yes/no characteristic the gap of the larger group would tell the smaller one's attendance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np

from muster.core.parameters import national
from muster.core.register_matrix import RegisterMatrix
from muster.core.slots import EPOCH_MONDAY
from muster.core.targeting.at_risk import ATTENDED, NOT_POSSIBLE, unit_status
from muster.core.targeting.xmr import SignalKind, chart


@dataclass(frozen=True)
class GapRules:
    gap_points: Fraction
    minimum_pupils: int
    trend_weeks: int
    widening_points: Fraction

    @classmethod
    def national(cls, on: dt.date) -> GapRules:
        def value(name: str):
            return national("targeting", name).value_on(on)

        return cls(
            gap_points=Fraction(str(value("cohort_gap_points"))),
            minimum_pupils=int(value("cohort_minimum_pupils")),
            trend_weeks=int(value("cohort_gap_trend_weeks")),
            widening_points=Fraction(str(value("cohort_gap_widening_points"))),
        )


class Trend(StrEnum):
    WIDENING = "widening"
    NARROWING = "narrowing"
    STEADY = "steady"
    TOO_FEW_WEEKS = "too few weeks"


@dataclass(frozen=True)
class CohortGap:
    characteristic: str
    group: str
    pupils: int
    peers: int
    attended: int
    possible: int
    peers_attended: int
    peers_possible: int
    gap: Fraction
    """Peers' attendance less the group's, percentage points (positive: the group attends less)."""
    weeks: tuple[str, ...]
    """Labels of the weeks where both the group and its peers had a possible session."""
    weekly_gap: np.ndarray
    recent_gap: Fraction | None
    earlier_gap: Fraction | None
    trend: Trend
    signals: tuple[str, ...]
    """XmR signals of the weekly gap that made the trend widening."""
    lower: bool
    """Lower attendance than its peers: the gap is more than the threshold."""

    @property
    def attendance(self) -> float:
        return 100 * self.attended / self.possible

    @property
    def peers_attendance(self) -> float:
        return 100 * self.peers_attended / self.peers_possible

    def trend_words(self) -> str:
        """The trend in words: a gap rising for a group above its peers is it falling back."""
        if self.trend is Trend.TOO_FEW_WEEKS:
            return "too few weeks to tell"
        words = {
            Trend.WIDENING: "widening" if self.recent_gap > 0 else "falling back towards its peers",
            Trend.NARROWING: "narrowing" if self.earlier_gap > 0 else "moving further above its peers",
            Trend.STEADY: "steady",
        }[self.trend]
        words += (f": {_points(self.recent_gap)} points in the recent weeks against "
                  f"{_points(self.earlier_gap)} before")
        if self.signals:
            words += "; " + "; ".join(self.signals)
        return words


def _points(value: Fraction) -> str:
    shown = f"{float(value):.1f}"
    return "0.0" if shown == "-0.0" else shown


@dataclass(frozen=True)
class SchoolGaps:
    shown: tuple[CohortGap, ...]
    suppressed: int
    """Groups left out because they, or their peers, are too few pupils."""


def _gap(attended: int, possible: int, peers_attended: int, peers_possible: int) -> Fraction:
    return 100 * (Fraction(peers_attended, peers_possible) - Fraction(attended, possible))


def group_gap(attended: np.ndarray, possible: np.ndarray, members: np.ndarray, rules: GapRules, *,
              characteristic: str = "", group: str = "",
              weeks: Sequence[str] | None = None) -> CohortGap | None:
    """One group's gap to the rest of the pupils; None when it or its peers are too few.

    `attended`, `possible`: sessions per pupil (rows) and week (columns); `members`: a boolean
    mask of the group's pupils. Pupils with no possible session are not counted."""
    attended, possible = np.asarray(attended, np.int64), np.asarray(possible, np.int64)
    members = np.asarray(members, bool)
    counted = possible.sum(axis=1) > 0
    pupils, peers = int((members & counted).sum()), int((~members & counted).sum())
    if min(pupils, peers) < max(rules.minimum_pupils, 1):
        return None
    labels = tuple(weeks) if weeks is not None else tuple(str(i + 1) for i in range(possible.shape[1]))
    g_att, g_pos = attended[members].sum(axis=0), possible[members].sum(axis=0)
    p_att, p_pos = attended[~members].sum(axis=0), possible[~members].sum(axis=0)
    held = (g_pos > 0) & (p_pos > 0)
    g_att, g_pos, p_att, p_pos = g_att[held], g_pos[held], p_att[held], p_pos[held]
    labels = tuple(w for w, h in zip(labels, held.tolist(), strict=True) if h)
    weekly = 100 * (p_att / p_pos - g_att / g_pos)
    gap = _gap(int(g_att.sum()), int(g_pos.sum()), int(p_att.sum()), int(p_pos.sum()))
    trend, recent, earlier, signals = _trend(g_att, g_pos, p_att, p_pos, weekly, labels, rules)
    return CohortGap(
        characteristic=characteristic, group=group, pupils=pupils, peers=peers,
        attended=int(g_att.sum()), possible=int(g_pos.sum()),
        peers_attended=int(p_att.sum()), peers_possible=int(p_pos.sum()),
        gap=gap, weeks=labels, weekly_gap=weekly, recent_gap=recent, earlier_gap=earlier,
        trend=trend, signals=signals, lower=gap > rules.gap_points,
    )


def _trend(g_att, g_pos, p_att, p_pos, weekly, labels, rules: GapRules):
    n = rules.trend_weeks
    if n < 1 or len(weekly) < 2 * n:
        return Trend.TOO_FEW_WEEKS, None, None, ()
    cut = len(weekly) - n

    def pooled(part: slice) -> Fraction:
        return _gap(int(g_att[part].sum()), int(g_pos[part].sum()),
                    int(p_att[part].sum()), int(p_pos[part].sum()))

    recent, earlier = pooled(slice(cut, None)), pooled(slice(0, cut))
    change = recent - earlier
    signals: tuple[str, ...] = ()
    if cut >= 2:
        drawn = chart(weekly, labels, baseline=cut)
        signals = tuple(s.describe(drawn.labels) for s in drawn.signals
                        if s.kind in (SignalKind.ABOVE_LIMIT, SignalKind.RUN_ABOVE)
                        and s.last >= cut)
    if change > rules.widening_points or signals:
        trend = Trend.WIDENING
    elif change < -rules.widening_points:
        trend = Trend.NARROWING
    else:
        trend = Trend.STEADY
    return trend, recent, earlier, tuple(f"gap chart signal, {s}" for s in signals)


def school_gaps(attended: np.ndarray, possible: np.ndarray,
                characteristics: Mapping[str, Sequence[str]], rules: GapRules, *,
                weeks: Sequence[str] | None = None) -> SchoolGaps:
    """Every group of every characteristic (name -> one group label per pupil, in row order)
    against its peers; groups too small to show are counted, not shown."""
    shown, suppressed = [], 0
    for name, values in characteristics.items():
        values = np.asarray(values, dtype=object)
        if len(values) != np.asarray(possible).shape[0]:
            raise ValueError(f"{name}: one value per pupil is needed")
        for group in sorted(set(values.tolist()), key=str):
            found = group_gap(attended, possible, values == group, rules,
                              characteristic=name, group=str(group), weeks=weeks)
            if found is None:
                suppressed += 1
            else:
                shown.append(found)
    return SchoolGaps(tuple(shown), suppressed)


@dataclass(frozen=True)
class WeeklyByPupil:
    weeks: tuple[dt.date, ...]
    """The Monday of each week with a possible session for any unit."""
    attended: np.ndarray
    """Units x weeks."""
    possible: np.ndarray


def weekly_by_pupil(matrix: RegisterMatrix, first: dt.date, last: dt.date) -> WeeklyByPupil:
    """Attended and possible sessions per unit and Monday-to-Sunday week, `first` to `last`.
    Only weekdays are read, as `muster.core.figures.compute` reads them: a stray weekend mark
    is a data-quality matter, not a session."""
    start, end = matrix.slot_range(first, last)
    start -= start % 2
    status = unit_status(matrix, start, end, 0, matrix.n_units)
    if status.ndim == 1:
        status = status[None, :]
    days = matrix.first_day_number + (start + np.arange(end - start)) // 2
    status = np.where(days % 7 < 5, status, NOT_POSSIBLE)  # weekdays only, as the figures engine
    weeks = days // 7
    if not len(weeks) or not matrix.n_units:
        empty = np.zeros((matrix.n_units, 0), np.int64)
        return WeeklyByPupil((), empty, empty)
    cuts = np.flatnonzero(np.diff(weeks, prepend=weeks[0] - 1))
    attended = np.add.reduceat((status == ATTENDED).astype(np.int64), cuts, axis=1)
    possible = np.add.reduceat((status != NOT_POSSIBLE).astype(np.int64), cuts, axis=1)
    held = possible.sum(axis=0) > 0
    mondays = tuple(EPOCH_MONDAY + dt.timedelta(weeks=int(w)) for w in weeks[cuts][held])
    return WeeklyByPupil(mondays, attended[:, held], possible[:, held])
