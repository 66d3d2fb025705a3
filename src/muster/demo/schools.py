"""The invented local authorities and schools of the demo.

One home authority, Kestermoor, maintains the schools a local authority attendance team and its
Virtual School work with: primaries, secondaries (one with a sixth form), a special school and a
pupil referral unit. Two neighbouring authorities each hold a school or two where some of
Kestermoor's children in care are placed, each on its own term pattern. Every name is invented;
the LA codes are real DfE numbers only so that UPNs pass the check (`stdnum.gb.upn` knows the list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from muster.demo.calendars import EasterHoliday, SchoolHabits, TermPattern


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    pattern: TermPattern


HOME = Authority("938", "Kestermoor", TermPattern())
NEIGHBOURS = (
    Authority("936", "Brackenfold", TermPattern(october_half_term_weeks_before_end=1)),
    Authority("880", "Wyvern Bay", TermPattern(easter=EasterHoliday.FIXED_APRIL)),
)
AUTHORITIES = (HOME, *NEIGHBOURS)


@dataclass(frozen=True)
class RegisterTimes:
    """When the registers open and close; arriving after the close is `U` (reference 1)."""

    am_opens: dt.time
    am_closes: dt.time
    pm_opens: dt.time
    pm_closes: dt.time

    @property
    def am_window_minutes(self) -> int:
        return (self.am_closes.hour - self.am_opens.hour) * 60 + (
            self.am_closes.minute - self.am_opens.minute
        )


@dataclass(frozen=True)
class SchoolPlan:
    """A school as the demo plans it: who it teaches and how many per year group."""

    urn: str
    name: str
    la_code: str
    phase: str
    """A `muster.registers.models.Phase` value."""
    establishment: str
    """The 4-digit DfE establishment number, part of the UPNs the school allocates."""
    nc_years: tuple[int, ...]
    """National curriculum years taught; 0 is Reception."""
    year_group: int
    """Pupils per year group (before scaling), or per Year 12 and 13 where `sixth_form` differs."""
    habits: SchoolHabits
    times: RegisterTimes
    sixth_form: int = 0
    home: bool = True
    """Maintained by the home authority (its whole roll is in the demo). Schools elsewhere hold
    only the home authority's children in care placed there."""


def _times(am: str, am_minutes: int, pm: str, pm_minutes: int = 15) -> RegisterTimes:
    def after(start: str, minutes: int) -> dt.time:
        t = dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(start))
        return (t + dt.timedelta(minutes=minutes)).time()

    return RegisterTimes(
        dt.time.fromisoformat(am), after(am, am_minutes), dt.time.fromisoformat(pm), after(pm, pm_minutes)
    )


PRIMARY_YEARS = tuple(range(0, 7))
SECONDARY_YEARS = tuple(range(7, 12))

SCHOOLS: tuple[SchoolPlan, ...] = (
    SchoolPlan(
        "990101", "Thistlecombe Primary School", "938", "primary", "2101", PRIMARY_YEARS, 30,
        SchoolHabits(inset_choices=("sept-2", "jan-1", "oct-friday", "jul-last")),
        _times("08:40", 30, "13:15"),
    ),
    SchoolPlan(
        "990102", "Brindlewood Primary School", "938", "primary", "2102", PRIMARY_YEARS, 60,
        SchoolHabits(inset_choices=("sept-2", "nov-monday", "jan-1", "jun-monday"),
                     polling_station=True),
        _times("08:45", 25, "13:00"),
    ),
    SchoolPlan(
        "990103", "Harkenby Church of England Primary School", "938", "primary", "3103",
        PRIMARY_YEARS, 45,
        SchoolHabits(summer_end_shift=1, inset_choices=("sept-2", "feb-friday", "jan-1", "jul-last"),
                     half_day_inset=True),
        _times("08:40", 30, "13:10"),
    ),
    SchoolPlan(
        "990104", "Quillmere Primary School", "938", "primary", "2104", PRIMARY_YEARS, 30,
        SchoolHabits(inset_choices=("oct-friday", "jan-1", "feb-friday", "jul-last"),
                     polling_station=True),
        _times("08:50", 20, "13:15"),
    ),
    SchoolPlan(
        "990201", "Kestermoor High School", "938", "secondary", "4201", SECONDARY_YEARS, 180,
        SchoolHabits(inset_choices=("sept-2", "nov-monday", "jan-1", "jun-monday")),
        _times("08:35", 25, "12:55"),
    ),
    SchoolPlan(
        "990202", "Vellacott Academy", "938", "secondary", "4202", SECONDARY_YEARS + (12, 13), 150,
        SchoolHabits(summer_end_shift=-1, inset_choices=("sept-2", "oct-friday", "jan-1", "feb-friday")),
        _times("08:30", 30, "13:20"),
        sixth_form=90,
    ),
    SchoolPlan(
        "990301", "Fernhallow School", "938", "special", "7301", tuple(range(1, 14)), 4,
        SchoolHabits(inset_choices=("sept-2", "jan-1", "feb-friday", "jul-last")),
        _times("09:00", 30, "13:15"),
    ),
    SchoolPlan(
        "990401", "Kestermoor Learning Centre", "938", "alternative", "1101", tuple(range(7, 12)), 4,
        SchoolHabits(inset_choices=("sept-2", "jan-1", "oct-friday", "jul-last")),
        _times("09:15", 30, "13:00"),
    ),
    SchoolPlan(
        "991101", "Copperbeck Primary School", "936", "primary", "2111", PRIMARY_YEARS, 0,
        SchoolHabits(inset_choices=("sept-2", "jan-1", "jun-monday", "jul-last")),
        _times("08:45", 30, "13:05"), home=False,
    ),
    SchoolPlan(
        "991201", "Ravensgill School", "936", "secondary", "4211", SECONDARY_YEARS, 0,
        SchoolHabits(summer_end_shift=1, inset_choices=("sept-2", "oct-friday", "jan-1", "jul-last")),
        _times("08:40", 20, "13:30"), home=False,
    ),
    SchoolPlan(
        "992201", "Wyvern Bay Community College", "880", "secondary", "4221", SECONDARY_YEARS, 0,
        SchoolHabits(inset_choices=("sept-2", "nov-monday", "feb-friday", "jun-monday")),
        _times("08:40", 25, "13:10"), home=False,
    ),
)

BY_URN = {s.urn: s for s in SCHOOLS}
AUTHORITY_OF = {a.code: a for a in AUTHORITIES}


def home_schools(phase: str | None = None) -> list[SchoolPlan]:
    return [s for s in SCHOOLS if s.home and (phase is None or s.phase == phase)]


def placements_elsewhere() -> list[SchoolPlan]:
    return [s for s in SCHOOLS if not s.home]
