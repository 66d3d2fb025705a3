"""Data-quality rules: where the data itself is wrong or incomplete (`muster lint`).

Each rule is a function over plain data (a register row of 732 slots, a calendar, enrolment
dates, pupil identities) that returns findings; each finding names the rule, the pupil, the school,
the session where there is one, and where it is put right. Issue "Interoperability", item 5.

Rules that need data Muster does not hold yet are not here, and `SKIPPED` says why, so a report
can say what was not checked rather than look clean.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from muster.core import codes, slots
from muster.core.calendar import SchoolCalendar
from muster.core.register_checks import CLOSURE_ID, on_roll_slots, weekday_slots


class Rule(StrEnum):
    UNMARKED = "unmarked-session"
    N_UNRESOLVED = "n-unresolved"
    CLOSED_DAY = "mark-on-closed-day"
    OUTSIDE_ENROLMENT = "mark-outside-enrolment"
    RETIRED_CODE = "retired-code"
    DUAL_WITHOUT_PAIR = "dual-registration-without-pair"
    DUPLICATE_PUPIL = "duplicate-pupil"
    CHILD_IN_CARE_WITHOUT_PEP = "child-in-care-without-pep"
    PART_TIME_WITHOUT_END = "part-time-timetable-without-end"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]

    @property
    def fixed_in(self) -> str:
        return FIXED_IN[self]


DESCRIPTIONS = {
    Rule.UNMARKED: "An open session on roll, before today, has no mark (reference 0: never "
                   "guessed; the school marks it)",
    Rule.N_UNRESOLVED: "N (reason not yet established) still held after the school days allowed "
                       "(reference 2.1, 2.3; policies/national/data_quality/n_code_school_days)",
    Rule.CLOSED_DAY: "A mark on a session when the school was closed: a weekend, holiday or "
                     "planned closure (only # may stand on a closed weekday)",
    Rule.OUTSIDE_ENROLMENT: "A mark on a session when the pupil was not on this school's roll",
    Rule.RETIRED_CODE: "A code withdrawn on 19 August 2024 (H, F, J, Y, ...) used on or after "
                       "that day (reference 2.2)",
    Rule.DUAL_WITHOUT_PAIR: "A main or subsidiary registration with no registration of the "
                            "other kind at another school at the same time (reference 0, dual "
                            "registration)",
    Rule.DUPLICATE_PUPIL: "Two UPNs for one child: the same legal name and date of birth",
    Rule.CHILD_IN_CARE_WITHOUT_PEP: "A child in care on roll with no personal education plan "
                                    "meeting this term (the PEP is reviewed termly: issue 9 item 5)",
    Rule.PART_TIME_WITHOUT_END: "A part-time timetable (C2) still running with no end date: it "
                                "must be temporary and time-limited (seed 004 line 150; reference 1)",
}
FIXED_IN = {
    Rule.UNMARKED: "the school's register for that session (or muster import marks)",
    Rule.N_UNRESOLVED: "the school's register: correct the mark, with the reason",
    Rule.CLOSED_DAY: "the register (correct the mark) or the calendar (muster import calendar)",
    Rule.OUTSIDE_ENROLMENT: "the register (correct the mark) or the enrolment dates "
                            "(muster import pupils)",
    Rule.RETIRED_CODE: "the register: replace it with its 2024 code",
    Rule.DUAL_WITHOUT_PAIR: "the enrolments (muster import pupils): add the other school's "
                            "registration or make this one single",
    Rule.DUPLICATE_PUPIL: "the pupils' records: keep one UPN and move the other's enrolments",
    Rule.CHILD_IN_CARE_WITHOUT_PEP: "the child's care page: record this term's PEP meeting",
    Rule.PART_TIME_WITHOUT_END: "the part-time timetable: give its end date (or close it)",
}
SKIPPED: dict[str, str] = {}
"""Checks the issue asks for whose data does not exist yet: reported as not run (none now)."""


@dataclass(frozen=True, order=True)
class Finding:
    rule: Rule
    upn: str
    school_urn: str
    day: dt.date | None = None
    session: str = ""
    detail: str = ""

    @property
    def fixed_in(self) -> str:
        return self.rule.fixed_in


@dataclass(frozen=True)
class RegisterRow:
    """One enrolment's register for one academic year (a row of zeros when none is held)."""

    upn: str
    school_urn: str
    year: int
    marks: np.ndarray
    start: dt.date
    end: dt.date | None


