"""Realistic absence: who misses school, how often, for what and in what pattern.

Absence is lumpy, so it is placed as episodes rather than as independent sessions: illness runs of
a day or a few (more in winter), unexplained absence in days and afternoons, term-time holidays
next to a school holiday (long enough, some of them, to meet the penalty-notice threshold of 10
sessions in 10 school weeks, reference 4.2), suspensions, medical appointments, lateness before
and after the register closes. Each pupil has a propensity to be absent drawn once, from their
school phase and needs (free school meals, SEN, a social worker raise it, as in DfE statistics),
with a small severe-absence group, so the figures come out near England's: attendance about 94%,
persistent absence (10%+) for about one enrolment in six and severe absence (50%+) for one or two
in a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from muster.core import codes
from muster.demo.activities import SchoolYear
from muster.demo.people import Pupil


def _id(symbol: str) -> int:
    return codes.code(symbol).id


AM, PM = _id("/"), _id("\\")
LATE, AFTER_CLOSE = _id("L"), _id("U")
ILL, UNEXPLAINED, HOLIDAY, NOT_YET_KNOWN = _id("I"), _id("O"), _id("G"), _id("N")
MEDICAL, SUSPENDED, RELIGIOUS, SPORT, DUAL, CLOSED = (
    _id("M"), _id("E"), _id("R"), _id("P"), _id("D"), _id("#")
)

PHASE_FACTOR = {"primary": 0.85, "secondary": 1.25, "special": 1.5, "alternative": 3.5}
"""Secondary absence runs well above primary; special schools and pupil referral units higher."""

TYPICAL, TYPICAL_SPREAD = 0.013, 0.6
"""Most pupils: median absence 1.3% of sessions (more with needs), lognormally spread."""
PERSISTENT, SEVERE = 0.12, 0.013
"""Shares (before needs) of pupils who miss 8-20% of sessions and 48-92%, so that about one
enrolment in six is persistently absent and one or two in a hundred severely (reference 3.1)."""

SESSIONS_PER_YEAR = 380
"""The statutory minimum a school must open for (reference 1), about what the demo's calendars
give: a register covering part of a year gets its share of holidays and appointments."""

WINTER = 168
"""Day of the academic year (0 = 1 August) when illness peaks: mid January."""


@dataclass(frozen=True)
class Propensity:
    """How a pupil tends to attend, drawn once and kept across years and schools."""

    absence: float
    """Expected share of possible sessions missed in a year."""
    unauthorised: float
    """Share of absence episodes without a reason the school accepts."""
    lateness: float
    """Share of mornings the pupil arrives after the register opens."""
    holiday: float
    """Chance of a holiday in term time in a year."""
    observes_festival: bool
    sporty: bool


def propensity(rng: np.random.Generator, pupil: Pupil, phase: str) -> Propensity:
    factor = PHASE_FACTOR.get(phase, 1.0)
    factor *= 1.45 if pupil.fsm else 1.0
    factor *= {"K": 1.25, "E": 1.45}.get(pupil.sen, 1.0)
    factor *= 1.35 if pupil.has_social_worker else 1.0
    factor *= 0.8 if pupil.looked_after else 1.0  # the Virtual School's attention helps
    z, group = rng.normal(), rng.random()
    if group < SEVERE * factor:  # school refusal, long-term illness, disengagement
        rate = rng.uniform(0.48, 0.92)
    elif group < (SEVERE + PERSISTENT) * factor:
        rate = rng.uniform(0.08, 0.2)
    else:
        rate = TYPICAL * np.sqrt(factor) * np.exp(TYPICAL_SPREAD * z)
    rate = float(min(rate, 0.95))
    unauthorised = min(0.8, 0.14 + 1.6 * max(0.0, rate - 0.05) + (0.08 if pupil.fsm else 0.0))
    lateness = float(min(0.3, 0.012 * np.exp(0.9 * rng.normal() + 0.4 * z)))
    return Propensity(
        absence=rate,
        unauthorised=unauthorised,
        lateness=lateness * (1.4 if pupil.fsm else 1.0),
        holiday=0.07 if phase != "special" else 0.03,
        observes_festival=bool(rng.random() < 0.04),
        sporty=bool(phase == "secondary" and rng.random() < 0.12),
    )


def year_rate(rng: np.random.Generator, pupil: Propensity) -> float:
    """This year's absence: the pupil's propensity, a little better or worse."""
    return float(min(0.97, pupil.absence * np.exp(0.3 * rng.normal())))


@dataclass
class Register:
    """One enrolment's year being filled in."""

    rng: np.random.Generator
    row: np.ndarray
    days: np.ndarray
    """Days (0 = 1 August) with at least one session to mark, ascending."""
    available: np.ndarray

    def set_days(self, chosen: np.ndarray, code_id: int, *, over_present_only: bool = True) -> int:
        """Mark both sessions of the chosen days; returns how many slots changed."""
        slots = np.concatenate([2 * chosen, 2 * chosen + 1])
        return self.set_slots(slots, code_id, over_present_only=over_present_only)

    def set_slots(self, slots: np.ndarray, code_id: int, *, over_present_only: bool = True) -> int:
        slots = slots[self.available[slots]]
        if over_present_only:
            slots = slots[(self.row[slots] == AM) | (self.row[slots] == PM)]
        self.row[slots] = code_id
        return len(slots)


