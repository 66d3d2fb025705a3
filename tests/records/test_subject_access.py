"""A subject access export for one child: everything held, readable, and nobody else's data.

Sources: UK GDPR article 15 (right of access); issue "People, roles and trust", "Data handling":
"a subject access export for one child (everything held, readable)"; the figures are the DfE's
(domain reference 3.1) from the one figures engine, as in the pupils report (formats.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.contrib.auth import get_user_model

from muster.cli import main
from muster.core.best_mark import OnConflict
from muster.core.roles import Role
from muster.people.actions import assign_role
from muster.people.models import Organisation
from muster.records.anonymisation import anonymise_leavers
from muster.records.subject_access_export import write_subject_access_zip
from muster.registers.models import LocalAuthority, Pupil, School
from muster.registers.reports import pupil_rows
from tests.records.world import CORRECTION_COMMENT, PENROSE, PENROSE_COMMENT, QUILLAN
from tests.registers.world import ASHDOWN, CARROW, DUNMERE, SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 8, 3)
HEADINGS = (
    "About this document", "Personal details", "Characteristics", "Schools attended",
    "Attendance registers", "What the codes mean", "Attendance figures by school year",
    "Minutes late and comments", "Changes to marks", "Who recorded the marks",
)


def export(upn: str) -> dict[str, str]:
    buffer = io.BytesIO()
    write_subject_access_zip(Pupil.objects.get(upn=upn), buffer, today=TODAY)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def marked(leavers):
    """Ashdown, at Penrose's school, with a comment and minutes late of his own."""
    leavers.import_marks([
        (ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "L", "4", "Ashdown's bus broke down"),
        (ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "\\"),
    ], "ashdown.csv")
    return leavers


def test_the_zip_holds_a_readable_document_json_and_csv_files(marked):
    files = export(PENROSE)
    assert set(files) == {
        "attendance-record.html", "attendance-record.json", "csv/personal-details.csv",
        "csv/characteristics.csv", "csv/schools.csv", "csv/marks.csv", "csv/figures.csv",
        "csv/mark-history.csv", "csv/mark-writes.csv", "csv/codes.csv",
    } | ({"csv/audit-log.csv"} if "csv/audit-log.csv" in files else set())
    html = files["attendance-record.html"]
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in html


def test_the_document_shows_the_child_details_registers_and_what_codes_mean(marked):
    html = export(PENROSE)["attendance-record.html"]
    assert "Attendance records held about Wren Penrose" in html
    assert PENROSE in html and "Wrennie" in html and "2014-03-09" in html
    assert "SEN support" in html
    assert "School 310001 (310001), school year 2025/26" in html
    assert '<th scope="row">1 Sep 2025</th>' in html
    assert "Leave for a medical or dental appointment" in html
    assert "Wren&#x27;s grandmother phoned" in html  # escaped as written
    assert "Absent in other or unknown circumstances" in html


def test_every_mark_and_the_full_change_history_are_in_the_json(marked):
    record = json.loads(export(PENROSE)["attendance-record.json"])
    marks = record["marks"]
    assert marks[0] == {
        "date": "2025-09-02", "session": "AM", "school_urn": SCHOOL_A, "code": "M",
        "meaning": "Leave for a medical or dental appointment", "category": "Authorised absence",
        "minutes_late": None, "comment": PENROSE_COMMENT, "recorded_in_write": marks[0]["recorded_in_write"],
    }
    assert [m["minutes_late"] for m in marks if m["minutes_late"]] == [7]
    [change] = record["mark_history"]
    assert (change["previous_code"], change["offered_code"], change["applied"]) == ("N", "O", True)
    assert change["offered_comment"] == CORRECTION_COMMENT
    assert change["changed_by"] == "the system (no signed-in person)"
    assert change["source"] == "File import" and change["changed_at"]
    writes = {w["write"]: w for w in record["mark_writes"]}
    assert writes[change["write"]]["description"] == "penrose-correction.csv"
    assert sum(w["marks_held_from_it"] for w in writes.values()) == len(marks)


def test_the_figures_per_year_are_the_figures_engine_s(marked):
    record = json.loads(export(PENROSE)["attendance-record.json"])
    [year] = record["figures"]
    [report] = pupil_rows(
        dt.date(2025, 8, 1), dt.date(2026, 7, 31), pupils=Pupil.objects.filter(upn=PENROSE)
    )
    assert year["school_year"] == "2025/26" and year["school_urn"] == SCHOOL_A
    assert (year["possible_sessions"], year["present"], year["late"], year["authorised_absence"],
            year["unauthorised_absence"]) == (
        report["possible"], report["present"], report["late"], report["authorised"],
        report["unauthorised"])
    assert year["persistent_absence"] == report["persistent_absence"]


def test_a_dual_registered_child_has_each_school_and_all_schools_pooled(marked):
    marked.import_marks([
        (CARROW, SCHOOL_A, "2025-09-02", "AM", "/"), (CARROW, SCHOOL_B, "2025-09-02", "PM", "I"),
    ], "carrow.csv")
    figures = json.loads(export(CARROW)["attendance-record.json"])["figures"]
    assert [(f["school_urn"], f["possible_sessions"]) for f in figures] == [
        (SCHOOL_A, 1), (SCHOOL_B, 1), ("all schools", 2)
    ]


