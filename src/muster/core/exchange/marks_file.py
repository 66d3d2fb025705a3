"""`marks.csv`: one row per pupil, school, date and session (formats.md, "Register marks").

A row is refused for an unknown code, a legacy code on or after 19 August 2024, a bad UPN, an
unknown school, a date that is not an open session of that school, a pupil not on roll there
that day, minutes late on anything but `L` or `U`, or a second row for the same session with
another mark (issue "Register core"; reference 0, 2.1, 2.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from muster.core import codes
from muster.core.calendar import SchoolCalendar
from muster.core.exchange.csv_file import Columns, RowError, check_upn, parse_date
from muster.core.slots import Session

COLUMNS = Columns(
    required=("upn", "school_urn", "date", "session", "mark"),
    optional=("minutes_late", "comment"),
)
MAX_MINUTES_LATE = 300
LATE_CODES = frozenset({"L", "U"})


class EnrolmentSpan(NamedTuple):
    key: int
    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class MarksContext(Protocol):
    """What the checks need to know of the stored schools and pupils."""

    def calendar(self, urn: str) -> SchoolCalendar | None: ...

    def enrolments(self, upn: str, urn: str) -> Sequence[EnrolmentSpan]: ...


class MarkRow(NamedTuple):
    """A checked row: a named tuple, as a morning's batch makes 100,000 of them (issue 9)."""

    line: int
    upn: str
    school_urn: str
    enrolment: int
    day: dt.date
    session: Session
    code: codes.Code
    minutes_late: int | None
    comment: str

    @property
    def enrolment_id(self) -> int:
        """As `muster.registers.actions` names it, so checked rows are recorded as they are."""
        return self.enrolment

    @property
    def session_key(self) -> tuple[str, str, dt.date, Session]:
        return (self.upn, self.school_urn, self.day, self.session)

    def same_mark(self, other: MarkRow) -> bool:
        return (self.code, self.minutes_late, self.comment) == (
            other.code, other.minutes_late, other.comment,
        )


def check_marks(
    rows: Iterable[tuple[int, dict[str, str]]],
    context: MarksContext,
    *,
    file: str,
    errors: list[RowError],
) -> list[MarkRow]:
    """Typed, checked rows; every problem found is appended to `errors` (all rows are read)."""
    accepted: dict[tuple, MarkRow] = {}
    seen = _Seen(context)
    for line, row in rows:
        mark = _check_row(line, row, context, file, errors, seen)
        if mark is None:
            continue
        earlier = accepted.get(mark.session_key)
        if earlier is None:
            accepted[mark.session_key] = mark
        elif not earlier.same_mark(mark):
            errors.append(
                RowError(
                    file, line, "mark", row["mark"],
                    f"same session as line {earlier.line} with another mark "
                    f"({earlier.code.symbol} there, {mark.code.symbol} here)",
                )
            )
    return list(accepted.values())


@dataclass(frozen=True)
class _Shared:
    """The checks of a row that do not depend on the pupil, and what they gave."""

    problems: tuple[tuple[str, str], ...]
    """(column, reason) of each problem found."""
    day: dt.date | None
    session: Session | None
    code: codes.Code | None
    minutes: int | None
    placed: bool
    """School, date and session are good, so the pupil's roll can be checked."""


class _Seen:
    """The checks that rows share, made once: a morning's 100,000 rows name one date, one session,
    a handful of codes and a hundred schools (issue 9)."""

    def __init__(self, context: MarksContext):
        self.context = context
        self.shared: dict[tuple[str, str, str, str, str], _Shared] = {}

    def check(self, urn: str, date: str, session: str, mark: str, minutes: str) -> _Shared:
        key = (urn, date, session, mark, minutes)
        if key not in self.shared:
            self.shared[key] = _check_shared(self.context, *key)
        return self.shared[key]


SESSIONS = {"AM": Session.AM, "PM": Session.PM}


def _check_row(
    line: int, row: dict[str, str], context: MarksContext, file: str, errors: list[RowError], seen: _Seen
) -> MarkRow | None:
    upn, urn = row["upn"], row["school_urn"]
    shared = seen.check(urn, row["date"], row["session"], row["mark"], row.get("minutes_late", ""))
    spans = context.enrolments(upn, urn)
    found = list(shared.problems)
    if not spans and (why := check_upn(upn)) is not None:
        found.insert(0, ("upn", why))  # a UPN on a school's roll was checked when the pupil was stored
    enrolment = None
    day = shared.day
    if shared.placed and not found:
        assert day is not None
        covering = [s for s in spans if s.covers(day)]
        if covering:
            enrolment = covering[0].key
        elif spans:
            held = "; ".join(f"{s.start} to {s.end or 'now'}" for s in spans)
            found.append(("date", f"pupil {upn} is not on roll at {urn} on {day} (on roll {held})"))
        else:
            found.append(("upn", f"pupil {upn} has no enrolment at school {urn}: import pupils first"))
    if found or enrolment is None or shared.code is None or shared.session is None or day is None:
        errors.extend(RowError(file, line, column, row.get(column, ""), reason) for column, reason in found)
        return None
    return MarkRow(line, upn, urn, enrolment, day, shared.session, shared.code, shared.minutes, row.get("comment", ""))


def _check_shared(context: MarksContext, urn: str, date: str, session_text: str, symbol: str,
                  raw_minutes: str) -> _Shared:
    found: list[tuple[str, str]] = []

    def bad(column: str, reason: str) -> None:
        found.append((column, reason))

    calendar = None
    if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
        bad("school_urn", "a URN has 6 digits")
    else:
        calendar = context.calendar(urn)
        if calendar is None:
            bad("school_urn", "unknown school: import its calendar first")

    day = parse_date(date)
    if isinstance(day, str):
        bad("date", day)

    session = SESSIONS.get(session_text)
    if session is None:
        bad("session", "session must be AM or PM")

    code = None
    if symbol == "-":
        bad("mark", "'-' means no mark yet; leave the session out until it has a code")
    elif symbol not in codes.BY_SYMBOL:
        hint = " (codes are case-sensitive)" if symbol.upper() in codes.BY_SYMBOL else ""
        bad("mark", f"unknown attendance code{hint}")
    else:
        code = codes.BY_SYMBOL[symbol]
        if isinstance(day, dt.date) and not code.valid_on(day):
            bad("mark", f"legacy code {symbol} is not valid on or after {code.valid_until}")

    minutes = None
    if raw_minutes:
        if not (raw_minutes.isascii() and raw_minutes.isdigit()) or int(raw_minutes) > MAX_MINUTES_LATE:
            bad("minutes_late", f"whole minutes from 0 to {MAX_MINUTES_LATE}")
        elif code is not None and code.symbol not in LATE_CODES:
            bad("minutes_late", f"minutes late go only with L or U, not {code.symbol}")
        else:
            minutes = int(raw_minutes)

    placed = calendar is not None and isinstance(day, dt.date) and session is not None
    if placed:
        assert calendar is not None and isinstance(day, dt.date) and session is not None
        why_closed = calendar.why_closed(day, session)
        if code is not None and code.symbol == "#":
            if why_closed is None:
                bad("mark", "# is for a planned closure, but the school's calendar has it open")
            elif day.weekday() >= 5:
                bad("date", f"{day} is a {day:%A}, not a school day")
        elif why_closed is not None:
            bad("date", f"{day} {session} is not an open session of school {urn}: {why_closed}")
    return _Shared(tuple(found), day if isinstance(day, dt.date) else None, session, code, minutes, placed)

