"""The DfE attendance and absence codes, as data.

Source: domain reference (`shared/domain/reference.md`) table 2.1 (the 2024 code set), table 2.2
(legacy codes, accepted only for sessions before 19 August 2024) and section 9 (lookup sets).

Each code has a fixed byte id: the compact register stores one byte per session slot, so an id
once given is never changed or reused. Ids are grouped by statistical category in ranges with room
to spare, so a category test is a range check and a code added by future guidance still lands
inside its category's range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

NO_MARK = 0
"""The byte of a slot with no mark: no session, or an open session not yet marked."""

LEGACY_CODES_END = dt.date(2024, 8, 19)
"""The 2024 Regulations (SI 2024/208) took effect: legacy codes are valid only before this day."""


class Category(StrEnum):
    """Statistical category of a code (reference 2.1, column Cat.)."""

    PRESENT = "present"
    AEA = "approved_educational_activity"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"
    ADMINISTRATIVE = "administrative"

    @property
    def is_possible(self) -> bool:
        """Counts as a possible session (reference 3.1: possible = present + AEA + auth + unauth)."""
        return self in _POSSIBLE

    @property
    def is_attendance(self) -> bool:
        return self in (Category.PRESENT, Category.AEA)

    @property
    def is_absence(self) -> bool:
        return self in (Category.AUTHORISED, Category.UNAUTHORISED)


_POSSIBLE = frozenset(
    {Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED}
)

# Id ranges per category, [start, end). Reference: performance.md "Tricks that were measured".
CATEGORY_RANGES: dict[Category, tuple[int, int]] = {
    Category.PRESENT: (1, 16),
    Category.AEA: (16, 48),
    Category.AUTHORISED: (48, 96),
    Category.UNAUTHORISED: (96, 128),
    Category.NOT_POSSIBLE: (128, 192),
    Category.ADMINISTRATIVE: (192, 224),
}


@dataclass(frozen=True)
class Code:
    symbol: str
    id: int
    meaning: str
    category: Category
    group: str
    """The 2024 guidance's grouping (reference 2.1, paragraph after the table)."""
    valid_until: dt.date | None = None
    """Legacy codes: the first day on which the code is no longer accepted."""

    @property
    def is_legacy(self) -> bool:
        return self.valid_until is not None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_until is None or day < self.valid_until


_ATTENDING = "attending the school"
_ELSEWHERE = "attending a place other than the school"
_LEAVE = "absent: leave of absence"
_OTHER_AUTH = "absent: other authorised reasons"
_UNAVOIDABLE = "unable to attend because of unavoidable causes"
_EXCLUDED = "suspended or excluded with no alternative provision"
_OTHER_UNAUTH = "absent: other unauthorised reasons"
_ADMIN = "administrative"
_LEGACY = "legacy (before 19 August 2024)"

P, A, AU, UN, NP, AD = (
    Category.PRESENT,
    Category.AEA,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_POSSIBLE,
    Category.ADMINISTRATIVE,
)
_END = LEGACY_CODES_END

