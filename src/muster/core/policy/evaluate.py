"""Evaluating a pupil against a policy on a day: the band, why, and what each role must do.

The period is the policy's measure period ending on the day: the school year to date (from
1 August, `slots.year_start`; the summer holiday holds no possible session) or the last N school
weeks (`rolling_start`). Placement is exact (`placement.place`); `band_indices` places many
pupils at once with the same whole-number comparisons, and a test holds the two together.

Authorised or unauthorised: seed 001 line 65 and seed 003 line 11 set one column of work for
authorised absence and another for "any unauthorised absence". Muster decision: a pupil whose
period holds at least one unauthorised session (a G, N, O or U mark) gets the unauthorised
column; otherwise the authorised column. Where the source leaves a role's unauthorised cell
empty (seed 001 lines 66-67, 70, 73; seed 003 lines 12, 15, 16), that role keeps its authorised
column, since the empty cell adds nothing to do about unauthorised absence. Interventions for
`any` absence always apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from muster.core import slots
from muster.core.policy.format import AbsenceType, Intervention, Period, Policy, Quantity
from muster.core.policy.placement import Placement, place
from muster.core.register_matrix import RegisterMatrix
from muster.core.rules.penalty_notice import SCHOOL_WEEK_CODES_END

NO_POSSIBLE = -2
"""`band_indices` value of a pupil with no possible session in the period."""
IN_GAP = -1
"""`band_indices` value of a pupil whose figure no band covers."""


def applies_on(policy: Policy, day: dt.date) -> bool:
    """Whether the policy is in force on the day (its `applies` dates, both inclusive)."""
    return policy.applies.start <= day and (policy.applies.end is None or day <= policy.applies.end)


def year_to_date(day: dt.date) -> tuple[dt.date, dt.date]:
    return slots.year_start(slots.academic_year(day)), day


def school_week_mondays(matrix: RegisterMatrix) -> np.ndarray:
    """Mondays of the weeks in which any row of the matrix has a school session: any mark but
    none, `Z` or `#` (reference 0, "School week"), for rolling periods."""
    marks = matrix.marks
    marked = ((marks >= 1) & (marks < SCHOOL_WEEK_CODES_END)).any(axis=0)
    days = np.flatnonzero(marked[0::2] | marked[1::2])
    mondays = np.datetime64(matrix.first_day) + days - (days + matrix.first_day.weekday()) % 7
    return np.unique(mondays.astype("datetime64[D]"))


def rolling_start(school_weeks: np.ndarray, day: dt.date, weeks: int) -> dt.date:
    """The first day of the last `weeks` school weeks ending with the week of `day`.

    `school_weeks` are the Mondays of the weeks in which the school was open, ascending (a
    school week as reference 0 defines it for the penalty-notice window: a week with at least
    one open session). Holiday weeks neither count nor break the period.
    """
    monday = day - dt.timedelta(days=day.weekday())
    held = school_weeks[school_weeks <= np.datetime64(monday)]
    if len(held) == 0:
        return monday
    first = held[max(0, len(held) - weeks)]
    return first.astype("datetime64[D]").astype(dt.date)


@dataclass(frozen=True)
class AbsenceDecision:
    absence: AbsenceType
    reason: str


def absence_type(*, authorised: int, unauthorised: int) -> AbsenceDecision:
    """Which column of a policy's matrix applies, and how that was decided (module docstring)."""
    missed = authorised + unauthorised
    if unauthorised > 0:
        return AbsenceDecision(
            AbsenceType.UNAUTHORISED,
            f"unauthorised: {unauthorised} of the {missed} sessions missed in the period "
            "were unauthorised (G, N, O or U), and any unauthorised absence is investigated",
        )
    if missed == 0:
        return AbsenceDecision(AbsenceType.AUTHORISED,
                               "authorised column: no session was missed in the period")
    return AbsenceDecision(
        AbsenceType.AUTHORISED,
        f"authorised: all {missed} sessions missed in the period were authorised",
    )