def mark_year(
    rng: np.random.Generator,
    *,
    school: SchoolYear,
    available: np.ndarray,
    pupil: Propensity,
    rate: float,
    nc_year: int,
    suspended_at_end: bool = False,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """A register year: the marks and the minutes late of `L` and `U` marks.

    `available` holds the slots the pupil must be marked for (open, on roll, up to today).
    """
    row = np.zeros(len(available), dtype=np.uint8)
    slots = np.flatnonzero(available)
    if not len(slots):
        return row, []
    row[slots] = np.where(slots % 2 == 0, AM, PM)
    register = Register(rng, row, np.unique(slots // 2), available)
    share_of_year = min(1.0, len(slots) / SESSIONS_PER_YEAR)
    budget = int(rng.binomial(len(slots), rate))
    budget -= _holiday(register, pupil.holiday * share_of_year) // 2
    budget -= _suspensions(register, rate * share_of_year, nc_year, suspended_at_end)
    _episodes(register, budget, rate, pupil.unauthorised)
    _appointments(register, (0.8 + 4 * pupil.absence) * share_of_year)
    if pupil.observes_festival and school.observance_day >= 0:
        register.set_days(np.array([school.observance_day]), RELIGIOUS)
    for activity in school.activities.get(nc_year, []):
        if rng.random() < activity.share:
            register.set_days(activity.days, activity.code_id)
    if pupil.sporty and rng.random() < share_of_year:
        fixtures = rng.choice(register.days, size=min(len(register.days), rng.integers(2, 6)))
        register.set_slots(2 * fixtures + 1, SPORT)
    return row, _lateness(register, pupil.lateness, school.late_window)


def _holiday(register: Register, chance: float) -> int:
    """A term-time holiday next to a school holiday: leaving early or coming back late."""
    rng, days = register.rng, register.days
    if rng.random() >= chance or len(days) < 10:
        return 0
    breaks = np.flatnonzero(np.diff(days) > 4)
    if not len(breaks):
        return 0
    length = int(rng.choice([1, 2, 3, 4, 5, 5, 6, 7, 8, 10]))
    k = int(rng.choice(breaks))
    chosen = days[max(0, k - length + 1) : k + 1] if rng.random() < 0.5 else days[k + 1 : k + 1 + length]
    return register.set_days(chosen, HOLIDAY)


def _suspensions(register: Register, rate: float, nc_year: int, at_end: bool) -> int:
    """Fixed-term suspensions (`E`), mostly at secondary; and the last days before a permanent
    exclusion takes effect."""
    rng, days = register.rng, register.days
    done = 0
    if at_end:
        done += register.set_days(days[-5:], SUSPENDED)
    chance = (0.05 if nc_year >= 7 else 0.006) * min(4.0, rate / 0.05)
    if rng.random() < chance:
        start = int(rng.integers(len(days)))
        done += register.set_days(days[start : start + int(rng.integers(1, 4))], SUSPENDED)
    return done


def _episodes(register: Register, budget: int, rate: float, unauthorised: float) -> None:
    """Illness (`I`) and unexplained absence (`O`) in runs until the year's budget is spent.
    Pupils who miss a lot miss whole weeks at a time."""
    rng, days = register.rng, register.days
    weights = 1.0 + 0.6 * np.cos(2 * np.pi * (days - WINTER) / 365.0)
    weights /= weights.sum()
    mean_days = 1.6 + 25.0 * rate * rate
    spent, tries = 0, 0
    while spent < budget and tries < 400:
        tries += 1
        start = int(rng.choice(len(days), p=weights))
        is_unauthorised = rng.random() < unauthorised
        code_id = UNEXPLAINED if is_unauthorised else ILL
        if rng.random() < (0.3 if is_unauthorised else 0.12):  # one session: skipped or sent home
            spent += register.set_slots(np.array([2 * days[start] + 1]), code_id)
            continue
        length = int(rng.geometric(1.0 / mean_days))
        chosen = days[start : start + min(length, max(1, (budget - spent + 1) // 2))]
        spent += register.set_days(chosen, code_id)


def _appointments(register: Register, expected: float) -> None:
    rng = register.rng
    n = int(rng.poisson(expected))
    if n:
        chosen = rng.choice(register.days, size=n)
        register.set_slots(2 * chosen + rng.integers(0, 2, size=n), MEDICAL)


def _lateness(register: Register, lateness: float, window: int) -> list[tuple[int, int]]:
    """`L` with minutes late before the register closes; one late arrival in eight comes after
    it closes, which is `U` (reference 1)."""
    rng, row = register.rng, register.row
    mornings = np.flatnonzero(row == AM)
    late = mornings[rng.random(len(mornings)) < lateness]
    after_close = rng.random(len(late)) < 0.12
    minutes = np.where(
        after_close,
        window + rng.integers(1, 60, size=len(late)),
        1 + (rng.beta(1.2, 3.0, size=len(late)) * (window - 1)).astype(int),
    )
    row[late] = np.where(after_close, AFTER_CLOSE, LATE)
    return [(int(s), int(m)) for s, m in zip(late, minutes, strict=True)]


def not_yet_known(row: np.ndarray, available: np.ndarray, rng: np.random.Generator) -> None:
    """Absence in the last three school days often has no reason yet: `N`, until the school finds
    out (within 5 school days, reference 2.3)."""
    days = np.unique(np.flatnonzero(available) // 2)[-3:]
    recent = np.concatenate([2 * days, 2 * days + 1])
    recent = recent[available[recent]]
    absent = recent[np.isin(row[recent], (ILL, UNEXPLAINED))]
    row[absent[rng.random(len(absent)) < 0.6]] = NOT_YET_KNOWN