CODES: tuple[Code, ...] = (
    Code("/", 1, "Present at the start of the morning register", P, _ATTENDING),
    Code("\\", 2, "Present at the start of the afternoon register", P, _ATTENDING),
    Code("L", 3, "Late: arrived after the register began but before it closed", P, _ATTENDING),
    Code("K", 16, "Attending education provision arranged by the local authority", A, _ELSEWHERE),
    Code("V", 17, "Educational visit or trip arranged and supervised by the school", A, _ELSEWHERE),
    Code("P", 18, "Approved sporting activity", A, _ELSEWHERE),
    Code("W", 19, "Work experience", A, _ELSEWHERE),
    Code("B", 20, "Other approved, supervised off-site educational activity", A, _ELSEWHERE),
    Code("J", 21, "Interview (replaced by J1)", A, _LEGACY, _END),
    Code("C", 48, "Leave of absence for exceptional circumstances", AU, _LEAVE),
    Code("C1", 49, "Leave for a regulated performance or regulated employment abroad", AU, _LEAVE),
    Code("C2", 50, "Leave for a temporary part-time timetable", AU, _LEAVE),
    Code("E", 51, "Suspended or excluded, no alternative provision made", AU, _EXCLUDED),
    Code("I", 52, "Illness (not medical or dental appointments)", AU, _OTHER_AUTH),
    Code("J1", 53, "Leave for an interview for employment or another institution", AU, _LEAVE),
    Code("M", 54, "Leave for a medical or dental appointment", AU, _LEAVE),
    Code("R", 55, "Religious observance", AU, _OTHER_AUTH),
    Code("S", 56, "Study leave for a public examination", AU, _LEAVE),
    Code("T", 57, "Parent travelling for occupational purposes", AU, _OTHER_AUTH),
    Code("H", 58, "Agreed family holiday (withdrawn 2024)", AU, _LEGACY, _END),
    Code("F", 59, "Agreed extended family holiday (discontinued)", AU, _LEGACY, _END),
    Code("N", 96, "Reason for absence not yet established", UN, _OTHER_UNAUTH),
    Code("G", 97, "Holiday not granted by the school", UN, _OTHER_UNAUTH),
    Code("O", 98, "Absent in other or unknown circumstances", UN, _OTHER_UNAUTH),
    Code("U", 99, "Arrived after the register closed", UN, _OTHER_UNAUTH),
    Code("D", 128, "Dual registered: attending the other school", NP, _ELSEWHERE),
    Code("Q", 129, "Unable to attend: the local authority has not made access arrangements", NP, _UNAVOIDABLE),
    Code("X", 130, "Not of compulsory school age and not required to attend", NP, _LEAVE),
    Code("Y1", 131, "Unable to attend: transport normally provided not available", NP, _UNAVOIDABLE),
    Code("Y2", 132, "Unable to attend: widespread travel disruption", NP, _UNAVOIDABLE),
    Code("Y3", 133, "Unable to attend: part of the premises out of use", NP, _UNAVOIDABLE),
    Code("Y4", 134, "Unable to attend: whole school site unexpectedly closed", NP, _UNAVOIDABLE),
    Code("Y5", 135, "Unable to attend: in criminal justice detention", NP, _UNAVOIDABLE),
    Code("Y6", 136, "Unable to attend: public health guidance or law", NP, _UNAVOIDABLE),
    Code("Y7", 137, "Unable to attend: any other unavoidable cause", NP, _UNAVOIDABLE),
    Code("Y", 138, "Unable to attend, exceptional circumstances (split into Y1-Y7)", NP, _LEGACY, _END),
    Code("Z", 192, "Prospective pupil not yet on the admission register", AD, _ADMIN),
    Code("#", 193, "Planned whole or partial school closure", AD, _ADMIN),
)

BY_SYMBOL: dict[str, Code] = {c.symbol: c for c in CODES}
BY_ID: dict[int, Code] = {c.id: c for c in CODES}


class UnknownCode(ValueError):
    pass


def code(symbol: str) -> Code:
    """The code for a mark symbol, e.g. ``code("L").category is Category.PRESENT``."""
    try:
        return BY_SYMBOL[symbol]
    except KeyError:
        raise UnknownCode(f"{symbol!r} is not an attendance code") from None


def category_of_id(code_id: int) -> Category | None:
    for category, (start, end) in CATEGORY_RANGES.items():
        if start <= code_id < end:
            return category
    return None


def symbols(category: Category) -> frozenset[str]:
    return frozenset(c.symbol for c in CODES if c.category is category)


def id_table(symbols_wanted: frozenset[str] | set[str]) -> np.ndarray:
    """A 256-entry boolean table: True at the id of each wanted code (for vectorised tests)."""
    table = np.zeros(256, dtype=np.bool_)
    for symbol in symbols_wanted:
        table[code(symbol).id] = True
    return table


SYMBOL_OF_ID = np.array([BY_ID[i].symbol if i in BY_ID else "" for i in range(256)], dtype=object)
"""Id -> symbol, for turning a row of bytes back into marks."""


def _check_ranges() -> None:
    for c in CODES:
        if category_of_id(c.id) is not c.category:
            raise AssertionError(f"code {c.symbol} id {c.id} is outside its category's range")
    if len(BY_ID) != len(CODES) or len(BY_SYMBOL) != len(CODES):
        raise AssertionError("code ids and symbols must be unique")


_check_ranges()
