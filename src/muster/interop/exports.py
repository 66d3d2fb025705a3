"""Figures for analysts as CSV or Parquet, in the column names of DfE's published statistics.

Pupil-level and school-level figures come from the one figures engine through the reports
(`muster.registers.reports`); this module renames the columns DfE publishes under its own names
(reference 2.4: `possible_sessions`, `overall_attendance`, `present_sessions`,
`approved_educational_activity`, `authorised_absence`, `unauthorised_absence`, `overall_absence`,
`attendance_perc`, `overall_absence_perc`; reference 8 [EES-1617]: `enrolments_pa_10_exact`) and
keeps Muster's names for the rest. Every export is scoped (`muster.people.access`) and recorded in
the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from muster.audit.log import record_event
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.models import Pupil, School
from muster.registers.reports import cohort_rows, enrolments_in_period, pupil_rows


class NotAllowed(Exception):
    """The user's roles do not allow this export."""


PUPIL_COLUMNS = (
    "upn", "schools", "nc_year", "possible_sessions", "overall_attendance", "present_sessions",
    "late", "approved_educational_activity", "authorised_absence", "unauthorised_absence",
    "overall_absence", "attendance_perc", "overall_absence_perc", "persistent_absence",
    "severe_absence",
)
SCHOOL_COLUMNS = (
    "school_urn", "school_name", "la_code", "enrolments", "possible_sessions",
    "overall_attendance", "present_sessions", "late", "approved_educational_activity",
    "authorised_absence", "unauthorised_absence", "overall_absence", "attendance_perc",
    "overall_absence_perc", "enrolments_pa_10_exact", "persistent_absence_pct",
    "severe_absentees", "severe_absence_pct",
)


def _perc(n: int, d: int) -> float | None:
    """A percentage in full precision, as DfE publishes it (attendance_perc 94.80615945...)."""
    return n * 100 / d if d else None


def pupil_export(
    *, first: dt.date, last: dt.date, user=None, school_urn: str | None = None,
    la_code: str | None = None, looked_after: bool = False,
) -> list[dict]:
    """One row per pupil on roll in the period, all their registers pooled; optionally only a
    school's or an authority's pupils, or only children in care."""
    if user is None:
        pupils = None
    else:
        if not access.can(user, RecordKind.FIGURES, Action.EXPORT):
            raise NotAllowed(f"{user.username}'s roles do not allow exporting pupils' figures")
        pupils = access.pupils_visible_to(user, Action.EXPORT, RecordKind.FIGURES)
    if looked_after or la_code:
        chosen = enrolments_in_period(first, last)
        if la_code:
            chosen = chosen.filter(school__local_authority__code=la_code)
        if looked_after:
            chosen = chosen.filter(pupil__looked_after=True)
        pupils = (Pupil.objects.all() if pupils is None else pupils).filter(pk__in=chosen.values("pupil_id"))
    school = _school(school_urn)
    rows = []
    for r in pupil_rows(first, last, pupils=pupils, school=school):
        attended = r["present"] + r["aea"]
        absent = r["authorised"] + r["unauthorised"]
        rows.append({
            "upn": r["upn"], "schools": r["schools"], "nc_year": r["nc_year"],
            "possible_sessions": r["possible"], "overall_attendance": attended,
            "present_sessions": r["present"], "late": r["late"],
            "approved_educational_activity": r["aea"], "authorised_absence": r["authorised"],
            "unauthorised_absence": r["unauthorised"], "overall_absence": absent,
            "attendance_perc": _perc(attended, r["possible"]),
            "overall_absence_perc": _perc(absent, r["possible"]),
            "persistent_absence": r["persistent_absence"], "severe_absence": r["severe_absence"],
        })
    _audit(user, RecordKind.FIGURES, f"pupil figures {first} to {last}", len(rows))
    return rows


def school_export(
    *, first: dt.date, last: dt.date, user=None, school_urn: str | None = None,
    la_code: str | None = None, looked_after: bool = False,
) -> list[dict]:
    """One row per school: its enrolments' figures pooled as DfE statistics count them
    (reference 3.1, 3.2: per enrolment; rates over enrolments with possible sessions)."""
    enrolments = enrolments_in_period(first, last)
    if user is not None:
        if not access.can(user, RecordKind.COHORT_FIGURES, Action.EXPORT):
            raise NotAllowed(f"{user.username}'s roles do not allow exporting school figures")
        enrolments = enrolments.filter(pk__in=access.cohort_enrolments_visible_to(user).values("pk"))
    if la_code:
        enrolments = enrolments.filter(school__local_authority__code=la_code)
    if looked_after:
        enrolments = enrolments.filter(pupil__looked_after=True)
    rows = cohort_rows(first, last, by=("school",), school=_school(school_urn), enrolments=enrolments)
    details = {
        s.urn: s for s in School.objects.filter(urn__in=[r["group"] for r in rows]).select_related("local_authority")
    }
    out = []
    for r in rows:
        school = details.get(r["group"])
        attended = r["present"] + r["aea"]
        absent = r["authorised"] + r["unauthorised"]
        out.append({
            "school_urn": r["group"], "school_name": school.name if school else "",
            "la_code": school.local_authority.code if school and school.local_authority else "",
            "enrolments": r["enrolments"], "possible_sessions": r["possible"],
            "overall_attendance": attended, "present_sessions": r["present"], "late": r["late"],
            "approved_educational_activity": r["aea"], "authorised_absence": r["authorised"],
            "unauthorised_absence": r["unauthorised"], "overall_absence": absent,
            "attendance_perc": _perc(attended, r["possible"]),
            "overall_absence_perc": _perc(absent, r["possible"]),
            "enrolments_pa_10_exact": r["persistent_absentees"],
            "persistent_absence_pct": r["persistent_absence_pct"],
            "severe_absentees": r["severe_absentees"], "severe_absence_pct": r["severe_absence_pct"],
        })
    _audit(user, RecordKind.COHORT_FIGURES, f"school figures {first} to {last}", len(out))
    return out


def _school(urn: str | None) -> School | None:
    if urn is None:
        return None
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise ValueError(f"no school with URN {urn}")
    return school


def _audit(user, kind: RecordKind, what: str, rows: int) -> None:
    record_event(user=user, action=Action.EXPORT.value, record_kind=kind.value,
                 summary=f"Exported {what}: {rows} rows", source="muster export")


def write_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    return buffer.getvalue()


def write_parquet(rows: list[dict], columns: tuple[str, ...], path: Path) -> None:
    """Parquet with a fixed schema, so an empty export still says what its columns are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "upn": pa.string(), "schools": pa.string(), "nc_year": pa.string(),
        "school_urn": pa.string(), "school_name": pa.string(), "la_code": pa.string(),
        "attendance_perc": pa.float64(), "overall_absence_perc": pa.float64(),
        "persistent_absence_pct": pa.float64(), "severe_absence_pct": pa.float64(),
        "persistent_absence": pa.bool_(), "severe_absence": pa.bool_(),
    }
    schema = pa.schema([(c, types.get(c, pa.int64())) for c in columns])
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=schema)
    pq.write_table(table, path)

