"""Importing a Common Transfer File into Muster: all or nothing, audited, the marks string kept
verbatim (reference.md 0, "CTF AttendanceMarks"; issue "Interoperability", item 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from muster.audit.models import AuditEvent
from muster.cli import main
from muster.core.exchange.csv_file import FileRejected
from muster.interop.actions import import_ctf
from muster.interop.models import PriorAttendance, PupilContact, SenRecord, TransferFileImport
from muster.registers.models import Pupil

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)
ORLA, TOBIAH = "F938200119001", "V938200119002"


def held_orla(**changes) -> Pupil:
    values = dict(upn=ORLA, legal_surname="Quillfeather", legal_forename="Orla",
                  date_of_birth=dt.date(2015, 2, 11), sex="F", nc_year="7", sen="N")
    values.update(changes)
    return Pupil.objects.create(**values)


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        for model in (Pupil, PriorAttendance, PupilContact, SenRecord, TransferFileImport, AuditEvent)
    }


def test_good_file_adds_history_contacts_and_sen_for_held_and_new_pupils():
    held_orla()
    result = import_ctf(path=DATA / "ctf_good.xml", today=TODAY)
    assert result.rows == 2
    tobiah = Pupil.objects.get(upn=TOBIAH)
    assert (tobiah.legal_surname, tobiah.nc_year, tobiah.sex) == ("Marchbank", "7", "M")
    years = PriorAttendance.objects.filter(pupil__upn=ORLA).order_by("year")
    assert [(y.year, y.sessions_possible, y.sessions_attended) for y in years] == [(2024, 380, 360), (2025, 378, 352)]
    assert years[1].marks == "/\\/\\C1C1/\\##  /\\" and years[1].marks_start == dt.date(2025, 9, 3)
    assert [c.surname for c in PupilContact.objects.filter(pupil__upn=ORLA)] == ["Quillfeather", "Tandridge"]
    assert PupilContact.objects.get(pupil__upn=ORLA, order=1).phones == [{"kind": "M", "number": "07700 900123"}]
    assert SenRecord.objects.get(pupil__upn=ORLA).provision == "K"
    # 1 new pupil + 3 prior years + Orla's contact list + 1 SEN entry
    assert (result.added, result.changed) == (6, 0)
    assert any("SEN provision is K" in n for n in result.notices)
    assert any("new pupil" in n and TOBIAH in n for n in result.notices)
    assert Pupil.objects.get(upn=ORLA).sen == "N", "a held pupil's own SEN record is kept"
    source = TransferFileImport.objects.get()
    assert (source.version, source.source_estab) == ("26.0", "2001")
    event = AuditEvent.objects.get(record_kind="ctf")
    assert "ctf_good.xml" in event.summary and event.action == "change"


def test_importing_the_same_file_twice_changes_nothing():
    held_orla()
    import_ctf(path=DATA / "ctf_good.xml", today=TODAY)
    before = snapshot()
    again = import_ctf(path=DATA / "ctf_good.xml", today=TODAY)
    assert (again.added, again.changed) == (0, 0)
    assert snapshot() == before


def test_a_changed_total_or_contact_list_is_updated_in_place(tmp_path):
    held_orla()
    import_ctf(path=DATA / "ctf_good.xml", today=TODAY)
    text = (DATA / "ctf_good.xml").read_text()
    text = text.replace("<SessionsAuthorised>20</SessionsAuthorised>", "<SessionsAuthorised>21</SessionsAuthorised>")
    text = text.replace("<SessionsAttended>352</SessionsAttended>", "<SessionsAttended>351</SessionsAttended>")
    text = text.replace("<Forename>Ewan</Forename>", "<Forename>Ewen</Forename>")
    changed = tmp_path / "ctf_corrected.xml"
    changed.write_text(text)
    result = import_ctf(path=changed, today=TODAY)
    assert (result.added, result.changed) == (0, 2)
    assert PriorAttendance.objects.get(pupil__upn=ORLA, year=2025).sessions_authorised == 21
    assert PupilContact.objects.get(pupil__upn=ORLA, order=2).forename == "Ewen"
    assert PupilContact.objects.filter(pupil__upn=ORLA).count() == 2


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("ctf_bad_*.xml")))
def test_a_bad_file_changes_nothing(name):
    held_orla()
    before = snapshot()
    with pytest.raises(FileRejected) as caught:
        import_ctf(path=DATA / name, today=TODAY)
    assert caught.value.errors and all(e.column.startswith("/") for e in caught.value.errors)
    assert snapshot() == before


def test_a_held_pupil_with_another_birth_date_is_refused_not_overwritten():
    """A wrong UPN would put one child's history on another's record."""
    held_orla(date_of_birth=dt.date(2015, 2, 12))
    before = snapshot()
    with pytest.raises(FileRejected) as caught:
        import_ctf(path=DATA / "ctf_good.xml", today=TODAY)
    (error,) = caught.value.errors
    assert error.column == "/CTfile/CTFpupilData/Pupil[1]/DOB" and "another date of birth" in error.reason
    assert snapshot() == before


def test_a_new_pupil_without_an_nc_year_is_refused(tmp_path):
    text = (DATA / "ctf_good.xml").read_text().replace(
        "      <BasicDetails>\n        <NCyearActual>7</NCyearActual>\n      </BasicDetails>\n", "", 1)
    path = tmp_path / "ctf_no_year.xml"
    path.write_text(text)
    with pytest.raises(FileRejected) as caught:
        import_ctf(path=path, today=TODAY)
    assert caught.value.errors[0].column == "/CTfile/CTFpupilData/Pupil[1]/BasicDetails/NCyearActual"
    assert Pupil.objects.count() == 0


def test_old_version_imports_with_its_warnings_recorded():
    result = import_ctf(path=DATA / "ctf_old_version.xml", today=TODAY)
    assert sum("CTFVersion" in n or "12.0" in n for n in result.notices) == 2
    assert "12.0" in TransferFileImport.objects.get().warnings


def test_muster_import_ctf_command_rejects_a_bad_file_with_the_element():
    bad = CliRunner().invoke(main, ["import", "ctf", str(DATA / "ctf_bad_date.xml")])
    assert bad.exit_code == 1
    assert "/CTfile/CTFpupilData/Pupil[2]/DOB '2015-06-31'" in bad.output
    assert "nothing was changed" in bad.output
    assert Pupil.objects.count() == 0
    good = CliRunner().invoke(main, ["import", "ctf", str(DATA / "ctf_good.xml")])
    assert good.exit_code == 0, good.output
    assert "ctf_good.xml: 2" in good.output
    assert Pupil.objects.count() == 2


def test_history_shows_the_marks_string_verbatim_and_is_audited():
    """reference 0: the AttendSessions string is kept verbatim and shown, never expanded."""
    import json

    held_orla()
    import_ctf(path=DATA / "ctf_good.xml", today=TODAY)
    shown = CliRunner().invoke(main, ["history", ORLA])
    assert shown.exit_code == 0, shown.output
    history = json.loads(shown.output)
    assert [y["marks_verbatim"] for y in history["prior_attendance"]] == [
        "/\\/\\/\\I I/\\##/\\L\\/\\", "/\\/\\C1C1/\\##  /\\"]
    assert "never counted" in history["marks_note"]
    assert [c["relationship"] for c in history["contacts"]] == ["PAM", "OTH"]
    assert AuditEvent.objects.filter(record_kind="pupil", action="view", pupil_id__isnull=False).exists()


def test_history_is_refused_to_someone_whose_roles_do_not_reach_the_pupil():
    from django.contrib.auth import get_user_model

    held_orla()
    get_user_model().objects.create_user("no-role", password="x")
    refused = CliRunner().invoke(main, ["history", ORLA, "--as", "no-role"])
    assert refused.exit_code == 1 and "no pupil" in refused.output
