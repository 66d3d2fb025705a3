"""Who is on which school's admission register, and when: the demo's enrolments.

A register is kept only while a pupil is on roll (reference 3.2), so the demo needs the ways
pupils come and go: Reception and Year 7 intakes, Year 6 moving up to a Kestermoor secondary,
Year 11 staying on for the sixth form or leaving, families moving in and away during the year,
pupils moving between two Kestermoor schools, permanent exclusions followed by the pupil referral
unit, dual registration with the unit for two days a week, and children in care, some of them
placed at schools in neighbouring authorities (where they move when their placement does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from muster.core.calendar import EntryKind, SchoolCalendar
from muster.core.slots import year_start
from muster.demo import schools
from muster.demo.calendars import terms
from muster.demo.people import Pupil, PupilMaker
from muster.demo.schools import SchoolPlan

SINGLE, MAIN, SUBSIDIARY = "single", "main", "subsidiary"

OUTSIDE_LA_CODES = ("825", "855", "873", "886", "919")
"""Where pupils who join from outside Kestermoor were first given a UPN (codes only)."""


@dataclass
class Enrolment:
    key: int
    pupil_key: int
    school_urn: str
    start: dt.date
    end: dt.date | None = None
    registration: str = SINGLE
    excluded_at_end: bool = False
    """Permanently excluded: the last days on roll are `E`, then the pupil referral unit."""
    attends_on: tuple[int, ...] = ()
    """Subsidiary registration: the weekdays (0 = Monday) spent at this school."""


class SchoolDays:
    """Open days of each school in the demo's academic years, for picking realistic dates."""

    def __init__(self, calendars: dict[str, SchoolCalendar], years: list[int]) -> None:
        self.calendars = calendars
        self.years = years
        self._days: dict[str, np.ndarray] = {}
        for urn, calendar in calendars.items():
            days = []
            for year in years:
                open_days = calendar.open_slots(year).reshape(-1, 2).any(axis=1)
                base = year_start(year).toordinal()
                days.append(base + np.flatnonzero(open_days))
            self._days[urn] = np.concatenate(days)

    def between(self, urn: str, first: dt.date, last: dt.date) -> np.ndarray:
        days = self._days[urn]
        return days[(days >= first.toordinal()) & (days <= last.toordinal())]

    def pick(self, rng: np.random.Generator, urn: str, first: dt.date, last: dt.date) -> dt.date | None:
        days = self.between(urn, first, last)
        return dt.date.fromordinal(int(rng.choice(days))) if len(days) else None

    def next_open(self, urn: str, after: dt.date) -> dt.date:
        days = self._days[urn]
        later = days[days > after.toordinal()]
        return dt.date.fromordinal(int(later[0])) if len(later) else after + dt.timedelta(days=1)

    def year_bounds(self, urn: str, year: int) -> tuple[dt.date, dt.date]:
        """First and last day of term in academic year `year`."""
        terms = [
            e for e in self.calendars[urn].entries
            if EntryKind(e.kind) is EntryKind.TERM and year_start(year) <= e.start < year_start(year + 1)
        ]
        return min(t.start for t in terms), max(t.end for t in terms)


@dataclass
class Roll:
    pupils: list[Pupil]
    enrolments: list[Enrolment] = field(default_factory=list)