_RETIRED = np.zeros(256, dtype=np.bool_)
for _code in codes.CODES:
    if _code.is_legacy:
        _RETIRED[_code.id] = True
N_ID = codes.code("N").id


def _sessions(row: RegisterRow, mask: np.ndarray) -> Iterable[tuple[int, dt.date, str]]:
    for slot in np.flatnonzero(mask):
        day, session = slots.date_of(row.year, int(slot))
        yield int(slot), day, session.value


def register_findings(
    row: RegisterRow, calendar: SchoolCalendar, *, today: dt.date, n_school_days: int
) -> list[Finding]:
    """Every session-level finding in one register row, in slot order."""
    marks = row.marks
    marked = marks != codes.NO_MARK
    open_slots = calendar.open_slots(row.year)
    on_roll = on_roll_slots(row.year, row.start, row.end)
    before_today = np.arange(slots.SLOTS_PER_YEAR) < _first_slot_on(row.year, today)
    found: list[Finding] = []

    def add(rule: Rule, mask: np.ndarray, detail) -> None:
        for slot, day, session in _sessions(row, mask):
            found.append(Finding(rule, row.upn, row.school_urn, day, session, detail(slot, day)))

    def symbol(slot: int) -> str:
        return str(codes.SYMBOL_OF_ID[marks[slot]])

    add(Rule.UNMARKED, open_slots & on_roll & before_today & ~marked, lambda s, d: "no mark")
    closure_ok = (marks == CLOSURE_ID) & ~open_slots & weekday_slots(row.year)
    add(Rule.CLOSED_DAY, marked & on_roll & ~open_slots & ~closure_ok,
        lambda s, d: f"{symbol(s)} when the school was closed ({calendar.why_closed(d, slots.date_of(row.year, s)[1])})")
    add(Rule.OUTSIDE_ENROLMENT, marked & ~on_roll,
        lambda s, d: f"{symbol(s)} outside the enrolment {row.start} to {row.end or 'now'}")
    legacy = _RETIRED[marks]
    add(Rule.RETIRED_CODE, legacy & (np.arange(slots.SLOTS_PER_YEAR) >= _first_slot_on(row.year, codes.LEGACY_CODES_END)),
        lambda s, d: f"{symbol(s)} has not been a code since {codes.LEGACY_CODES_END}")
    for _slot, day, session in _sessions(row, (marks == N_ID) & open_slots):
        passed = school_days_between(calendar, day, today)
        if passed >= n_school_days:
            found.append(Finding(Rule.N_UNRESOLVED, row.upn, row.school_urn, day, session,
                                 f"N since {day}: {passed} school days have passed"))
    found.sort(key=lambda f: (f.day or dt.date.min, f.session, f.rule))
    return found


def school_days_between(calendar: SchoolCalendar, first: dt.date, last: dt.date) -> int:
    """School days (days with an open session) strictly after `first` and before `last`: an N of
    Monday is overdue on the sixth school day, once five whole school days have passed."""
    return calendar.school_days_between(first, last - dt.timedelta(days=1))


def _first_slot_on(year: int, day: dt.date) -> int:
    if day <= slots.year_start(year):
        return 0
    if day > slots.year_end(year):
        return slots.SLOTS_PER_YEAR
    return slots.slot_of(day, slots.Session.AM)[1]


