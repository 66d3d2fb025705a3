"""Letters merged per pupil from Muster's own Word templates, kept on the record, and turned
into PDF by LibreOffice (issue 4 item 7 and "Done when": a merged letter opens in LibreOffice).

Sources: seed 002 line 136 (the school writes when attendance is below 96%), line 189 (the
evidence: sessions, codes, dates in the 10 school weeks); reference 4.3 (notice to improve).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from docxtpl import DocxTemplate

from muster.audit.models import AuditEvent
from muster.interop.models import PupilContact
from muster.statutory import actions
from muster.statutory.letters import KINDS
from muster.statutory.letters.merge import LetterError, merge_letter, pupil_figures
from muster.statutory.letters.templates import BUILDERS, SHIPPED
from muster.statutory.models import Letter
from tests.statutory.conftest import PRESENT, week_of

ON = dt.date(2025, 10, 10)
SOME_U = "U/U///////"


def text_of(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pupil_with_absence(town):
    pupil = town.pupil("Brackenridge")
    town.enrol(pupil, town.schools[0], [PRESENT, SOME_U, SOME_U, SOME_U, SOME_U, SOME_U, PRESENT])
    PupilContact.objects.create(pupil=pupil, order=2, surname="Brackenridge", forename="Ottilie",
                                relationship="GRM", parental_responsibility=False)
    PupilContact.objects.create(pupil=pupil, order=1, title="Ms", surname="Brackenridge",
                                forename="Wren", relationship="MUM", parental_responsibility=True)
    return pupil


def test_every_kind_of_letter_has_a_shipped_template_built_by_muster():
    """The repository holds only templates Muster writes (templates.py), one per kind."""
    assert set(BUILDERS) == set(KINDS)
    for kind in KINDS:
        shipped = DocxTemplate(SHIPPED / f"{kind}.docx").get_undeclared_template_variables()
        built = BUILDERS[kind]()
        built_bytes = io.BytesIO()
        built.save(built_bytes)
        assert shipped == DocxTemplate(io.BytesIO(built_bytes.getvalue())).get_undeclared_template_variables()
        assert {"school", "pupil"} <= shipped


def test_below_96_letter_merges_the_pupils_figures_and_contacts(town):
    """Seed 002 line 136: the figures are this year's sessions from the figures engine."""
    pupil = pupil_with_absence(town)
    figures = pupil_figures(pupil, ON)
    assert figures["unauthorised"] == 10 and figures["possible"] == 60
    letter = merge_letter(kind="below_96", pupil=pupil, school=town.schools[0], on=ON, by=town.staff)
    text = text_of(bytes(letter.docx))
    assert "Test Brackenridge" in text and "Ms Wren Brackenridge" in text
    expected = f"{figures['attended'] * 100 / figures['possible']:.1f}%"
    assert expected in text and "attended 50" in text
    assert "{{" not in text
    assert letter.created_by_name == town.staff.username and letter.template == "shipped below_96.docx"
    assert AuditEvent.objects.filter(record_kind="letter", pupil_id=pupil.pk).count() == 1
    assert list(pupil.letters.all()) == [letter]


def test_a_case_letter_needs_a_case(town):
    pupil = pupil_with_absence(town)
    with pytest.raises(LetterError, match="no penalty-notice case"):
        merge_letter(kind="notice_to_improve", pupil=pupil, school=town.schools[0], on=ON, by=town.staff)


def test_the_evidence_pack_lists_the_sessions_weeks_and_steps_of_the_case(town):
    """Seed 002 line 189: the sessions, their codes and dates, the 10 school weeks; case steps."""
    pupil = pupil_with_absence(town)
    case = actions.open_penalty_notice_case(pupil=pupil, school=town.schools[0], on=ON, by=town.staff)
    actions.advance_penalty_notice_case(case=case, stage="support_offered", on=ON, by=town.staff,
                                        note="Meeting with the family")
    letter = merge_letter(kind="evidence_pack", pupil=pupil, school=town.schools[0], on=ON, by=town.staff)
    text = text_of(bytes(letter.docx))
    for session in case.evidence:
        assert session["date"] in text
    assert text.count("\nU\n") == len(case.evidence) == 10
    assert week_of(2).isoformat() in text and "Meeting with the family" in text
    assert letter.case == case


def test_an_edited_template_from_a_file_is_merged(town, tmp_path):
    """Staff-editable: a template reworded in a word processor is used as given."""
    pupil = pupil_with_absence(town)
    edited = Document()
    edited.add_paragraph("Dear family of {{ pupil.forename }}: {{ figures.unauthorised }} sessions.")
    path = tmp_path / "mine.docx"
    edited.save(path)
    letter = merge_letter(kind="below_96", pupil=pupil, school=town.schools[0], on=ON, by=town.staff,
                          template=path)
    assert "Dear family of Test: 10 sessions." in text_of(bytes(letter.docx))
    assert letter.template == "file mine.docx"


def test_a_merged_letter_converts_to_pdf_with_the_pupils_name_and_figures(town):
    """Issue 4 "Done when": a merged letter opens in LibreOffice (converted to PDF here)."""
    pupil = pupil_with_absence(town)
    letter = merge_letter(kind="meeting_invitation", pupil=pupil, school=town.schools[0], on=ON,
                          by=town.staff, pdf=True, extra={"meeting_on": "2025-10-16", "meeting_at": "15:30"})
    pdf = bytes(letter.pdf)  # without pdftotext (poppler-utils), the header and size are checked
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    assert Letter.objects.get(pk=letter.pk).pdf is not None
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        text = " ".join(text.split())
        assert "Test Brackenridge" in text and "2025-10-16 at 15:30" in text
        assert "attended 50" in text and f"{50 * 100 / 60:.1f}%" in text


def test_an_uploaded_template_replaces_the_shipped_one_and_a_broken_one_is_refused(town, tmp_path):
    """Staff-editable: the latest uploaded template of a kind is the one merged."""
    from muster.statutory.letters.merge import upload_template

    pupil = pupil_with_absence(town)
    edited = Document()
    edited.add_paragraph("Our school writes about {{ pupil.name }}: {{ figures.attendance_pct }}%.")
    path = tmp_path / "below_96_ours.docx"
    edited.save(path)
    upload_template(kind="below_96", path=path, by=town.staff)
    letter = merge_letter(kind="below_96", pupil=pupil, school=town.schools[0], on=ON, by=town.staff)
    assert text_of(bytes(letter.docx)) == f"Our school writes about Test Brackenridge: {50 * 100 / 60:.1f}%."
    assert letter.template.startswith("uploaded below_96_ours.docx")
    broken = Document()
    broken.add_paragraph("{{ pupil.name ")
    bad = tmp_path / "broken.docx"
    broken.save(bad)
    with pytest.raises(LetterError, match="not a template"):
        upload_template(kind="below_96", path=bad, by=town.staff)


def test_staff_get_the_templates_to_edit_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from muster.cli import main

    result = CliRunner().invoke(main, ["letters", "templates", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in tmp_path.glob("*.docx")) == sorted(KINDS)