class RollBuilder:
    """Builds the pupils and enrolments of both academic years, story by story."""

    def __init__(
        self, rng: np.random.Generator, maker: PupilMaker, days: SchoolDays, year: int,
        today: dt.date, scale: float,
    ) -> None:
        self.rng, self.maker, self.days = rng, maker, days
        self.year, self.previous = year, year - 1
        self.today, self.scale = today, scale
        self.enrolments: list[Enrolment] = []
        self.primary_pool = {s.urn: self.count(s.year_group) for s in schools.home_schools("primary")}
        self.year11_pool = {s.urn: self.count(s.year_group) for s in schools.home_schools("secondary")}

    # Helpers -----------------------------------------------------------------------------

    def count(self, base: float, minimum: int = 1) -> int:
        return max(minimum, int(round(base * self.scale)))

    def enrol(self, pupil: Pupil, urn: str, start: dt.date, end: dt.date | None = None,
              **extra) -> Enrolment:
        enrolment = Enrolment(len(self.enrolments), pupil.key, urn, start, end, **extra)
        self.enrolments.append(enrolment)
        return enrolment

    def entry_start(self, school: SchoolPlan, nc_year: int, year: int) -> dt.date:
        """The first day of term in the year the pupil joined the school's first year group."""
        joined = year - (nc_year - school.nc_years[0])
        pattern = schools.AUTHORITY_OF[school.la_code].pattern
        return terms(joined, pattern)[0].start

    def upn_from(self, school: SchoolPlan) -> tuple[str, str]:
        return school.la_code, school.establishment

    def upn_elsewhere(self) -> tuple[str, str]:
        la = str(self.rng.choice(OUTSIDE_LA_CODES))
        return la, f"{int(self.rng.integers(2000, 2400)):04d}"

    def upn_other_primary(self) -> tuple[str, str]:
        """A Kestermoor primary outside the demo (numbers the demo's schools do not use)."""
        return schools.HOME.code, f"{int(self.rng.integers(2200, 2400)):04d}"

    def day_in(self, urn: str, year: int, *, before_today: bool = True) -> dt.date | None:
        """A random open day of the school in `year`, before today where that matters."""
        first, last = self.days.year_bounds(urn, year)
        if before_today:
            last = min(last, self.today - dt.timedelta(days=1))
        return self.days.pick(self.rng, urn, first + dt.timedelta(days=7), last)

    def other_school(self, school: SchoolPlan, nc_year: int | None = None) -> SchoolPlan | None:
        others = [
            s for s in schools.home_schools(school.phase)
            if s.urn != school.urn and (nc_year is None or nc_year in s.nc_years)
        ]
        return others[int(self.rng.integers(len(others)))] if others else None

    # Stories ------------------------------------------------------------------------------

    def on_roll_now(self, school: SchoolPlan, nc_year: int) -> Pupil:
        """A pupil on the school's roll this year, with the history that brought them there."""
        if school.phase == "alternative":
            return self.after_exclusion(school, nc_year)
        if nc_year == 7 and school.phase == "secondary":
            return self.year7(school)
        if nc_year == 12:
            return self.sixth_former(school)
        first_year = nc_year == school.nc_years[0]
        draw = self.rng.random()
        if first_year or draw < 0.88:
            return self.stayer(school, nc_year)
        if draw < 0.96:
            return self.joiner(school, nc_year, self.previous if draw < 0.92 else self.year)
        return self.mover(school, nc_year)

    def stayer(self, school: SchoolPlan, nc_year: int, upn_from=None) -> Pupil:
        pupil = self.maker.make(nc_year=nc_year, academic_year=self.year, phase=school.phase,
                                upn_from=upn_from or self.upn_from(school))
        self.enrol(pupil, school.urn, self.entry_start(school, nc_year, self.year))
        return pupil

    def joiner(self, school: SchoolPlan, nc_year: int, year: int) -> Pupil:
        """Moved into the area during `year` (or at the start of this year if none has passed)."""
        start = self.day_in(school.urn, year) or self.days.year_bounds(school.urn, self.year)[0]
        pupil = self.maker.make(nc_year=nc_year, academic_year=self.year, phase=school.phase,
                                upn_from=self.upn_elsewhere())
        self.enrol(pupil, school.urn, start)
        return pupil

    def mover(self, school: SchoolPlan, nc_year: int) -> Pupil:
        """Moved to this school from another Kestermoor school during last year or this one."""
        year = self.year if self.rng.random() < 0.4 else self.previous
        before = self.other_school(school, nc_year - (year == self.previous))
        left = self.day_in(before.urn, year) if before else None
        if before is None or left is None:
            return self.joiner(school, nc_year, year)
        gap = dt.timedelta(days=int(self.rng.integers(0, 10)))
        pupil = self.maker.make(nc_year=nc_year, academic_year=self.year, phase=school.phase,
                                upn_from=self.upn_from(before))
        self.enrol(pupil, before.urn, self.entry_start(before, nc_year, self.year), left)
        self.enrol(pupil, school.urn, self.days.next_open(school.urn, left + gap))
        return pupil

    def year7(self, school: SchoolPlan) -> Pupil:
        """Year 7: about half come up from a Kestermoor primary, the rest from elsewhere."""
        pool = [urn for urn, left in self.primary_pool.items() if left > 0]
        if not pool or self.rng.random() >= 0.45:
            return self.stayer(school, 7, upn_from=self.upn_other_primary())
        primary = schools.BY_URN[pool[int(self.rng.integers(len(pool)))]]
        self.primary_pool[primary.urn] -= 1
        pupil = self.maker.make(nc_year=7, academic_year=self.year, phase=school.phase,
                                upn_from=self.upn_from(primary))
        last_day = self.days.year_bounds(primary.urn, self.previous)[1]
        self.enrol(pupil, primary.urn, self.entry_start(primary, 6, self.previous), last_day)
        self.enrol(pupil, school.urn, self.entry_start(school, 7, self.year))
        return pupil

    def sixth_former(self, school: SchoolPlan) -> Pupil:
        """Year 12: most stay on from Year 11, some come from the other secondary."""
        draw = self.rng.random()
        if draw < 0.65 and self.year11_pool.get(school.urn, 0) > 0:
            self.year11_pool[school.urn] -= 1
            return self.stayer(school, 12)
        other = self.other_school(school) or school
        if draw < 0.9 and self.year11_pool.get(other.urn, 0) > 0:
            self.year11_pool[other.urn] -= 1
            pupil = self.maker.make(nc_year=12, academic_year=self.year, phase=school.phase,
                                    upn_from=self.upn_from(other))
            last_day = self.days.year_bounds(other.urn, self.previous)[1]
            self.enrol(pupil, other.urn, self.entry_start(other, 11, self.previous), last_day)
            self.enrol(pupil, school.urn, self.days.year_bounds(school.urn, self.year)[0])
            return pupil
        return self.joiner(school, 12, self.year)

    def after_exclusion(self, unit: SchoolPlan, nc_year: int) -> Pupil:
        """At the pupil referral unit after a permanent exclusion from a Kestermoor secondary."""
        year = self.previous if nc_year > 7 and self.rng.random() < 0.5 else self.year
        secondary = schools.home_schools("secondary")[int(self.rng.integers(2))]
        excluded_on = self.day_in(secondary.urn, year)
        if excluded_on is None:
            return self.joiner(unit, nc_year, self.year)
        pupil = self.maker.make(nc_year=nc_year, academic_year=self.year, phase=unit.phase,
                                upn_from=self.upn_from(secondary))
        self.enrol(pupil, secondary.urn, self.entry_start(secondary, nc_year, self.year),
                   excluded_on, excluded_at_end=True)
        self.enrol(pupil, unit.urn, self.days.next_open(unit.urn, excluded_on + dt.timedelta(days=2)))
        return pupil

    def left_during(self, school: SchoolPlan, year: int) -> Pupil | None:
        """A pupil whose family moved away during `year`."""
        nc_year = int(self.rng.choice(school.nc_years))
        left = self.day_in(school.urn, year)
        if left is None:
            return None
        pupil = self.maker.make(nc_year=nc_year, academic_year=year, phase=school.phase,
                                upn_from=self.upn_from(school))
        self.enrol(pupil, school.urn, self.entry_start(school, nc_year, year), left)
        return pupil

    def left_last_summer(self, school: SchoolPlan, nc_year: int) -> Pupil:
        """Finished at the school when last year ended (Year 6, 11 or 13)."""
        pupil = self.maker.make(nc_year=nc_year, academic_year=self.previous, phase=school.phase,
                                upn_from=self.upn_from(school))
        first_day, last_day = self.days.year_bounds(school.urn, self.previous)
        start = self.entry_start(school, nc_year, self.previous)
        if school.phase == "alternative":  # nobody spends five years at the unit
            start = self.day_in(school.urn, self.previous, before_today=False) or first_day
        self.enrol(pupil, school.urn, start, last_day)
        return pupil

    def placed_elsewhere(self, school: SchoolPlan) -> Pupil:
        """A Kestermoor child in care at a school in another authority; some moved there when
        their placement changed."""
        nc_year = int(self.rng.choice(school.nc_years))
        home = schools.home_schools(school.phase)[0]
        can_move = nc_year - 1 in home.nc_years and self.rng.random() < 0.4
        moved_on = self.day_in(home.urn, self.previous) if can_move else None
        origin = home if moved_on else school
        pupil = self.maker.make(nc_year=nc_year, academic_year=self.year, phase=school.phase,
                                upn_from=self.upn_from(origin))
        if moved_on is None:
            self.enrol(pupil, school.urn, self.entry_start(school, nc_year, self.year))
        else:
            self.enrol(pupil, home.urn, self.entry_start(home, nc_year, self.year), moved_on)
            gap = dt.timedelta(days=int(self.rng.integers(3, 15)))
            self.enrol(pupil, school.urn, self.days.next_open(school.urn, moved_on + gap))
        self.maker.take_into_care(pupil, schools.HOME.code)
        return pupil

    def dual_register(self, enrolment: Enrolment, unit: SchoolPlan) -> None:
        """Two days a week at the pupil referral unit, kept on the secondary's roll (main)."""
        year = self.year if self.rng.random() < 0.5 else self.previous
        start = self.day_in(unit.urn, year)
        if start is None:
            year, start = self.previous, self.day_in(unit.urn, self.previous)
        if start is None:
            return
        end = None
        if year == self.previous:
            weeks = int(self.rng.integers(10, 20))
            end = min(start + dt.timedelta(weeks=weeks), self.days.year_bounds(unit.urn, year)[1])
        first_weekday = int(self.rng.integers(0, 3))
        enrolment.registration = MAIN
        self.enrol(self.maker.pupils[enrolment.pupil_key], unit.urn, start, end,
                   registration=SUBSIDIARY, attends_on=(first_weekday, first_weekday + 2))


