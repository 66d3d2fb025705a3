"""`pupils.csv`: pupils and their enrolments, one row per enrolment (formats.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from muster.core.exchange.csv_file import Columns, RowError, check_upn, check_yes_no, parse_date

COLUMNS = Columns(
    required=(
        "upn", "legal_surname", "legal_forename", "date_of_birth", "nc_year", "school_urn",
        "enrolment_start",
    ),
    optional=(
        "preferred_name", "sex", "enrolment_end", "registration", "looked_after",
        "care_authority", "previously_looked_after", "social_worker", "sen", "fsm",
    ),
)
NC_YEARS = frozenset(["N1", "N2", "R"] + [str(y) for y in range(1, 15)])
REGISTRATIONS = frozenset({"single", "main", "subsidiary"})
OLDEST_PUPIL_AGE_YEARS = 25


@dataclass(frozen=True)
class PupilDetails:
    """What a pupil row says of the pupil, the same on every row for that UPN."""

    upn: str
    legal_surname: str
    legal_forename: str
    preferred_name: str
    date_of_birth: dt.date
    sex: str
    nc_year: str
    looked_after: bool
    care_authority: str
    previously_looked_after: bool
    has_social_worker: bool
    sen: str
    fsm: bool


@dataclass(frozen=True)
class EnrolmentRow:
    line: int
    pupil: PupilDetails
    school_urn: str
    start: dt.date
    end: dt.date | None
    registration: str


def check_pupils(
    rows: Iterable[tuple[int, dict[str, str]]],
    school_known: Callable[[str], bool],
    *,
    file: str,
    errors: list[RowError],
) -> list[EnrolmentRow]:
    accepted: list[EnrolmentRow] = []
    details_of: dict[str, tuple[int, PupilDetails]] = {}
    enrolment_lines: dict[tuple[str, str, dt.date], int] = {}
    for line, row in rows:
        enrolment = _check_row(line, row, school_known, file, errors)
        if enrolment is None:
            continue
        upn = enrolment.pupil.upn
        earlier = details_of.get(upn)
        if earlier is not None and earlier[1] != enrolment.pupil:
            differing = [
                name for name in PupilDetails.__dataclass_fields__
                if getattr(earlier[1], name) != getattr(enrolment.pupil, name)
            ]
            errors.append(
                RowError(file, line, differing[0], row.get(differing[0], ""),
                         f"pupil {upn} is described differently on line {earlier[0]} "
                         f"({', '.join(differing)})")
            )
            continue
        details_of.setdefault(upn, (line, enrolment.pupil))
        key = (upn, enrolment.school_urn, enrolment.start)
        if key in enrolment_lines:
            errors.append(
                RowError(file, line, "enrolment_start", row["enrolment_start"],
                         f"the same enrolment is on line {enrolment_lines[key]}")
            )
            continue
        enrolment_lines[key] = line
        accepted.append(enrolment)
    _check_overlaps(accepted, file, errors)
    return accepted


def _check_overlaps(enrolments: list[EnrolmentRow], file: str, errors: list[RowError]) -> None:
    """Two enrolments of one pupil at one school may not overlap: a session has one register."""
    by_school: dict[tuple[str, str], list[EnrolmentRow]] = {}
    for e in enrolments:
        by_school.setdefault((e.pupil.upn, e.school_urn), []).append(e)
    for spans in by_school.values():
        spans.sort(key=lambda e: e.start)
        for before, after in zip(spans, spans[1:], strict=False):
            if before.end is None or before.end >= after.start:
                errors.append(
                    RowError(file, after.line, "enrolment_start", str(after.start),
                             f"overlaps the enrolment on line {before.line} at the same school")
                )


def _check_row(
    line: int, row: dict[str, str], school_known: Callable[[str], bool], file: str,
    errors: list[RowError],
) -> EnrolmentRow | None:
    found: list[RowError] = []

    def bad(column: str, reason: str) -> None:
        found.append(RowError(file, line, column, row.get(column, ""), reason))

    upn = row["upn"]
    if (why := check_upn(upn)) is not None:
        bad("upn", why)
    for column in ("legal_surname", "legal_forename"):
        if not row[column]:
            bad(column, "required")
        elif len(row[column]) > 100:
            bad(column, "longer than 100 characters")
    if len(row.get("preferred_name", "")) > 100:
        bad("preferred_name", "longer than 100 characters")
    dates: dict[str, dt.date | None] = {}
    for column in ("date_of_birth", "enrolment_start", "enrolment_end"):
        raw = row.get(column, "")
        if not raw and column == "enrolment_end":
            dates[column] = None
            continue
        value = parse_date(raw)
        if isinstance(value, str):
            bad(column, value)
        else:
            dates[column] = value
    birth, start, end = (dates.get(k) for k in ("date_of_birth", "enrolment_start", "enrolment_end"))
    if birth and start:
        age = (start - birth).days / 365.25
        if age < 0 or age > OLDEST_PUPIL_AGE_YEARS:
            bad("date_of_birth", f"gives an age of {age:.0f} at the enrolment start")
    if start and end and end < start:
        bad("enrolment_end", f"is before the enrolment start {start}")
    if row["nc_year"] not in NC_YEARS:
        bad("nc_year", "expected N1, N2, R or 1 to 14")
    urn = row["school_urn"]
    if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
        bad("school_urn", "a URN has 6 digits")
    elif not school_known(urn):
        bad("school_urn", "unknown school: import its calendar first")
    registration = row.get("registration") or "single"
    if registration not in REGISTRATIONS:
        bad("registration", "expected single, main or subsidiary")
    sex = row.get("sex", "")
    if sex not in ("", "M", "F"):
        bad("sex", "expected M or F (as in the school census), or blank")
    sen = row.get("sen") or "N"
    if sen not in ("N", "K", "E"):
        bad("sen", "expected N (none), K (SEN support) or E (EHC plan)")
    flags: dict[str, bool] = {}
    for column in ("looked_after", "previously_looked_after", "social_worker", "fsm"):
        value = check_yes_no(row.get(column) or "N")
        if isinstance(value, str):
            bad(column, value)
        else:
            flags[column] = value
    care_authority = row.get("care_authority", "")
    if care_authority and not (len(care_authority) == 3 and care_authority.isascii() and care_authority.isdigit()):
        bad("care_authority", "an LA code has 3 digits")
    if care_authority and not flags.get("looked_after", False):
        bad("care_authority", "a care authority is given but looked_after is not Y")
    if found:
        errors.extend(found)
        return None
    assert birth is not None and start is not None
    pupil = PupilDetails(
        upn=upn,
        legal_surname=row["legal_surname"],
        legal_forename=row["legal_forename"],
        preferred_name=row.get("preferred_name", ""),
        date_of_birth=birth,
        sex=sex,
        nc_year=row["nc_year"],
        looked_after=flags["looked_after"],
        care_authority=care_authority,
        previously_looked_after=flags["previously_looked_after"],
        has_social_worker=flags["social_worker"],
        sen=sen,
        fsm=flags["fsm"],
    )
    return EnrolmentRow(line, pupil, urn, start, end, registration)
