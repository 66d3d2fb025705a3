"""The demo: an invented local authority with two years of realistic registers, no Django.

`generate` makes everything in memory from a seed and a date, so the same seed and day always give
the same data and the generator can be tested without a database; `muster.registers.demo` writes
it through the register actions. Modules: `schools` (the authorities and schools), `calendars`
(terms and closures), `people` (pupils), `rolls` (enrolments), `activities` (trips and visits),
`absence` (the marks), `corrections` (marks changed afterwards).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from muster.core.calendar import SchoolCalendar
from muster.core.register_checks import on_roll_slots
from muster.core.slots import SLOTS_PER_YEAR, Session, academic_year, slot_of, year_start
from muster.demo import absence, schools
from muster.demo.activities import SchoolYear, plan_school_year
from muster.demo.calendars import school_calendar
from muster.demo.corrections import Correction, plan_corrections
from muster.demo.people import Pupil, PupilMaker, nc_year_of
from muster.demo.rolls import SUBSIDIARY, Enrolment, SchoolDays, build_roll
from muster.demo.schools import Authority, SchoolPlan

PUPILS_AT_FULL_SIZE = 3650
"""Pupils the plan in `schools` and `rolls` makes at scale 1 (measured); `pupils` scales it."""


@dataclass(frozen=True)
class RegisterYearMarks:
    enrolment_key: int
    academic_year: int
    marks: np.ndarray
    """732 code ids (`muster.core.slots`, `muster.core.codes`)."""
    minutes_late: tuple[tuple[int, int], ...]
    """(slot, minutes) for the `L` and `U` marks."""


@dataclass(frozen=True)
class Demo:
    seed: int
    today: dt.date
    years: tuple[int, int]
    """The previous and the current academic year."""
    authorities: tuple[Authority, ...]
    schools: tuple[SchoolPlan, ...]
    calendars: dict[str, SchoolCalendar]
    pupils: list[Pupil]
    enrolments: list[Enrolment]
    registers: list[RegisterYearMarks]
    corrections: list[Correction]

    @property
    def home(self) -> Authority:
        return schools.HOME

    def children_in_care(self) -> list[Pupil]:
        return [p for p in self.pupils if p.looked_after and p.care_authority == schools.HOME.code]


def generate(*, seed: int, today: dt.date, pupils: int = 3000) -> Demo:
    """The whole demo for `seed`, with marks for last academic year and this one up to `today`
    (its morning session: the afternoon register is not yet taken)."""
    year = academic_year(today)
    years = [year - 1, year]
    rng = np.random.default_rng(seed)
    calendars = {
        s.urn: school_calendar(years, schools.AUTHORITY_OF[s.la_code].pattern, s.habits)
        for s in schools.SCHOOLS
    }
    maker = PupilMaker(rng, seed)
    roll = build_roll(rng, maker, SchoolDays(calendars, years), year=year, today=today,
                      scale=pupils / PUPILS_AT_FULL_SIZE)
    school_years = {
        (s.urn, y): plan_school_year(rng, s.urn, y, calendars[s.urn], s.nc_years, s.times.am_window_minutes)
        for s in schools.SCHOOLS
        for y in years
    }
    today_slot = slot_of(today, Session.AM)[1]
    registers = _registers(rng, roll.pupils, roll.enrolments, school_years, years, today_slot)
    week_ago = max(0, today_slot - 14)
    corrections = plan_corrections(
        rng, registers, how_many=max(6, pupils // 100), settled_before={year: week_ago}
    )
    return Demo(seed, today, (year - 1, year), schools.AUTHORITIES, schools.SCHOOLS, calendars,
                roll.pupils, roll.enrolments, registers, corrections)


def _registers(
    rng: np.random.Generator,
    pupils: list[Pupil],
    enrolments: list[Enrolment],
    school_years: dict[tuple[str, int], SchoolYear],
    years: list[int],
    today_slot: int,
) -> list[RegisterYearMarks]:
    by_pupil: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_pupil.setdefault(enrolment.pupil_key, []).append(enrolment)
    until_today = {years[0]: np.ones(SLOTS_PER_YEAR, bool), years[1]: np.arange(SLOTS_PER_YEAR) <= today_slot}
    out: list[RegisterYearMarks] = []
    for pupil in pupils:
        own = by_pupil[pupil.key]
        latest = [e for e in own if e.registration != SUBSIDIARY][-1]
        phase = schools.BY_URN[latest.school_urn].phase
        tendency = absence.propensity(rng, pupil, phase)
        for year in years:
            rate = absence.year_rate(rng, tendency)
            for enrolment in own:
                on_roll = on_roll_slots(year, enrolment.start, enrolment.end) & until_today[year]
                if not on_roll.any():
                    continue
                school = school_years[(enrolment.school_urn, year)]
                available = school.open_slots & on_roll
                elsewhere = _at_other_school(enrolment, own, year, school_years) & available
                marks, minutes = absence.mark_year(
                    rng, school=school, available=available & ~elsewhere, pupil=tendency, rate=rate,
                    nc_year=nc_year_of(pupil.date_of_birth, year),
                    suspended_at_end=enrolment.excluded_at_end and enrolment.end is not None
                    and enrolment.end <= year_start(year + 1),
                )
                marks[elsewhere] = absence.DUAL
                if year == years[1]:
                    absence.not_yet_known(marks, available & ~elsewhere, rng)
                marks[school.closure_slots & on_roll] = absence.CLOSED
                if marks.any():
                    out.append(RegisterYearMarks(enrolment.key, year, marks, tuple(minutes)))
    return out


def _at_other_school(
    enrolment: Enrolment, own: list[Enrolment], year: int, school_years: dict
) -> np.ndarray:
    """Dual registration: the sessions this school marks `D` because the pupil is due at the
    other school (reference 3.2). The subsidiary school marks every day but its own `D`."""
    weekday = (year_start(year).weekday() + np.arange(SLOTS_PER_YEAR) // 2) % 7
    if enrolment.registration == SUBSIDIARY:
        return ~np.isin(weekday, enrolment.attends_on)
    away = np.zeros(SLOTS_PER_YEAR, dtype=bool)
    for other in own:
        if other.registration == SUBSIDIARY and other.key != enrolment.key:
            other_open = school_years[(other.school_urn, year)].open_slots
            away |= on_roll_slots(year, other.start, other.end) & other_open & np.isin(
                weekday, other.attends_on
            )
    return away
