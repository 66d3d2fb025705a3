"""Returns a school owes its local authority, detected from the marks.

Sources: domain reference 5.2 (attendance, sickness, new pupil and deletion returns), 5.3
(deletion grounds) and the decisions of section 0 ("School days" of absence in returns and
deletion ground (i); "Attendance return"; "Sickness return"; "Deletion ground 9(1)(i)"); seed
002 line 169 (the sickness return); formats.md "Returns to the local authority" (the fields).
The numbers and codes are dated parameters in `policies/national/returns/`.

Counting (reference 0): a school day is two sessions, counted in the pupil's *open* sessions in
time order, so runs skip closures (`#`), weekends, holidays and days off roll without breaking.
An open session is one with any mark but none, `Z` or `#`. A pupil's registers at several
schools are pooled first, keeping the best mark of each session (reference 0, "Two marks for
one session"), so a run or a yearly count follows the pupil across a school move.

- Attendance return: met on the 20th consecutive open session coded G, N, O or U; one per run.
- Deletion ground 9(1)(i): met on the 40th consecutive open session coded G, N or O; any other
  code, U included, breaks the run.
- Sickness return: met when the pupil's `I` sessions in one school year reach 30, across all
  their schools; one per pupil per school year. The reference lets staff raise it earlier when
  they reasonably believe the pupil *will* reach 15 days (5.2), so `sickness_outlook` gives
  each pupil's count so far and current spell for that judgement.
- New pupil return: due by the end of the 5th day after the name is entered (Regulation 13).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from muster.core import codes
from muster.core.parameters import national
from muster.core.register_matrix import RegisterMatrix
from muster.core.slots import academic_year, year_start

OPEN_CODES_END = codes.CATEGORY_RANGES[codes.Category.ADMINISTRATIVE][0]
"""A session is open for the pupil when 1 <= id < this: any mark but none, `Z` and `#`."""

_NONE = np.uint8(255)


class ReturnKind(StrEnum):
    ATTENDANCE = "attendance"
    SICKNESS = "sickness"
    NEW_ENTRY = "new_entry"
    DELETION = "deletion"


DELETION_GROUNDS: dict[str, str] = {
    "9(1)(a)": "registered at another school",
    "9(1)(b)": "did not continue after nursery education at the school",
    "9(1)(c)": "also registered elsewhere and the other school consents; not expected to attend",
    "9(1)(d)": "school attendance order amended to name another school",
    "9(1)(e)": "school attendance order revoked",
    "9(1)(f)": "parent notified in writing of education otherwise than at school",
    "9(1)(g)": "no longer ordinarily lives within reasonable distance",
    "9(1)(h)": "has not returned after a leave of absence",
    "9(1)(i)": "continuously absent for at least 20 school days, every session G, N or O",
    "9(1)(j)": "detained under a sentence of detention",
    "9(1)(k)": "has died",
    "9(1)(l)": "will cease to be of compulsory school age and will not continue into the sixth form",
    "9(1)(m)": "boarding fees unpaid",
    "9(1)(n)": "ceased to be a pupil at an independent or non-maintained special school",
    "9(1)(o)": "permanently excluded",
}
"""The 15 grounds of regulation 9(1), in our words (domain reference 5.3)."""

GROUND_CONTINUOUS_ABSENCE = "9(1)(i)"


@dataclass(frozen=True)
class RunRule:
    """A run of consecutive open sessions, each with one of `codes`, `sessions` long."""

    sessions: int
    codes: frozenset[str]
    reference: str

    @classmethod
    def attendance_return(cls, on: dt.date) -> RunRule:
        return cls._national("attendance_return", on)

    @classmethod
    def deletion_ground_i(cls, on: dt.date) -> RunRule:
        return cls._national("deletion_ground_i", on)

    @classmethod
    def _national(cls, name: str, on: dt.date) -> RunRule:
        sessions = national("returns", f"{name}_sessions").value_on(on)
        run_codes = national("returns", f"{name}_codes").value_on(on)
        reference = national("returns", f"{name}_sessions").entry_on(on).reference
        return cls(int(sessions), frozenset(run_codes), reference)


@dataclass(frozen=True)
class Met:
    """One return owed: the unit (pupil) and the slot of the session that met the rule."""

    unit: int
    slot: int
    day: dt.date


def pupil_marks(matrix: RegisterMatrix) -> np.ndarray:
    """Units x slots: each unit's rows pooled, keeping the best mark of each session.

    Code ids are ordered best first by category (present < AEA < authorised < unauthorised <
    not possible < administrative), so the best mark is the smallest non-zero id.
    """
    if matrix.marks.shape[0] == matrix.n_units and np.array_equal(
        matrix.unit, np.arange(matrix.n_units)
    ):
        return matrix.marks
    pooled = np.full((matrix.n_units, matrix.n_slots), _NONE, dtype=np.uint8)
    held = np.where(matrix.marks == codes.NO_MARK, _NONE, matrix.marks)
    np.minimum.at(pooled, matrix.unit, held)
    pooled[pooled == _NONE] = codes.NO_MARK
    return pooled


def open_sessions(marks: np.ndarray) -> np.ndarray:
    return (marks != codes.NO_MARK) & (marks < OPEN_CODES_END)


def run_lengths(marks: np.ndarray, run_codes: frozenset[str]) -> np.ndarray:
    """For each slot, how many consecutive open sessions with a run code end at it (0 elsewhere).

    Slots that are not open (weekends, holidays, closures, off roll) neither break nor extend a
    run (reference 0, "School days"). Vectorised over all units at once.
    """
    is_open = open_sessions(marks)
    in_run = codes.id_table(run_codes)[marks]
    ordinal = np.cumsum(is_open, axis=1)
    breaker = is_open & ~in_run
    last_break = np.maximum.accumulate(np.where(breaker, ordinal, 0), axis=1)
    return np.where(in_run, ordinal - last_break, 0)


def runs_met(matrix: RegisterMatrix, rule: RunRule, start: int = 0, end: int | None = None) -> list[Met]:
    """Every session in [start, end) at which a run reaches `rule.sessions`: one per run."""
    marks = pupil_marks(matrix)
    end = matrix.n_slots if end is None else end
    lengths = run_lengths(marks[:, :end], rule.codes)
    units, slots = np.nonzero(lengths[:, start:end] == rule.sessions)
    return [
        Met(int(u), int(s) + start, matrix.day_of_slot(int(s) + start))
        for u, s in zip(units, slots, strict=True)
    ]


def attendance_returns(matrix: RegisterMatrix, on: dt.date, start: int = 0, end: int | None = None) -> list[Met]:
    """10 continuous school days of G, N, O or U (reference 5.2 and 0)."""
    return runs_met(matrix, RunRule.attendance_return(on), start, end)


def deletion_ground_i(matrix: RegisterMatrix, on: dt.date, start: int = 0, end: int | None = None) -> list[Met]:
    """20 continuous school days of G, N or O, broken by any other code (reference 5.3 and 0)."""
    return runs_met(matrix, RunRule.deletion_ground_i(on), start, end)


def _year_of_slots(matrix: RegisterMatrix) -> np.ndarray:
    days = np.arange(matrix.n_slots) // 2
    first = matrix.first_day
    boundaries = [
        (year_start(y) - first).days
        for y in range(academic_year(first) + 1, academic_year(matrix.last_day) + 1)
    ]
    return academic_year(first) + np.searchsorted(np.array(boundaries, dtype=np.int64), days, side="right")


def sickness_returns(
    matrix: RegisterMatrix, on: dt.date, start: int = 0, end: int | None = None
) -> list[Met]:
    """The session at which a pupil's `I` sessions in one school year reach the threshold.

    Counted across all the pupil's schools and across breaks: 15 school days consecutive or
    cumulative (seed 002 line 169; reference 5.2 and section 0). One per pupil per school year.
    """
    need = int(national("returns", "sickness_return_sessions").value_on(on))
    end = matrix.n_slots if end is None else end
    marks = pupil_marks(matrix)[:, :end]
    ill = marks == codes.code("I").id
    year = _year_of_slots(matrix)[:end]
    found: list[Met] = []
    for y in np.unique(year):
        columns = np.flatnonzero(year == y)
        count = np.cumsum(ill[:, columns], axis=1)
        reached = ill[:, columns] & (count == need)
        for u, c in zip(*np.nonzero(reached), strict=True):
            slot = int(columns[c])
            if slot >= start:
                found.append(Met(int(u), slot, matrix.day_of_slot(slot)))
    return sorted(found, key=lambda m: (m.slot, m.unit))


@dataclass(frozen=True)
class SicknessOutlook:
    """A pupil's illness so far in the school year of `on`, for staff judging whether they
    will reach the sickness return before the count does (reference 5.2: "reasonably believes
    will miss 15 school days")."""

    unit: int
    sessions_this_year: int
    current_spell: int
    """Consecutive open `I` sessions ending at the last open session on or before `on`."""
    sessions_needed: int

    @property
    def reached(self) -> bool:
        return self.sessions_this_year >= self.sessions_needed

    @property
    def will_reach_if_spell_continues_days(self) -> int:
        """School days more of the current spell at which the return is met (0 once reached)."""
        missing = max(0, self.sessions_needed - self.sessions_this_year)
        return (missing + 1) // 2


def sickness_outlook(matrix: RegisterMatrix, on: dt.date) -> list[SicknessOutlook]:
    """Every pupil who is ill in a current spell on `on`, with their count so far this year."""
    need = int(national("returns", "sickness_return_sessions").value_on(on))
    end = min(matrix.n_slots, matrix.slot(on) + 2)
    marks = pupil_marks(matrix)[:, :end]
    year = _year_of_slots(matrix)[:end]
    in_year = year == academic_year(on)
    ill = marks == codes.code("I").id
    lengths = run_lengths(marks, frozenset({"I"}))
    is_open = open_sessions(marks)
    outlook = []
    for u in range(marks.shape[0]):
        opened = np.flatnonzero(is_open[u])
        if not len(opened) or not ill[u, opened[-1]]:
            continue
        outlook.append(
            SicknessOutlook(
                unit=u,
                sessions_this_year=int(ill[u, in_year].sum()),
                current_spell=int(lengths[u, opened[-1]]),
                sessions_needed=need,
            )
        )
    return outlook


def new_entry_due(entered: dt.date) -> dt.date:
    """The end of the 5th day after the name is entered in the admission register (Reg 13)."""
    days = int(national("returns", "new_entry_days").value_on(entered))
    return entered + dt.timedelta(days=days)


def due_on(kind: ReturnKind, met_on: dt.date) -> dt.date:
    """When a return is due, counted from the day its rule was met.

    - attendance: the return is made at least once a calendar month (reference 5.2), so a pupil
      who meets the rule in a month is due in that month's return, by its last day;
    - sickness and deletion: as soon as the rule or ground is met (reference 5.2: the deletion
      return "as soon as the ground is met"; the sickness return when the school believes the
      pupil will miss 15 days, which the count confirms on the day it is met);
    - new entry: by the end of the 5th day after entry (`new_entry_due`).
    """
    if kind is ReturnKind.ATTENDANCE:
        last = calendar.monthrange(met_on.year, met_on.month)[1]
        return met_on.replace(day=last)
    if kind is ReturnKind.NEW_ENTRY:
        return new_entry_due(met_on)
    return met_on