@dataclass(frozen=True)
class Registration:
    upn: str
    school_urn: str
    start: dt.date
    end: dt.date | None
    kind: str
    """single, main or subsidiary."""


_PAIR = {"main": "subsidiary", "subsidiary": "main"}


def dual_registration_findings(registrations: Iterable[Registration]) -> list[Finding]:
    """A main registration needs a subsidiary one at another school overlapping it, and the
    other way round (reference 0: each school keeps its own register; `D` marks the other's)."""
    by_pupil: dict[str, list[Registration]] = defaultdict(list)
    for r in registrations:
        by_pupil[r.upn].append(r)
    found = []
    for upn, own in by_pupil.items():
        for r in own:
            if r.kind not in _PAIR:
                continue
            paired = any(
                o.kind == _PAIR[r.kind] and o.school_urn != r.school_urn
                and o.start <= (r.end or dt.date.max) and r.start <= (o.end or dt.date.max)
                for o in own
            )
            if not paired:
                found.append(Finding(
                    Rule.DUAL_WITHOUT_PAIR, upn, r.school_urn, r.start, "",
                    f"{r.kind} registration from {r.start} to {r.end or 'now'} with no "
                    f"{_PAIR[r.kind]} registration at another school",
                ))
    return sorted(found)


@dataclass(frozen=True)
class Identity:
    upn: str
    surname: str
    forename: str
    date_of_birth: dt.date
    school_urn: str = ""


def duplicate_pupil_findings(identities: Iterable[Identity]) -> list[Finding]:
    """Pupils sharing a legal surname, forename (ignoring case and spaces) and date of birth
    under different UPNs: one finding per UPN, naming the others."""
    groups: dict[tuple, list[Identity]] = defaultdict(list)
    for i in identities:
        key = (" ".join(i.surname.casefold().split()), " ".join(i.forename.casefold().split()),
               i.date_of_birth)
        groups[key].append(i)
    found = []
    for group in groups.values():
        upns = sorted({i.upn for i in group})
        if len(upns) < 2:
            continue
        for i in group:
            others = ", ".join(u for u in upns if u != i.upn)
            found.append(Finding(Rule.DUPLICATE_PUPIL, i.upn, i.school_urn, None, "",
                                 f"{i.forename} {i.surname}, born {i.date_of_birth}, is also {others}"))
    return sorted(found)


@dataclass(frozen=True)
class ChildInCare:
    upn: str
    school_urn: str
    term_start: dt.date | None
    """The first day of the school's term holding today (or of the latest term begun)."""
    pep_meetings: tuple[dt.date, ...]


def child_in_care_findings(children: Iterable[ChildInCare], today: dt.date) -> list[Finding]:
    """A child in care on roll with no PEP meeting from the start of this term up to today."""
    found = []
    for c in children:
        if c.term_start is None:
            continue
        held = [d for d in c.pep_meetings if c.term_start <= d <= today]
        if not held:
            last = max((d for d in c.pep_meetings if d < c.term_start), default=None)
            found.append(Finding(Rule.CHILD_IN_CARE_WITHOUT_PEP, c.upn, c.school_urn, c.term_start, "",
                                 f"no PEP meeting since the term began on {c.term_start}"
                                 + (f" (the last was {last})" if last else " (none recorded)")))
    return sorted(found)


@dataclass(frozen=True)
class PartTime:
    upn: str
    school_urn: str
    start: dt.date
    end: dt.date | None
    closed_on: dt.date | None


def part_time_findings(timetables: Iterable[PartTime], today: dt.date) -> list[Finding]:
    """A part-time timetable begun and not closed that has no end date."""
    return sorted(
        Finding(Rule.PART_TIME_WITHOUT_END, t.upn, t.school_urn, t.start, "",
                f"part-time timetable from {t.start} with no end date")
        for t in timetables
        if t.end is None and t.closed_on is None and t.start <= today
    )
