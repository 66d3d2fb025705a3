"""Reading a Common Transfer File: reference.md section 0 ("CTF AttendanceMarks") and 6.1,
interop.md 1 and 5 (header, identity, YearData totals; the marks string verbatim)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from muster.core.exchange import ctf
from muster.core.exchange.csv_file import FileRejected

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)


def read(name: str) -> ctf.TransferFile:
    return ctf.read_transfer_file((DATA / name).read_bytes(), name=name, today=TODAY)


def rejected(name: str) -> list:
    with pytest.raises(FileRejected) as caught:
        read(name)
    return caught.value.errors


def test_header_is_read_from_ctfversion_and_the_schools():
    """interop.md 1.3: DfE writes CTFversion (lower-case v), SourceSchool and DestSchool."""
    header = read("ctf_good.xml").header
    assert (header.version, header.version_element) == ("26.0", "CTFversion")
    assert header.source == ctf.School("938", "2001", "990101", "Hollowmere Primary School", "2026")
    assert (header.destination.lea, header.destination.estab, header.destination.urn) == ("938", "4003", "990203")
    assert header.qualifier == "full"


def test_current_version_reads_without_warning():
    assert read("ctf_good.xml").warnings == ()


def test_capital_v_spelling_and_an_old_version_are_read_with_warnings():
    """interop.md 5: accept CTFVersion with a warning; warn on versions other than the current and
    previous one (reference 6.1)."""
    file = read("ctf_old_version.xml")
    assert file.header.version == "12.0"
    assert file.header.version_element == "CTFVersion"
    assert len(file.warnings) == 2
    assert "CTFVersion" in file.warnings[0]
    assert "12.0" in file.warnings[1] and "26.0" in file.warnings[1]
    assert len(file.pupils) == 2


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2026, 9, 1), ("26.0", "25.0")), (dt.date(2026, 8, 31), ("25.0", "24.0")),
     (dt.date(2023, 9, 1), ("23.0", "22.0"))],
)
def test_version_follows_the_academic_year_starting_in_september(day, expected):
    """interop.md 1.3: academic year 2023 -> "23.0"; the year turns in September."""
    assert ctf.expected_versions(day) == expected


def test_pupil_identity_contacts_and_sen():
    orla, tobiah = read("ctf_good.xml").pupils
    assert (orla.upn, orla.surname, orla.forename, orla.middle_names) == (
        "F938200119001", "Quillfeather", "Orla", "Juniper")
    assert (orla.date_of_birth, orla.sex, orla.nc_year) == (dt.date(2015, 2, 11), "F", "7")
    assert [c.surname for c in orla.contacts] == ["Quillfeather", "Tandridge"]
    first = orla.contacts[0]
    assert (first.order, first.relationship, first.parental_responsibility) == (1, "PAM", True)
    assert first.phones == (ctf.Phone("M", "07700 900123"),)
    assert first.email == "bryony.q@example.invalid"
    assert orla.contacts[1].parental_responsibility is False
    assert orla.sen == (ctf.SenEntry(dt.date(2022, 1, 10), "K", (("SLCN", "1"),)),)
    assert orla.latest_sen_provision == "K"
    assert tobiah.contacts == () and tobiah.sen == () and tobiah.latest_sen_provision is None


def test_gender_is_read_where_older_files_have_it_instead_of_sex():
    """interop.md 1.3: current files say Sex, older ones Gender."""
    text = (DATA / "ctf_good.xml").read_text().replace("<Sex>M</Sex>", "<Gender>M</Gender>")
    file = ctf.read_transfer_file(text.encode(), name="gender.xml", today=TODAY)
    assert file.pupils[1].sex == "M"


def test_year_data_totals_are_prior_school_history():
    orla = read("ctf_good.xml").pupils[0]
    first = orla.attendance[0]
    assert (first.year, first.lea, first.estab, first.school_name) == (
        2024, "938", "2001", "Hollowmere Primary School")
    assert (first.possible, first.authorised, first.attended, first.unauthorised) == (380, 14, 360, 6)


def test_attendance_marks_string_is_kept_verbatim_never_decoded():
    """reference.md 0: keep AttendSessions (start date and marks string) verbatim; never expand
    or count it. Spaces, '#' and two-character codes stay exactly as written."""
    orla = read("ctf_good.xml").pupils[0]
    assert orla.attendance[0].marks_start == dt.date(2024, 9, 4)
    assert orla.attendance[0].marks == "/\\/\\/\\I I/\\##/\\L\\/\\"
    assert orla.attendance[1].marks == "/\\/\\C1C1/\\##  /\\"
    assert not hasattr(orla.attendance[1], "sessions")


def test_year_without_attend_sessions_has_no_marks():
    tobiah = read("ctf_good.xml").pupils[1]
    assert (tobiah.attendance[0].marks_start, tobiah.attendance[0].marks) == (None, "")


def test_malformed_xml_is_rejected_with_the_element_path_and_line():
    (error,) = rejected("ctf_bad_unclosed.xml")
    assert error.column == "/CTfile/CTFpupilData/Pupil[2]/Forename"
    lines = (DATA / "ctf_bad_unclosed.xml").read_text().splitlines()
    assert "</Forname>" in lines[error.line - 1]
    assert "malformed XML" in error.reason


@pytest.mark.parametrize(
    ("name", "path", "reason"),
    [
        ("ctf_bad_date.xml", "/CTfile/CTFpupilData/Pupil[2]/DOB", "not a date"),
        ("ctf_bad_upn.xml", "/CTfile/CTFpupilData/Pupil[2]/UPN", "check letter"),
        ("ctf_bad_totals.xml",
         "/CTfile/CTFpupilData/Pupil[2]/Attendance/YearData/SessionsAttended", "whole number"),
        ("ctf_bad_missing_dob.xml", "/CTfile/CTFpupilData/Pupil[1]/DOB", "missing"),
        ("ctf_bad_root.xml", "/ATfile", "not a Common Transfer File"),
        ("ctf_bad_no_version.xml", "/CTfile/Header/CTFversion", "missing"),
        ("ctf_bad_marks_nested.xml",
         "/CTfile/CTFpupilData/Pupil[1]/Attendance/YearData[2]/AttendSessions/AttendanceMarks",
         "not elements"),
    ],
)
def test_bad_values_are_rejected_naming_the_element(name, path, reason):
    errors = rejected(name)
    assert [(e.column, reason in e.reason) for e in errors] == [(path, True)]
    assert errors[0].file == name and errors[0].line > 1


def test_entities_and_doctypes_are_refused():
    """A DOCTYPE could pull in outside files or expand without end; a CTF has none."""
    text = (DATA / "ctf_good.xml").read_text().replace(
        "<CTfile>", '<!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<CTfile>')
    with pytest.raises(FileRejected) as caught:
        ctf.read_transfer_file(text.encode(), name="doctype.xml", today=TODAY)
    assert "DOCTYPE" in caught.value.errors[0].reason


def test_two_pupils_with_one_upn_are_rejected():
    text = (DATA / "ctf_good.xml").read_text().replace("V938200119002", "F938200119001")
    with pytest.raises(FileRejected) as caught:
        ctf.read_transfer_file(text.encode(), name="twice.xml", today=TODAY)
    assert caught.value.errors[0].column == "/CTfile/CTFpupilData/Pupil[2]/UPN"


def test_an_establishment_number_that_is_not_4_digits_is_rejected():
    text = (DATA / "ctf_good.xml").read_text().replace("<Estab>2001</Estab>\n          <SchoolName>", "<Estab>20011</Estab>\n          <SchoolName>", 1)
    with pytest.raises(FileRejected) as caught:
        ctf.read_transfer_file(text.encode(), name="estab.xml", today=TODAY)
    assert [e.column for e in caught.value.errors] == [
        "/CTfile/CTFpupilData/Pupil[1]/Attendance/YearData[1]/Estab"]
