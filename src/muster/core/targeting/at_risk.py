"""Pupils at risk of becoming persistently absent, found early by rules a person can check.

Seed 002 line 236 (Annex A): schools "Proactively use data to identify pupils at risk of
persistent absence"; DfE sets no figure for "at risk". Muster's rules (issue 10 part 2), each
threshold a dated parameter under `policies/national/at_risk/` (Muster decisions where the seeds
give no number, marked there):

- **projection**: the pupil's absence so far this school year, carried to the end of the year
  at the same rate over the sessions left, is more than `projected_absence_percent` of their
  possible sessions, once they have had `projection_minimum_sessions` possible sessions. At the
  rate so far the projected percentage is the rate so far; what the projection adds is the count
  it shows: sessions missed by the end of the year, and how many more the pupil can miss and
  stay below 10% (persistent absence, reference 3.1).
- **trend**: absence over the last `trend_school_weeks` school weeks is more than
  `trend_rise_points` percentage points above absence over the rest of the year so far, which
  must be at least as many school weeks. A school week is a Monday-to-Sunday week with a possible
  session for the pupil (reference 0).
- **spells**: a spell is a run of consecutive absent sessions; sessions that are not possible
  (weekends, holidays, closures, off roll) neither break nor extend it. At least
  `repeat_spells` spells of `spell_sessions` or more ending in the current half term. The half
  term, as the pupil's register shows it, starts after their last break of
  `half_term_break_weekdays` weekdays with no possible session.
- **last year**: persistently absent over the previous school year (reference 3.1, the exact
  whole-number test), when the matrix holds it.
- **change of school / of care placement**: a change within `change_within_days` days, when the
  caller knows it (enrolments, SSDA903 placements).

Every rule is evaluated on the marks up to and including the day of evaluation only, so the same
rules replay on any past day (`backtest`). A unit is a pupil: a dual-registered pupil's session
counts as attended if any of their schools marked it so (reference 0, dual registration).
Comparisons are in whole numbers, never rounded percentages (reference 0). The work is numpy over
blocks of pupils, so an authority's 100,000 pupils take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

import numpy as np

from muster.core import codes, figures, slots
from muster.core.parameters import national
from muster.core.register_matrix import RegisterMatrix

NOT_POSSIBLE, ABSENT, ATTENDED = 0, 1, 2


def _status_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    for category in (codes.Category.PRESENT, codes.Category.AEA):
        lo, hi = codes.CATEGORY_RANGES[category]
        table[lo:hi] = ATTENDED
    for category in (codes.Category.AUTHORISED, codes.Category.UNAUTHORISED):
        lo, hi = codes.CATEGORY_RANGES[category]
        table[lo:hi] = ABSENT
    return table


STATUS = _status_table()
"""Code id -> not possible (0), absent (1), attended (2): reference 3.1's categories."""

BLOCK_UNITS = 8192
"""Pupils per block of work: keeps each block's arrays to a few tens of megabytes."""


class Rule(StrEnum):
    PROJECTION = "projection"
    TREND = "trend"
    SPELLS = "spells"
    LAST_YEAR = "last_year_persistent"
    SCHOOL_CHANGE = "school_change"
    PLACEMENT_CHANGE = "placement_change"


_PARAMETERS = ("projected_absence_percent", "projection_minimum_sessions", "trend_school_weeks",
               "trend_rise_points", "spell_sessions", "repeat_spells",
               "half_term_break_weekdays", "change_within_days")


