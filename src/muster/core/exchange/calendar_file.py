"""`calendar.csv`: terms and planned closures of each school (formats.md, "School calendar")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from muster.core.calendar import EntryKind
from muster.core.exchange.csv_file import Columns, RowError, parse_date
from muster.core.slots import Session

COLUMNS = Columns(required=("school_urn", "start", "end", "kind"), optional=("session", "label"))
LONGEST_ENTRY_DAYS = 200


@dataclass(frozen=True)
class CalendarRow:
    line: int
    school_urn: str
    start: dt.date
    end: dt.date
    kind: EntryKind
    session: Session | None
    label: str

    @property
    def key(self) -> tuple:
        return (self.school_urn, self.start, self.end, self.kind, self.session)


def check_calendar(
    rows: Iterable[tuple[int, dict[str, str]]], *, file: str, errors: list[RowError]
) -> list[CalendarRow]:
    accepted: dict[tuple, CalendarRow] = {}
    for line, row in rows:
        found: list[RowError] = []

        def bad(column: str, reason: str, row=row, line=line, found=found) -> None:
            found.append(RowError(file, line, column, row.get(column, ""), reason))

        urn = row["school_urn"]
        if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
            bad("school_urn", "a URN has 6 digits")
        start, end = parse_date(row["start"]), parse_date(row["end"])
        if isinstance(start, str):
            bad("start", start)
        if isinstance(end, str):
            bad("end", end)
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                bad("end", f"is before the start {start}")
            elif (end - start).days > LONGEST_ENTRY_DAYS:
                bad("end", f"makes an entry of more than {LONGEST_ENTRY_DAYS} days; give each term")
        kind = row["kind"]
        if kind not in ("term", "closure"):
            bad("kind", "expected term or closure")
        session = row.get("session", "")
        if session not in ("", "AM", "PM"):
            bad("session", "expected AM, PM or blank (whole days)")
        elif session and kind == "term":
            bad("session", "only a closure can be for one session")
        elif session and start != end:
            bad("session", "a half-day closure is for a single date")
        if len(row.get("label", "")) > 80:
            bad("label", "longer than 80 characters")
        if found:
            errors.extend(found)
            continue
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        entry = CalendarRow(
            line, urn, start, end, EntryKind(kind), Session(session) if session else None,
            row.get("label", ""),
        )
        earlier = accepted.get(entry.key)
        if earlier is not None and earlier.label != entry.label:
            errors.append(
                RowError(file, line, "label", entry.label,
                         f"the same entry is on line {earlier.line} with label {earlier.label!r}")
            )
        accepted.setdefault(entry.key, entry)
    return list(accepted.values())
