"""A child's subject access export as one zip: a readable HTML document, JSON and CSV files.

The HTML is for the child and family: plain English headings, every register year as a week by
week table (`muster.registers.register_view.weeks_of`, as the admin shows it) with what each code
means. The JSON holds the same record for a machine; the CSV files, one per table, open in a
spreadsheet. Pages and the `muster records subject-access` command both call
`write_subject_access_zip`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from muster.records.audit_trail import record_if_audited
from muster.records.subject_access import HELD_ELSEWHERE, HeldRegister, subject_access_record
from muster.registers.models import Pupil
from muster.registers.register_view import weeks_of

HTML_NAME = "attendance-record.html"
JSON_NAME = "attendance-record.json"
CSV_TABLES = {
    "csv/personal-details.csv": "pupil",
    "csv/characteristics.csv": "characteristics",
    "csv/schools.csv": "enrolments",
    "csv/marks.csv": "marks",
    "csv/figures.csv": "figures",
    "csv/mark-history.csv": "mark_history",
    "csv/mark-writes.csv": "mark_writes",
    "csv/codes.csv": "codes_used",
    "csv/audit-log.csv": "audit_log",
}


def write_subject_access_zip(
    pupil: Pupil,
    destination: Path | BinaryIO,
    *,
    today: dt.date,
    user=None,
    source: str | None = None,
    purpose: str = "subject access request",
) -> list[str]:
    """Write the export and record it in the audit log; returns the names of the files."""
    record, held = subject_access_record(pupil, today=today)
    files = {
        HTML_NAME: render_html(record, held, today=today),
        JSON_NAME: json.dumps(record, indent=1, ensure_ascii=False) + "\n",
    }
    for name, key in CSV_TABLES.items():
        if record[key] is not None:
            files[name] = _csv(record[key])
    for key, *_ in HELD_ELSEWHERE:
        if record.get(key):
            files[f"csv/{key.replace('_', '-')}.csv"] = _csv(record[key])
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    record_if_audited(
        user=user, action="export", record_kind="pupil", record_id=pupil.pk, pupil_id=pupil.pk,
        summary="Subject access export: everything held about the child", purpose=purpose,
        source=source,
    )
    return list(files)


def render_html(record: dict, held: list[HeldRegister], *, today: dt.date) -> str:
    registers = [
        {
            "title": f"{h.register.enrolment.school.name} ({h.register.enrolment.school.urn}), "
            f"school year {h.register.academic_year}/{(h.register.academic_year + 1) % 100:02d}",
            "weeks": weeks_of(h.register.academic_year, h.codes, h.open_on_roll, today=today),
        }
        for h in held
    ]
    notes = [m for m in record["marks"] if m["minutes_late"] is not None or m["comment"]]
    css = (resources.files("muster.registers") / "static/registers/register.css").read_text()
    return render_to_string(
        "records/subject_access.html",
        {
            "record": record,
            "registers": registers,
            "notes": notes,
            "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
            "files": [JSON_NAME, *[n for n, k in CSV_TABLES.items() if record[k] is not None]],
            "register_css": mark_safe(css),  # noqa: S308 - the package's own stylesheet
        },
    )


def _csv(table: dict | list[dict]) -> str:
    rows = [{"field": k, "value": v} for k, v in table.items()] if isinstance(table, dict) else table
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else ["none"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _cell(value) -> object:
    """A spreadsheet would run a comment starting `=`, `+`, `-` or `@` as a formula: quote it."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