@dataclass(frozen=True)
class AtRiskRules:
    projected_absence_percent: Fraction
    projection_minimum_sessions: int
    trend_school_weeks: int
    trend_rise_points: Fraction
    spell_sessions: int
    repeat_spells: int
    half_term_break_weekdays: int
    change_within_days: int
    references: dict[str, str] = field(default_factory=dict, compare=False)
    """Parameter name -> the reference of the value in force."""

    def __post_init__(self) -> None:
        whole = (self.projection_minimum_sessions, self.trend_school_weeks, self.spell_sessions,
                 self.repeat_spells, self.half_term_break_weekdays, self.change_within_days)
        if min(whole) < 1:
            raise ValueError("at-risk counts (sessions, weeks, spells, days) must be at least 1")
        if not 0 <= self.projected_absence_percent <= 100 or self.trend_rise_points < 0:
            raise ValueError("at-risk percentages must be from 0 to 100")

    @classmethod
    def national(cls, on: dt.date) -> AtRiskRules:
        """The rules in force on a day (`policies/national/at_risk/`)."""
        values, references = {}, {}
        for name in _PARAMETERS:
            entry = national("at_risk", name).entry_on(on)
            if entry is None:
                raise ValueError(f"no at-risk parameter {name} was in force on {on}")
            values[name], references[name] = entry.value, entry.reference
        return cls(
            projected_absence_percent=Fraction(str(values["projected_absence_percent"])),
            projection_minimum_sessions=int(values["projection_minimum_sessions"]),
            trend_school_weeks=int(values["trend_school_weeks"]),
            trend_rise_points=Fraction(str(values["trend_rise_points"])),
            spell_sessions=int(values["spell_sessions"]),
            repeat_spells=int(values["repeat_spells"]),
            half_term_break_weekdays=int(values["half_term_break_weekdays"]),
            change_within_days=int(values["change_within_days"]),
            references=references,
        )


@dataclass(frozen=True)
class Driver:
    """One reason a pupil is flagged, with the numbers that raised it."""

    rule: Rule
    text: str
    numbers: dict[str, object]


@dataclass(frozen=True)
class AtRisk:
    """The at-risk rules evaluated for every unit of a matrix on one day."""

    on: dt.date
    rules: AtRiskRules
    matrix_first_day: dt.date
    # projection
    possible: np.ndarray
    absent: np.ndarray
    sessions_left: np.ndarray
    by_projection: np.ndarray
    # trend
    school_weeks: np.ndarray
    recent_possible: np.ndarray
    recent_absent: np.ndarray
    by_trend: np.ndarray
    # spells
    half_term_start: np.ndarray
    """datetime64[D]: first day of the unit's current half term (NaT: no possible session)."""
    spells_in_half_term: np.ndarray
    by_spells: np.ndarray
    spell_unit: np.ndarray
    spell_first_slot: np.ndarray
    spell_sessions: np.ndarray
    """The counted spells (in the current half term, long enough), one entry each."""
    # last year
    last_year_possible: np.ndarray
    last_year_absent: np.ndarray
    by_last_year: np.ndarray
    # changes
    school_changed: np.ndarray
    placement_changed: np.ndarray
    by_school_change: np.ndarray
    by_placement_change: np.ndarray

    def __len__(self) -> int:
        return int(self.possible.shape[0])

    @property
    def by_rule(self) -> dict[Rule, np.ndarray]:
        return {
            Rule.PROJECTION: self.by_projection,
            Rule.TREND: self.by_trend,
            Rule.SPELLS: self.by_spells,
            Rule.LAST_YEAR: self.by_last_year,
            Rule.SCHOOL_CHANGE: self.by_school_change,
            Rule.PLACEMENT_CHANGE: self.by_placement_change,
        }

    @property
    def flagged(self) -> np.ndarray:
        """Units raised by at least one rule."""
        return np.logical_or.reduce(list(self.by_rule.values()))

    @property
    def earlier_possible(self) -> np.ndarray:
        return self.possible - self.recent_possible

    @property
    def earlier_absent(self) -> np.ndarray:
        return self.absent - self.recent_absent

    def drivers(self, unit: int) -> tuple[Driver, ...]:
        """Why the unit is flagged: one driver per rule that raised it, with its numbers."""
        return tuple(_explain(self, rule, unit) for rule, raised in self.by_rule.items()
                     if raised[unit])


def _pct(numerator: int, denominator: int, edge: Fraction | None = None) -> str:
    """A percentage to one decimal place, or two when one would show it equal to `edge`."""
    if not denominator:
        return "no sessions"
    return _above(100 * numerator / denominator, edge) + "%"