def build_roll(
    rng: np.random.Generator, maker: PupilMaker, days: SchoolDays, *, year: int, today: dt.date,
    scale: float,
) -> Roll:
    """Pupils and enrolments for academic years `year - 1` and `year`."""
    b = RollBuilder(rng, maker, days, year, today, scale)
    on_roll: list[Pupil] = []
    for school in schools.home_schools():
        for nc_year in school.nc_years:
            size = school.sixth_form if nc_year >= 12 and school.sixth_form else school.year_group
            on_roll.extend(b.on_roll_now(school, nc_year) for _ in range(b.count(size)))
    _leavers(b)
    _dual_registrations(b)
    _children_in_care(b, on_roll)
    return Roll(maker.pupils, b.enrolments)


def _leavers(b: RollBuilder) -> None:
    for urn, left in b.primary_pool.items():
        for _ in range(left):  # went on to secondaries outside the demo
            b.left_last_summer(schools.BY_URN[urn], 6)
    for urn, left in b.year11_pool.items():
        for _ in range(left):
            b.left_last_summer(schools.BY_URN[urn], 11)
    for school in schools.home_schools():
        last = school.nc_years[-1]
        if last > 11 or school.phase in ("special", "alternative"):
            size = school.sixth_form or school.year_group
            for _ in range(b.count(size)):
                b.left_last_summer(school, last)
        if school.phase == "alternative":
            continue
        roll = sum(b.count(school.year_group) for _ in school.nc_years)
        for year, share in ((b.previous, 0.03), (b.year, 0.015)):
            for _ in range(int(round(roll * share))):
                b.left_during(school, year)