def required(policy: Policy, band_id: str, absence: AbsenceType) -> tuple[Intervention, ...]:
    """The interventions of a band for the absence type, role by role (module docstring)."""
    rows = policy.interventions_for(band_id)
    chosen = [i for i in rows if i.absence_type in (AbsenceType.ANY, absence)]
    if absence is AbsenceType.UNAUTHORISED:
        covered = {i.role for i in rows if i.absence_type is AbsenceType.UNAUTHORISED}
        chosen += [i for i in rows if i.absence_type is AbsenceType.AUTHORISED and i.role not in covered]
    order = {id(i): n for n, i in enumerate(policy.interventions)}
    return tuple(sorted(chosen, key=lambda i: order[id(i)]))


@dataclass(frozen=True)
class Evaluation:
    """One pupil under one policy on one day, with everything needed to explain it."""

    policy: Policy
    on: dt.date
    first: dt.date
    """The first day of the measured period (the last is `on`)."""
    placement: Placement
    decision: AbsenceDecision
    interventions: tuple[Intervention, ...]

    @property
    def band_id(self) -> str | None:
        return self.placement.band.id if self.placement.band else None

    @property
    def in_gap(self) -> bool:
        """The figure was measured but no band of the policy covers it."""
        return self.placement.band is None and self.placement.value is not None

    @property
    def explanation(self) -> str:
        source = self.policy.source_document
        when = f", {source.published}" if source.published else ""
        period = f"{self.first:%-d %b %Y} to {self.on:%-d %b %Y}"
        text = f"{self.placement.explanation} [{source.title}{when}; period {period}]"
        if self.placement.band is not None:
            text += f"; {self.decision.reason}"
        return text


def evaluate(policy: Policy, on: dt.date, first: dt.date, *, attended: int, possible: int,
             authorised: int, unauthorised: int) -> Evaluation:
    """Place one pupil whose counts over `first`..`on` are given, and list what is required."""
    placement = place(policy, attended=attended, possible=possible)
    decision = absence_type(authorised=authorised, unauthorised=unauthorised)
    work = required(policy, placement.band.id, decision.absence) if placement.band else ()
    return Evaluation(policy, on, first, placement, decision, work)


def band_indices(policy: Policy, attended: np.ndarray, possible: np.ndarray) -> np.ndarray:
    """The index in `policy.bands` of each pupil's band, `IN_GAP` or `NO_POSSIBLE`.

    The same exact test as `place`: a figure 100 * n / d against an edge p / q is compared as
    100 * n * q against p * d, in whole numbers.
    """
    if not policy.measure.quantity.is_percent:
        raise ValueError(f"{policy.id} is not measured as a percentage")
    attended = np.asarray(attended, dtype=np.int64)
    possible = np.asarray(possible, dtype=np.int64)
    counted = attended if policy.measure.quantity is Quantity.ATTENDANCE_PERCENT else possible - attended
    out = np.full(len(possible), IN_GAP, dtype=np.int64)
    for index in range(len(policy.bands) - 1, -1, -1):
        band = policy.bands[index]
        inside = beyond(counted, possible, band.lower.value, band.lower.inclusive, above=True)
        if band.upper.value is not None:
            inside &= beyond(counted, possible, band.upper.value, band.upper.inclusive, above=False)
        out[inside] = index
    out[possible <= 0] = NO_POSSIBLE
    return out


def beyond(counted: np.ndarray, possible: np.ndarray, edge: Fraction, inclusive: bool, *,
           above: bool) -> np.ndarray:
    """Whether 100 * counted / possible is on the band's side of an edge: at or above it
    (`above`) or at or below it, the edge itself counted only when `inclusive`; exact, in whole
    numbers."""
    left = 100 * counted * edge.denominator
    right = edge.numerator * possible
    if above:
        return left >= right if inclusive else left > right
    return left <= right if inclusive else left < right


def period(policy: Policy, on: dt.date, school_weeks: np.ndarray | None = None) -> tuple[dt.date, dt.date]:
    """The measured period ending on `on` (module docstring)."""
    if policy.measure.period is Period.YEAR_TO_DATE:
        return year_to_date(on)
    if school_weeks is None:
        raise ValueError(f"{policy.id} measures a rolling period: the school weeks are needed")
    return rolling_start(school_weeks, on, policy.measure.rolling_school_weeks or 1), on