def _above(value: float, edge: Fraction | None) -> str:
    text = f"{value:.1f}"
    if edge is not None and float(text) == float(edge):
        text = f"{value:.2f}"
    return text


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _explain(result: AtRisk, rule: Rule, u: int) -> Driver:
    rules = result.rules
    if rule is Rule.PROJECTION:
        absent, possible, left = (int(result.absent[u]), int(result.possible[u]),
                                  int(result.sessions_left[u]))
        end_possible = possible + left
        end_absent = absent + absent * left / possible
        below_pa = -(-end_possible // 10) - 1 - absent  # most (absent + k) with 10x < end_possible
        text = (f"absence so far {absent} of {possible} sessions "
                f"({_pct(absent, possible, rules.projected_absence_percent)}); at "
                f"that rate {end_absent:.0f} of {end_possible} sessions by the end of the year, "
                f"more than {_number(rules.projected_absence_percent)}%; ")
        text += (f"can miss {below_pa} more and stay below 10%" if below_pa >= 0 else
                 "persistently absent at the end of the year whatever happens now")
        return Driver(rule, text, {"absent": absent, "possible": possible, "sessions_left": left,
                                   "projected_absent": round(end_absent, 1),
                                   "projected_possible": end_possible,
                                   "can_miss_below_pa": below_pa})
    if rule is Rule.TREND:
        ra, rp = int(result.recent_absent[u]), int(result.recent_possible[u])
        ea, ep = int(result.earlier_absent[u]), int(result.earlier_possible[u])
        rise = 100 * (ra / rp - ea / ep)
        text = (f"absence {_pct(ra, rp)} ({ra} of {rp} sessions) in the last "
                f"{rules.trend_school_weeks} school weeks against {_pct(ea, ep)} ({ea} of {ep}) "
                f"before: up {_above(rise, rules.trend_rise_points)} points, more than "
                f"{_number(rules.trend_rise_points)}")
        return Driver(rule, text, {"recent_absent": ra, "recent_possible": rp,
                                   "earlier_absent": ea, "earlier_possible": ep,
                                   "rise_points": round(rise, 1)})
    if rule is Rule.SPELLS:
        mine = np.flatnonzero(result.spell_unit == u)
        start = result.half_term_start[u].astype(dt.date)
        parts = []
        for k in mine:
            slot = int(result.spell_first_slot[k])
            day = result.matrix_first_day + dt.timedelta(days=slot // 2)
            parts.append(f"from {_day(day)} {'AM' if slot % 2 == 0 else 'PM'}, "
                         f"{int(result.spell_sessions[k])} sessions")
        text = (f"{len(mine)} spells of {rules.spell_sessions} or more absent sessions this half "
                f"term (since {_day(start)}), at least {rules.repeat_spells}: " + "; ".join(parts))
        return Driver(rule, text, {"spells": len(mine), "half_term_start": start.isoformat(),
                                   "spell_sessions": [int(result.spell_sessions[k]) for k in mine]})
    if rule is Rule.LAST_YEAR:
        absent, possible = int(result.last_year_absent[u]), int(result.last_year_possible[u])
        text = (f"persistently absent last year: {absent} of {possible} sessions missed "
                f"({_pct(absent, possible)}), 10% or more")
        return Driver(rule, text, {"absent": absent, "possible": possible})
    changed = (result.school_changed if rule is Rule.SCHOOL_CHANGE
               else result.placement_changed)[u].astype(dt.date)
    what = "changed school" if rule is Rule.SCHOOL_CHANGE else "care placement changed"
    days = (result.on - changed).days
    text = f"{what} on {_day(changed)}, {days} days ago (within {rules.change_within_days})"
    return Driver(rule, text, {"changed_on": changed.isoformat(), "days_ago": days})


def detect(
    matrix: RegisterMatrix,
    on: dt.date,
    rules: AtRiskRules | None = None,
    *,
    sessions_left: np.ndarray | int,
    school_changed: np.ndarray | None = None,
    placement_changed: np.ndarray | None = None,
) -> AtRisk:
    """Evaluate every at-risk rule for every unit of `matrix` on the day `on`.

    `sessions_left`: per unit (or one for all), the sessions the pupil's school is open after
    `on` to the end of the school year (its calendar). `school_changed`, `placement_changed`:
    per unit, the day of the latest change as datetime64[D], NaT when there was none or it is
    not known. The matrix should reach back to the start of the previous school year for the
    last-year rule; where it does not, that rule raises no flag.
    """
    rules = rules or AtRiskRules.national(on)
    n_units = matrix.n_units
    year = slots.academic_year(on)
    start, end = matrix.slot_range(slots.year_start(year), on)
    left = np.broadcast_to(np.asarray(sessions_left, dtype=np.int64), (n_units,)).copy()

    blocks = [_block(matrix, rules, start, end, lo, min(lo + BLOCK_UNITS, n_units))
              for lo in range(0, n_units, BLOCK_UNITS)] or [_block(matrix, rules, start, end, 0, 0)]

    def joined(key: str) -> np.ndarray:
        return np.concatenate([b[key] for b in blocks])

    possible, absent = joined("possible"), joined("absent")
    threshold = rules.projected_absence_percent
    by_projection = ((possible >= rules.projection_minimum_sessions)
                     & (absent * 100 * threshold.denominator > threshold.numerator * possible))

    last_year_first = slots.year_start(year - 1)
    last = figures.compute(matrix, last_year_first, slots.year_start(year) - dt.timedelta(days=1))
    last_possible, last_absent = last.possible, last.overall_absence

    window_start = np.datetime64(on - dt.timedelta(days=rules.change_within_days), "D")
    today = np.datetime64(on, "D")

    def changes(days: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if days is None:
            days = np.full(n_units, np.datetime64("NaT", "D"), dtype="datetime64[D]")
        days = np.asarray(days, dtype="datetime64[D]")
        if days.shape != (n_units,):
            raise ValueError(f"change days: one per unit is needed ({n_units}), got {days.shape}")
        return days, (days > window_start) & (days <= today)

    school_days, by_school = changes(school_changed)
    placement_days, by_placement = changes(placement_changed)
    return AtRisk(
        on=on, rules=rules, matrix_first_day=matrix.first_day,
        possible=possible, absent=absent, sessions_left=left, by_projection=by_projection,
        school_weeks=joined("school_weeks"), recent_possible=joined("recent_possible"),
        recent_absent=joined("recent_absent"), by_trend=joined("by_trend"),
        half_term_start=joined("half_term_start"),
        spells_in_half_term=joined("spells_in_half_term"), by_spells=joined("by_spells"),
        spell_unit=joined("spell_unit"), spell_first_slot=joined("spell_first_slot"),
        spell_sessions=joined("spell_sessions"),
        last_year_possible=last_possible, last_year_absent=last_absent,
        by_last_year=last.persistent_absence,
        school_changed=school_days, placement_changed=placement_days,
        by_school_change=by_school, by_placement_change=by_placement,
    )


def unit_status(matrix: RegisterMatrix, start: int, end: int, lo: int, hi: int) -> np.ndarray:
    """Units lo..hi-1 over slots [start, end): not possible (0), absent (1), attended (2). A unit
    with several rows takes the highest: attended at any school beats absent at another."""
    unit = matrix.unit
    if matrix.n_units == matrix.marks.shape[0] and (unit == np.arange(len(unit))).all():
        return STATUS[matrix.marks[lo:hi, start:end]]
    out = np.zeros((hi - lo, end - start), dtype=np.uint8)
    rows = np.flatnonzero((unit >= lo) & (unit < hi))
    if len(rows):
        np.maximum.at(out, unit[rows] - lo, STATUS[matrix.marks[rows, start:end]])
    return out


def _shift(values: np.ndarray, by: int, fill: int) -> np.ndarray:
    """Each row moved `by` columns right (positive) or left (negative), `fill` in the gap."""
    out = np.full_like(values, fill)
    if by > 0:
        out[:, by:] = values[:, :-by]
    else:
        out[:, :by] = values[:, -by:]
    return out


def _block(matrix: RegisterMatrix, rules: AtRiskRules, start: int, end: int, lo: int,
           hi: int) -> dict[str, np.ndarray]:
    status = unit_status(matrix, start, end, lo, hi)
    n_units, n = status.shape
    if n == 0:  # evaluated before the matrix's first day of the year: nothing to read
        status = np.zeros((n_units, 2), dtype=np.uint8)
        n = 2
    is_possible = status > NOT_POSSIBLE
    is_absent = status == ABSENT
    out: dict[str, np.ndarray] = {
        "possible": is_possible.sum(axis=1, dtype=np.int64),
        "absent": is_absent.sum(axis=1, dtype=np.int64),
    }

    # Trend: per Monday-to-Sunday week, then the last k school weeks against the rest.
    day_numbers = matrix.first_day_number + (start + np.arange(n)) // 2
    weeks = day_numbers // 7
    week_starts = np.flatnonzero(np.diff(weeks, prepend=weeks[:1] - 1))
    week_possible = np.add.reduceat(is_possible.astype(np.int32), week_starts, axis=1)
    week_absent = np.add.reduceat(is_absent.astype(np.int32), week_starts, axis=1)
    school_week = week_possible > 0
    k = rules.trend_school_weeks
    from_end = np.cumsum(school_week[:, ::-1], axis=1)[:, ::-1]
    recent = school_week & (from_end <= k)
    school_weeks = school_week.sum(axis=1, dtype=np.int64)
    rp = (week_possible * recent).sum(axis=1, dtype=np.int64)
    ra = (week_absent * recent).sum(axis=1, dtype=np.int64)
    ep, ea = out["possible"] - rp, out["absent"] - ra
    rise = rules.trend_rise_points
    out.update(
        school_weeks=school_weeks, recent_possible=rp, recent_absent=ra,
        by_trend=(school_weeks >= 2 * k)
        & (100 * rise.denominator * (ra * ep - ea * rp) > rise.numerator * rp * ep),
    )

    # Half term: starts at the first possible weekday after a break of enough weekdays.
    day_possible = is_possible[:, 0::2] | is_possible[:, 1::2]
    weekday_cols = np.flatnonzero(day_numbers[0::2] % 7 < 5)
    on_weekdays = day_possible[:, weekday_cols]
    cols = np.arange(len(weekday_cols))
    if len(cols):
        previous = _shift(np.maximum.accumulate(np.where(on_weekdays, cols, -1), axis=1), 1, -1)
        begins = on_weekdays & ((previous < 0)
                                | (cols - previous - 1 >= rules.half_term_break_weekdays))
        begin_col = np.where(begins, cols, -1).max(axis=1)
    else:  # a weekend only
        begin_col = np.full(n_units, -1)
    has_term = begin_col >= 0
    begin_day = weekday_cols[np.maximum(begin_col, 0)] if len(cols) else np.zeros(n_units, int)
    half_term_slot = np.where(has_term, 2 * begin_day, n + 1)
    out["half_term_start"] = np.where(
        has_term,
        np.datetime64(matrix.first_day, "D") + (start // 2 + begin_day).astype("timedelta64[D]"),
        np.datetime64("NaT", "D"),
    ).astype("datetime64[D]")

    # Spells: runs of absent sessions over the possible ones, paired start to end row by row.
    slot_cols = np.arange(n, dtype=np.int32)
    before = _shift(np.maximum.accumulate(np.where(is_possible, slot_cols, -1), axis=1), 1, -1)
    after = _shift(np.minimum.accumulate(np.where(is_possible, slot_cols, n)[:, ::-1],
                                         axis=1)[:, ::-1], -1, n)
    status_before = np.take_along_axis(status, np.clip(before, 0, n - 1), axis=1)
    status_after = np.take_along_axis(status, np.clip(after, 0, n - 1), axis=1)
    first_of_spell = is_absent & ((before < 0) | (status_before != ABSENT))
    last_of_spell = is_absent & ((after >= n) | (status_after != ABSENT))
    absent_so_far = np.cumsum(is_absent, axis=1, dtype=np.int32)
    start_rows, start_cols = np.nonzero(first_of_spell)
    end_rows, end_cols = np.nonzero(last_of_spell)
    lengths = absent_so_far[end_rows, end_cols] - absent_so_far[start_rows, start_cols] + 1
    counted = (lengths >= rules.spell_sessions) & (end_cols >= half_term_slot[end_rows])
    spells = np.bincount(end_rows[counted], minlength=n_units).astype(np.int64)
    out.update(
        spells_in_half_term=spells,
        by_spells=spells >= rules.repeat_spells,
        spell_unit=(end_rows[counted] + lo).astype(np.int64),
        spell_first_slot=(start_cols[counted] + start).astype(np.int64),
        spell_sessions=lengths[counted].astype(np.int64),
    )
    return out
