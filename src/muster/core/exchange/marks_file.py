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
from typing import Protocol

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


@dataclass(frozen=True)
class EnrolmentSpan:
    key: int
    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class MarksContext(Protocol):
    """What the checks need to know of the stored schools and pupils."""

    def calendar(self, urn: str) -> SchoolCalendar | None: ...

    def enrolments(self, upn: str, urn: str) -> Sequence[EnrolmentSpan]: ...


@dataclass(frozen=True)
class MarkRow:
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
    for line, row in rows:
        mark = _check_row(line, row, context, file, errors)
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


def _check_row(
    line: int, row: dict[str, str], context: MarksContext, file: str, errors: list[RowError]
) -> MarkRow | None:
    found: list[RowError] = []

    def bad(column: str, reason: str) -> None:
        found.append(RowError(file, line, column, row.get(column, ""), reason))

    upn = row["upn"]
    if (why := check_upn(upn)) is not None:
        bad("upn", why)

    urn = row["school_urn"]
    calendar = None
    if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
        bad("school_urn", "a URN has 6 digits")
    else:
        calendar = context.calendar(urn)
        if calendar is None:
            bad("school_urn", "unknown school: import its calendar first")

    day = parse_date(row["date"])
    if isinstance(day, str):
        bad("date", day)

    session = None
    if row["session"] in ("AM", "PM"):
        session = Session(row["session"])
    else:
        bad("session", "session must be AM or PM")

    code = None
    symbol = row["mark"]
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
    raw_minutes = row.get("minutes_late", "")
    if raw_minutes:
        if not (raw_minutes.isascii() and raw_minutes.isdigit()) or int(raw_minutes) > MAX_MINUTES_LATE:
            bad("minutes_late", f"whole minutes from 0 to {MAX_MINUTES_LATE}")
        elif code is not None and code.symbol not in LATE_CODES:
            bad("minutes_late", f"minutes late go only with L or U, not {code.symbol}")
        else:
            minutes = int(raw_minutes)

    enrolment = None
    if calendar is not None and isinstance(day, dt.date) and session is not None:
        why_closed = calendar.why_closed(day, session)
        if code is not None and code.symbol == "#":
            if why_closed is None:
                bad("mark", "# is for a planned closure, but the school's calendar has it open")
            elif day.weekday() >= 5:
                bad("date", f"{day} is a {day:%A}, not a school day")
        elif why_closed is not None:
            bad("date", f"{day} {session} is not an open session of school {urn}: {why_closed}")
        spans = context.enrolments(upn, urn) if not found else ()
        if not found:
            covering = [s for s in spans if s.covers(day)]
            if covering:
                enrolment = covering[0].key
            elif spans:
                held = "; ".join(f"{s.start} to {s.end or 'now'}" for s in spans)
                bad("date", f"pupil {upn} is not on roll at {urn} on {day} (on roll {held})")
            else:
                bad("upn", f"pupil {upn} has no enrolment at school {urn}: import pupils first")

    if found or enrolment is None or code is None or session is None:
        errors.extend(found)
        return None
    assert isinstance(day, dt.date)
    return MarkRow(line, upn, urn, enrolment, day, session, code, minutes, row.get("comment", ""))
