"""Invented pupils: names, dates of birth, UPNs and the characteristics the census records.

Names come from Faker's en_GB lists, seeded, so nobody real is described. The shares of
characteristics are set near England's: about a quarter eligible for free school meals, 13% on
SEN support and 3% with an EHC plan (far more in special schools and alternative provision), 4%
with a social worker, 1% previously looked after. Children in care are chosen by `rolls`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from faker import Faker
from stdnum.gb import upn as upn_check

RECEPTION = 0


def nc_year_label(year: int) -> str:
    return "R" if year == RECEPTION else str(year)


def nc_year_of(date_of_birth: dt.date, academic_year: int) -> int:
    """The year group a child born on this day is in during an academic year (0 = Reception):
    children start Reception in the September after they turn four."""
    cohort = date_of_birth.year if date_of_birth.month < 9 else date_of_birth.year + 1
    return academic_year - cohort - 4


def birth_dates(rng: np.random.Generator, nc_year: int, academic_year: int, n: int) -> list[dt.date]:
    """Dates of birth of `n` children in `nc_year` during `academic_year`."""
    first = dt.date(academic_year - nc_year - 5, 9, 1)
    days = rng.integers(0, 365, size=n)
    return [first + dt.timedelta(days=int(d)) for d in days]


@dataclass
class Pupil:
    key: int
    upn: str
    legal_surname: str
    legal_forename: str
    preferred_name: str
    date_of_birth: dt.date
    sex: str
    nc_year: str
    fsm: bool
    sen: str
    """N none, K SEN support, E EHC plan."""
    has_social_worker: bool
    previously_looked_after: bool
    looked_after: bool = False
    care_authority: str = ""


@dataclass(frozen=True)
class Needs:
    """Shares of characteristics among a school's pupils."""

    fsm: float = 0.25
    sen_support: float = 0.125
    ehc_plan: float = 0.018
    social_worker: float = 0.03


NEEDS_BY_PHASE = {
    "special": Needs(fsm=0.4, sen_support=0.0, ehc_plan=1.0, social_worker=0.12),
    "alternative": Needs(fsm=0.5, sen_support=0.45, ehc_plan=0.2, social_worker=0.3),
}


class UpnRegister:
    """Allocates UPNs as schools do: LA code, establishment number, year of allocation, serial."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, str, int], int] = {}

    def allocate(self, la_code: str, establishment: str, year: int) -> str:
        key = (la_code, establishment, year % 100)
        serial = self._next.get(key, 1)
        self._next[key] = serial + 1
        if serial > 999:
            raise ValueError(f"more than 999 UPNs for {key}")
        body = f"{la_code}{establishment}{year % 100:02d}{serial:03d}"
        return upn_check.calc_check_digit(body) + body


class PupilMaker:
    """Makes pupils one at a time, all randomness drawn from one seeded generator and Faker."""

    def __init__(self, rng: np.random.Generator, seed: int) -> None:
        self.rng = rng
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed)
        self.upns = UpnRegister()
        self.pupils: list[Pupil] = []

    def make(
        self,
        *,
        nc_year: int,
        academic_year: int,
        phase: str,
        upn_from: tuple[str, str],
        date_of_birth: dt.date | None = None,
    ) -> Pupil:
        """A pupil in `nc_year` during `academic_year`, with a UPN from (LA code, establishment)."""
        rng = self.rng
        dob = date_of_birth or birth_dates(rng, nc_year, academic_year, 1)[0]
        sex = "F" if rng.random() < 0.49 else "M"
        forename = self.faker.first_name_female() if sex == "F" else self.faker.first_name_male()
        preferred = ""
        if rng.random() < 0.04:
            preferred = self.faker.first_name_female() if sex == "F" else self.faker.first_name_male()
        needs = NEEDS_BY_PHASE.get(phase, Needs())
        sen_draw = rng.random()
        sen = "E" if sen_draw < needs.ehc_plan else "K" if sen_draw < needs.ehc_plan + needs.sen_support else "N"
        if sex == "M" and sen == "N" and rng.random() < 0.04:  # boys are identified more often
            sen = "K"
        entered = academic_year - max(nc_year, 0)
        pupil = Pupil(
            key=len(self.pupils),
            upn=self.upns.allocate(*upn_from, entered),
            legal_surname=self.faker.last_name(),
            legal_forename=forename,
            preferred_name=preferred,
            date_of_birth=dob,
            sex=sex,
            nc_year=nc_year_label(nc_year),
            fsm=bool(rng.random() < needs.fsm),
            sen=sen,
            has_social_worker=bool(rng.random() < needs.social_worker),
            previously_looked_after=bool(rng.random() < 0.01),
        )
        self.pupils.append(pupil)
        return pupil

    def take_into_care(self, pupil: Pupil, care_authority: str) -> None:
        """A child in care: a social worker always, SEN far more often than their peers (about
        half), and no FSM flag (the pupil premium plus is paid instead)."""
        pupil.looked_after = True
        pupil.care_authority = care_authority
        pupil.has_social_worker = True
        pupil.previously_looked_after = False
        pupil.fsm = False
        if pupil.sen == "N" and self.rng.random() < 0.45:
            pupil.sen = "E" if self.rng.random() < 0.35 else "K"