def _dual_registrations(b: RollBuilder) -> None:
    unit = schools.home_schools("alternative")[0]
    secondaries = {s.urn for s in schools.home_schools("secondary")}
    candidates = [
        e for e in b.enrolments
        if e.school_urn in secondaries and e.end is None and e.registration == SINGLE
        and e.start < year_start(b.previous)
        and b.maker.pupils[e.pupil_key].nc_year in ("8", "9", "10", "11")
    ]
    n = min(len(candidates), b.count(8))
    for i in b.rng.choice(len(candidates), size=n, replace=False):
        b.dual_register(candidates[int(i)], unit)


def _children_in_care(b: RollBuilder, on_roll: list[Pupil]) -> None:
    """About 60 children looked after by Kestermoor (3,000 pupils), a quarter placed out of
    area, and a few looked after by other authorities attending Kestermoor schools."""
    for school in schools.placements_elsewhere():
        for _ in range(b.count(6)):
            b.placed_elsewhere(school)
    weights = np.array([2.0 if p.nc_year not in ("R", "1", "2") else 1.0 for p in on_roll])
    n_home, n_other = b.count(56, 2), b.count(4)
    chosen = b.rng.choice(len(on_roll), size=min(len(on_roll), n_home + n_other), replace=False,
                          p=weights / weights.sum())
    for i, index in enumerate(chosen):
        authority = schools.HOME.code if i < n_home else schools.NEIGHBOURS[i % 2].code
        b.maker.take_into_care(on_roll[int(index)], authority)
