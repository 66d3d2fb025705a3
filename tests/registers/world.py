"""A small invented world for the register tests, built through the real imports.

Two schools (URNs 310001 and 310002) with the same autumn 2025 calendar, and pupils whose
enrolments exercise the rules: a single registration, a move between schools, dual registration
and a looked-after child with no marks. All names are invented. Files are written to tmp_path and
imported with `muster.registers.imports`, as a school would (formats.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from muster.core.slots import Session
from muster.registers import imports
from muster.registers.imports import ImportResult
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    MarkBatch,
    MarkChange,
    MarkNote,
    MarkSource,
    Pupil,
    RegisterYear,
    RegisterYearSource,
    School,
)
from tests.exchange.samples import csv_text, upn

SCHOOL_A, SCHOOL_B = "310001", "310002"

CALENDAR_HEADER = ["school_urn", "start", "end", "kind", "session", "label"]
CALENDAR_ROWS = [
    row
    for urn in (SCHOOL_A, SCHOOL_B)
    for row in (
        (urn, "2025-09-01", "2025-10-17", "term", "", "Autumn 1"),
        (urn, "2025-10-27", "2025-12-19", "term", "", "Autumn 2"),
        (urn, "2025-09-01", "2025-09-01", "closure", "", "INSET"),
        (urn, "2025-10-17", "2025-10-17", "closure", "PM", "Early close"),
    )
]
FIRST_DAY, LAST_DAY = dt.date(2025, 9, 1), dt.date(2025, 12, 19)

PUPIL_HEADER = [
    "upn", "legal_surname", "legal_forename", "date_of_birth", "nc_year", "school_urn",
    "enrolment_start", "enrolment_end", "registration", "looked_after", "care_authority",
]

ASHDOWN = upn(101)  # single registration at A all term
BRENNOCK = upn(102)  # at A to 3 October, then at B from 13 October (a week off roll between)
CARROW = upn(103)  # dual registered: main at A, subsidiary at B
DUNMERE = upn(104)  # looked after, at B, no marks at all

PUPIL_ROWS = [
    (ASHDOWN, "Ashdown", "Tilly", "2014-03-09", "7", SCHOOL_A, "2025-09-01", "", "single", "N", ""),
    (BRENNOCK, "Brennock", "Ifan", "2013-11-20", "7", SCHOOL_A, "2025-09-01", "2025-10-03", "single", "N", ""),
    (BRENNOCK, "Brennock", "Ifan", "2013-11-20", "7", SCHOOL_B, "2025-10-13", "", "single", "N", ""),
    (CARROW, "Carrow", "Nell", "2014-06-30", "7", SCHOOL_A, "2025-09-01", "", "main", "N", ""),
    (CARROW, "Carrow", "Nell", "2014-06-30", "7", SCHOOL_B, "2025-09-01", "", "subsidiary", "N", ""),
    (DUNMERE, "Dunmere", "Osian", "2014-01-15", "7", SCHOOL_B, "2025-09-01", "", "single", "Y", "802"),
]

MARK_HEADER = ["upn", "school_urn", "date", "session", "mark", "minutes_late", "comment"]


class Files:
    """Writes exchange files into a test's own directory."""

    def __init__(self, directory: Path):
        self.directory = directory

    def write(self, name: str, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
        path = self.directory / name
        path.write_text(csv_text(list(header), rows), encoding="utf-8")
        return path

    def text(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_text(text, encoding="utf-8")
        return path

    def marks(self, rows: Iterable[Sequence], name: str = "marks.csv") -> Path:
        """Rows of (upn, urn, date, session, mark[, minutes_late[, comment]])."""
        return self.write(name, MARK_HEADER, [tuple(r) + ("",) * (7 - len(r)) for r in rows])


@dataclass
class World:
    files: Files

    def import_marks(self, rows, name: str = "marks.csv", **options) -> ImportResult:
        return imports.import_marks(self.files.marks(rows, name), **options)

    def enrolment(self, pupil: str, urn: str) -> Enrolment:
        return Enrolment.objects.get(pupil__upn=pupil, school__urn=urn)

    def register(self, pupil: str, urn: str, year: int = 2025) -> RegisterYear:
        return RegisterYear.objects.get(enrolment=self.enrolment(pupil, urn), academic_year=year)


def open_sessions(urn: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, Session]]:
    """The open sessions of a school from first to last, from its stored calendar."""
    calendar = School.objects.get(urn=urn).calendar()
    out = []
    day = first
    while day <= last:
        out += [(day, s) for s in Session if calendar.is_open(day, s)]
        day += dt.timedelta(days=1)
    return out


def full_register(pupil: str, urn: str, first: dt.date, last: dt.date, exceptions=None) -> list[tuple]:
    """Mark rows for every open session from first to last: present (`/` AM, `\\` PM) unless
    `exceptions` gives another code for (date, session)."""
    exceptions = exceptions or {}
    rows = []
    for day, session in open_sessions(urn, first, last):
        mark = exceptions.get((day, session), "/" if session is Session.AM else "\\")
        rows.append((pupil, urn, day.isoformat(), session.value, mark))
    return rows


def database_snapshot() -> dict:
    """Everything an import may write, in comparable form (BinaryField values as bytes)."""
    return {
        "registers": sorted(
            (pk, e, y, v, bytes(m))
            for pk, e, y, v, m in RegisterYear.objects.values_list(
                "pk", "enrolment_id", "academic_year", "version", "marks"
            )
        ),
        "sources": sorted(
            (pk, bytes(b)) for pk, b in RegisterYearSource.objects.values_list("pk", "batches")
        ),
        "source_log": sorted(
            (r, b, bytes(s)) for r, b, s in MarkSource.objects.values_list("register_year_id", "batch_id", "slots")
        ),
        "notes": sorted(
            MarkNote.objects.values_list("register_year_id", "slot", "minutes_late", "comment")
        ),
        "changes": MarkChange.objects.count(),
        "batches": MarkBatch.objects.count(),
        "pupils": sorted(Pupil.objects.values_list(
            "upn", "legal_surname", "legal_forename", "date_of_birth", "nc_year", "looked_after"
        )),
        "enrolments": sorted(Enrolment.objects.values_list(
            "pupil__upn", "school__urn", "start", "end", "registration"
        )),
        "calendar": sorted(CalendarEntry.objects.values_list(
            "school__urn", "start", "end", "kind", "session", "label"
        )),
        "schools": sorted(School.objects.values_list("urn", "name")),
    }