def test_no_other_child_s_data_appears(marked):
    """Ashdown and Quillan were on roll at Penrose's school, with marks, comments and history."""
    others = Pupil.objects.exclude(upn=PENROSE)
    forbidden = {"Ashdown's bus broke down"}
    for other in others:
        forbidden |= {other.upn, other.legal_surname, other.legal_forename}
    for name, text in export(PENROSE).items():
        for value in forbidden:
            assert value not in text, f"{value!r} appears in {name}"


def test_free_text_cannot_inject_markup_or_spreadsheet_formulas(marked):
    marked.import_marks(
        [(PENROSE, SCHOOL_A, "2025-10-16", "PM", "I", "", "=HYPERLINK(\"x\") <script>x</script>")],
        "notes.csv", on_conflict=OnConflict.REPLACE,
    )
    files = export(PENROSE)
    assert "<script>x</script>" not in files["attendance-record.html"]
    assert "&lt;script&gt;" in files["attendance-record.html"]
    assert "'=HYPERLINK" in files["csv/marks.csv"]


def test_an_anonymised_child_s_export_has_no_identity_left(marked):
    anonymise_leavers(on=dt.date(2031, 10, 18), dry_run=False)
    pupil = Pupil.objects.get(anonymised_on__isnull=False)
    buffer = io.BytesIO()
    write_subject_access_zip(pupil, buffer, today=TODAY)
    with zipfile.ZipFile(buffer) as archive:
        text = " ".join(archive.read(n).decode() for n in archive.namelist())
    for value in (PENROSE, "Penrose", "Wren", "2014-03-09", PENROSE_COMMENT, CORRECTION_COMMENT):
        assert value not in text
    assert pupil.upn in text and "Anonymised on" in text


def test_the_command_writes_the_zip(marked, tmp_path):
    out = tmp_path / "penrose.zip"
    result = CliRunner().invoke(main, ["records", "subject-access", QUILLAN, "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert "attendance-record.html" in archive.namelist()
    assert f"files about pupil {QUILLAN}" in result.output


def test_the_command_refuses_an_unknown_upn(marked, tmp_path):
    result = CliRunner().invoke(
        main, ["records", "subject-access", "A000000000000", "--out", str(tmp_path / "x.zip")]
    )
    assert result.exit_code == 1
    assert "no pupil with UPN A000000000000" in result.output
    assert not (tmp_path / "x.zip").exists()


@pytest.fixture
def dpo(marked):
    """A data protection officer of an invented authority (938) that maintains school A."""
    authority = LocalAuthority.objects.create(code="938", name="Invented Borough")
    School.objects.filter(urn=SCHOOL_A).update(local_authority=authority)
    officer = get_user_model().objects.create_user("dpo", password="not-used-here-1234")
    assign_role(
        user=officer, role=Role.DATA_PROTECTION_OFFICER, starts=dt.date(2020, 1, 1),
        organisation=Organisation.objects.create(
            kind="local_authority", name="Invented Borough", local_authority=authority
        ),
    )
    return officer


def test_a_data_protection_officer_exports_a_child_of_their_authority_s_schools(dpo, tmp_path):
    out = tmp_path / "penrose.zip"
    result = CliRunner().invoke(
        main, ["records", "subject-access", PENROSE, "--out", str(out), "--as", "dpo"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    if apps.is_installed("muster.audit"):
        event = apps.get_model("audit", "AuditEvent").objects.get(action="export")
        assert (event.username, event.pupil_id) == ("dpo", Pupil.objects.get(upn=PENROSE).pk)


def test_a_child_outside_the_officer_s_reach_is_not_found(dpo, tmp_path):
    """Dunmere was only ever at school B, which the authority does not maintain (reference:
    `muster.people.access`, "a record outside it answers exactly as one that does not exist")."""
    result = CliRunner().invoke(
        main, ["records", "subject-access", DUNMERE, "--out", str(tmp_path / "x.zip"), "--as", "dpo"]
    )
    assert result.exit_code == 1
    assert f"no pupil with UPN {DUNMERE}" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_the_childs_records_in_the_other_apps_are_in_the_export_and_nobody_elses(marked):
    """Article 15 covers everything held: a contact log and a task are the child's data too."""
    from django.utils import timezone

    from muster.casework.models import Task
    from muster.statutory.models import ContactAttempt

    penrose, ashdown = Pupil.objects.get(upn=PENROSE), Pupil.objects.get(upn=ASHDOWN)
    school = penrose.enrolments.first().school
    for child, note in ((penrose, "Penrose's mum rang back"), (ashdown, "Ashdown's dad rang back")):
        ContactAttempt.objects.create(
            pupil=child, school=school, absence_on=dt.date(2025, 10, 1), method="call",
            contact="Parent", outcome="reached", made_by_name="A. Lead", made_at=timezone.now(), note=note)
    Task.objects.create(
        pupil=penrose, title="Write to the parents about attendance below 96%", instruction="Write",
        source="seed 002 line 136", policy_id="school-attendance-policy-model",
        rule="below_96/any/attendance_lead/Write", occurrence=dt.date(2025, 10, 1),
        role="attendance_lead", created_on=dt.date(2025, 10, 1))
    files = export(PENROSE)
    record = json.loads(files["attendance-record.json"])
    assert [c["note"] for c in record["contact_attempts"]] == ["Penrose's mum rang back"]
    assert [t["title"] for t in record["tasks"]] == ["Write to the parents about attendance below 96%"]
    assert "Penrose's mum rang back" in files["csv/contact-attempts.csv"]
    assert "csv/tasks.csv" in files
    assert not any("Ashdown's dad rang back" in text for text in files.values())
