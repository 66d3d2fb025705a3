"""The children-looked-after return (SSDA903): reference.md 0 ("SSDA903") and interop.md 2.
Header and Episodes as CSV (recognised by their columns) or XML; join by UPN; UN1-UN5 and
unknown UPNs wait in a matching queue, never a guess; a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from muster.audit.models import AuditEvent
from muster.cli import main
from muster.core.exchange import ssda903
from muster.core.exchange.csv_file import FileRejected
from muster.interop.actions import import_ssda903
from muster.interop.models import CareEpisode, CareMatch, CareReturnImport
from muster.registers.models import LocalAuthority, Pupil

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)
ORLA, TOBIAH, HELD_ELSEWHERE = "F938200119001", "V938200119002", "J938200119003"
ADA = "Y938200119004"
"""Not in the return: the pupil a person matches the child without a UPN (C1003) to."""
CSV = [DATA / "ssda903_header.csv", DATA / "ssda903_episodes.csv"]


def csv_files(*names: str) -> list[tuple[str, str]]:
    return [(n, (DATA / n).read_text()) for n in names]


# The reader (no database) ------------------------------------------------------------------

def test_csv_tables_are_recognised_by_their_columns_not_their_names():
    """interop.md 2.1: `_get_file_type` matches the exact column set."""
    care = ssda903.read_csv_files([("b.csv", (DATA / "ssda903_episodes.csv").read_text()),
                                   ("a.csv", (DATA / "ssda903_header.csv").read_text())])
    assert [c.child_id for c in care.children] == ["C1001", "C1002", "C1003", "C1004"]
    assert care.notices == ()


def test_other_tables_of_the_return_are_recognised_and_left_out():
    care = ssda903.read_csv_files(csv_files("ssda903_header.csv", "ssda903_episodes.csv",
                                            "ssda903_reviews.csv"))
    assert len(care.notices) == 1 and "Reviews" in care.notices[0]


def test_episodes_give_from_and_to_legal_status_and_placement_changes():
    orla = ssda903.read_csv_files(csv_files("ssda903_header.csv", "ssda903_episodes.csv")).children[0]
    assert (orla.upn, orla.date_of_birth, orla.sex) == (ORLA, dt.date(2015, 2, 11), "F")
    assert [(e.start, e.end, e.legal_status, e.placement, e.reason_ceased) for e in orla.episodes] == [
        (dt.date(2024, 3, 14), dt.date(2025, 9, 2), "C2", "U1", "X1"),
        (dt.date(2025, 9, 2), None, "C2", "U3", ""),
    ]
    assert orla.episodes[0].provider_urn == "SC999001", "a placement provider's URN, kept as written"


def test_un1_to_un5_mean_no_upn():
    """interop.md 2.1, rules 168/209/210: UN1-UN5 are not UPNs."""
    child = ssda903.read_csv_files(csv_files("ssda903_header.csv", "ssda903_episodes.csv")).children[2]
    assert (child.upn, child.unknown_upn) == ("", "UN2")


def test_xml_return_reads_the_same_as_the_csv_tables():
    """interop.md 2.1: EXPSSDA903/CHILD/HEADER (CHILDID) and EPISODE (PL for PLACE)."""
    from_xml = ssda903.read_xml((DATA / "ssda903_return.xml").read_bytes(), name="ssda903_return.xml")
    from_csv = ssda903.read_csv_files(csv_files("ssda903_header.csv", "ssda903_episodes.csv"))

    def essentials(care):
        return [(c.child_id, c.upn, c.unknown_upn, c.date_of_birth, c.sex,
                 [(e.start, e.end, e.legal_status, e.placement, e.provider_urn) for e in c.episodes])
                for c in care.children]

    assert essentials(from_xml) == essentials(from_csv)


@pytest.mark.parametrize(
    ("names", "where", "reason"),
    [
        (("ssda903_bad_upn_header.csv", "ssda903_episodes.csv"), "UPN", "check letter"),
        (("ssda903_header.csv", "ssda903_bad_date_episodes.csv"), "DECOM", "dd/mm/yyyy"),
        (("ssda903_header.csv", "ssda903_bad_child_episodes.csv"), "CHILD", "not in the Header"),
        (("ssda903_header.csv", "ssda903_bad_overlap_episodes.csv"), "DECOM", "overlaps"),
        (("ssda903_header.csv", "ssda903_bad_columns.csv"), "", "exact columns"),
        (("ssda903_episodes.csv",), "", "no Header table"),
    ],
)
def test_bad_csv_rows_are_rejected_naming_file_line_and_column(names, where, reason):
    with pytest.raises(FileRejected) as caught:
        ssda903.read_csv_files(csv_files(*names))
    (error,) = caught.value.errors
    assert (error.column, reason in error.reason) == (where, True)
    assert error.file in names


def test_malformed_xml_is_rejected_with_its_line():
    with pytest.raises(FileRejected) as caught:
        ssda903.read_xml((DATA / "ssda903_bad_malformed.xml").read_bytes(), name="bad.xml")
    (error,) = caught.value.errors
    assert "malformed XML" in error.reason
    line = (DATA / "ssda903_bad_malformed.xml").read_text().splitlines()[error.line - 1]
    assert "</DECC>" in line


def test_a_bad_xml_value_names_the_element_path():
    text = (DATA / "ssda903_return.xml").read_text().replace("<DECOM>10/01/2023</DECOM>", "<DECOM>2023-01-10</DECOM>")
    with pytest.raises(FileRejected) as caught:
        ssda903.read_xml(text.encode(), name="r.xml")
    assert caught.value.errors[0].column == "/EXPSSDA903/CHILD[2]/EPISODE[1]/DECOM"


def test_an_xml_return_with_a_doctype_is_refused():
    text = (DATA / "ssda903_return.xml").read_text().replace(
        "<EXPSSDA903>", '<!DOCTYPE EXPSSDA903 [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<EXPSSDA903>')
    with pytest.raises(FileRejected) as caught:
        ssda903.read_xml(text.encode(), name="doctype.xml")
    assert "DOCTYPE" in caught.value.errors[0].reason


# The import (database) ---------------------------------------------------------------------

@pytest.fixture
def pupils(db):
    LocalAuthority.objects.create(code="938", name="Kestermoor")
    LocalAuthority.objects.create(code="939", name="Nearby")
    orla = Pupil.objects.create(upn=ORLA, legal_surname="Quillfeather", legal_forename="Orla",
                                date_of_birth=dt.date(2015, 2, 11), nc_year="7")
    tobiah = Pupil.objects.create(upn=TOBIAH, legal_surname="Marchbank", legal_forename="Tobiah",
                                  date_of_birth=dt.date(2015, 6, 30), nc_year="7",
                                  looked_after=True, care_authority="938")
    return orla, tobiah


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        for model in (Pupil, CareEpisode, CareMatch, CareReturnImport, AuditEvent)
    }


@pytest.mark.parametrize("paths", [CSV, [DATA / "ssda903_return.xml"]], ids=["csv", "xml"])
def test_import_sets_who_is_looked_after_and_queues_the_unmatched(pupils, paths):
    result = import_ssda903(paths=paths, authority="938", today=TODAY)
    orla, tobiah = (Pupil.objects.get(upn=u) for u in (ORLA, TOBIAH))
    assert (orla.looked_after, orla.care_authority) == (True, "938")
    assert (tobiah.looked_after, tobiah.care_authority) == (False, ""), "his only episode ended 31/07/2025"
    assert [(e.start, e.placement) for e in CareEpisode.objects.filter(pupil=orla)] == [
        (dt.date(2024, 3, 14), "U1"), (dt.date(2025, 9, 2), "U3")]
    queue = {m.child_id: (m.reason, m.upn_given) for m in CareMatch.objects.all()}
    assert queue == {"C1003": ("no_upn", "UN2"), "C1004": ("not_held", HELD_ELSEWHERE)}
    assert CareMatch.objects.get(child_id="C1004").episodes[0]["start"] == "2025-10-01"
    assert Pupil.objects.count() == 2, "no pupil is made up for an unmatched child"
    assert any("matching queue" in n for n in result.notices)
    changes = AuditEvent.objects.filter(record_kind="pupil", action="change")
    assert {(e.pupil_id, e.after["looked_after"]) for e in changes} == {(orla.pk, True), (tobiah.pk, False)}


def test_importing_the_same_return_twice_changes_nothing(pupils):
    import_ssda903(paths=CSV, authority="938", today=TODAY)
    before = snapshot()
    again = import_ssda903(paths=CSV, authority="938", today=TODAY)
    assert (again.added, again.changed) == (0, 0)
    assert snapshot() == before


def test_a_held_upn_with_another_birth_date_is_queued_not_joined(pupils):
    Pupil.objects.filter(upn=ORLA).update(date_of_birth=dt.date(2015, 2, 12))
    import_ssda903(paths=CSV, authority="938", today=TODAY)
    assert CareMatch.objects.get(child_id="C1001").reason == "birth_differs"
    assert not CareEpisode.objects.filter(pupil__upn=ORLA).exists()
    assert not Pupil.objects.get(upn=ORLA).looked_after


def test_another_authoritys_child_is_not_released_by_this_return(pupils):
    Pupil.objects.filter(upn=TOBIAH).update(care_authority="939")
    import_ssda903(paths=CSV, authority="938", today=TODAY)
    assert (Pupil.objects.get(upn=TOBIAH).looked_after, Pupil.objects.get(upn=TOBIAH).care_authority) == (True, "939")


@pytest.mark.parametrize(
    "names",
    [("ssda903_bad_upn_header.csv", "ssda903_episodes.csv"),
     ("ssda903_header.csv", "ssda903_bad_date_episodes.csv"),
     ("ssda903_header.csv", "ssda903_bad_child_episodes.csv"),
     ("ssda903_header.csv", "ssda903_bad_overlap_episodes.csv"),
     ("ssda903_header.csv", "ssda903_bad_columns.csv"),
     ("ssda903_bad_malformed.xml",)],
)
def test_a_bad_return_changes_nothing(pupils, names):
    before = snapshot()
    with pytest.raises(FileRejected):
        import_ssda903(paths=[DATA / n for n in names], authority="938", today=TODAY)
    assert snapshot() == before


def test_an_unknown_authority_is_refused(pupils):
    with pytest.raises(FileRejected) as caught:
        import_ssda903(paths=CSV, authority="123", today=TODAY)
    assert caught.value.errors[0].column == "authority"


def test_muster_import_ssda903_command(pupils):
    bad = CliRunner().invoke(main, ["import", "ssda903", str(DATA / "ssda903_header.csv"),
                                    str(DATA / "ssda903_bad_date_episodes.csv"), "--authority", "938"])
    assert bad.exit_code == 1
    assert "ssda903_bad_date_episodes.csv line 4, DECOM '10/13/2023'" in bad.output
    good = CliRunner().invoke(main, ["import", "ssda903", *map(str, CSV), "--authority", "938"])
    assert good.exit_code == 0, good.output
    assert Pupil.objects.get(upn=ORLA).looked_after


def test_a_person_matches_a_queued_child_and_it_is_on_record(pupils):
    """reference 0: UN1-UN5 mean no UPN; a person, not Muster, joins such a child to a pupil."""
    import_ssda903(paths=CSV, authority="938", today=TODAY)
    held = Pupil.objects.create(upn=ADA, legal_surname="Pennywhistle", legal_forename="Ada",
                                date_of_birth=dt.date(2013, 5, 14), nc_year="8")
    result = CliRunner().invoke(main, ["care-matches", "match", "938", "C1003", ADA,
                                       "--reason", "Confirmed with the child's social worker"])
    assert result.exit_code == 0, result.output
    held.refresh_from_db()
    assert (held.looked_after, held.care_authority) == (True, "938")
    assert [(e.start, e.legal_status) for e in CareEpisode.objects.filter(pupil=held)] == [(dt.date(2025, 5, 5), "C1")]
    match = CareMatch.objects.get(child_id="C1003")
    assert match.matched_pupil == held and match.matched_at is not None
    event = AuditEvent.objects.get(record_kind="care_match", action="change")
    assert event.pupil_id == held.pk and "social worker" in event.summary
    listed = CliRunner().invoke(main, ["care-matches", "list", "--authority", "938"])
    assert "C1004" in listed.output and "C1003" not in listed.output
    again = CliRunner().invoke(main, ["care-matches", "match", "938", "C1003", ADA, "--reason", "x"])
    assert again.exit_code == 1 and "no child C1003" in again.output


def test_a_matched_child_stays_matched_when_the_return_comes_again(pupils, tmp_path):
    import_ssda903(paths=CSV, authority="938", today=TODAY)
    Pupil.objects.create(upn=ADA, legal_surname="Pennywhistle", legal_forename="Ada",
                         date_of_birth=dt.date(2013, 5, 14), nc_year="8")
    from muster.interop.actions import match_queued_child

    match_queued_child(authority="938", child_id="C1003", upn=ADA, reason="Known to the VS",
                       today=TODAY)
    import_ssda903(paths=CSV, authority="938", today=TODAY)
    assert CareMatch.objects.get(child_id="C1003").matched_pupil.upn == ADA
    assert CareEpisode.objects.filter(child_id="C1003").count() == 1
    later = tmp_path / "episodes.csv"
    later.write_text((DATA / "ssda903_episodes.csv").read_text().replace(
        "C1003,05/05/2025,S,C1,N1,R1,PR0,,,,ZZ99 6AF,ZZ99 7AG,XXXXXXX",
        "C1003,05/05/2025,S,C1,N1,R1,PR0,01/11/2026,X1,CREQB,ZZ99 6AF,ZZ99 7AG,XXXXXXX\n"
        "C1003,01/11/2026,P,C2,N1,U1,PR1,,,,ZZ99 6AF,ZZ99 7AG,SC999005"))
    import_ssda903(paths=[DATA / "ssda903_header.csv", later], authority="938", today=TODAY)
    assert [e.legal_status for e in CareEpisode.objects.filter(child_id="C1003")] == ["C1", "C2"], \
        "the next return's episodes reach the matched pupil"
