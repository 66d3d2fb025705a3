"""On the demo: the first-day list, open penalty-notice cases and due returns are shown by the
command line and the admin, each scoped to the reader (issue 4 "Done when"; issue "People,
roles and trust": one scoping layer for admin, CLI and API)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from muster.audit.models import AuditEvent
from muster.cli import main
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.models import Pupil
from muster.statutory.models import LaReturn, PenaltyNoticeCase
from tests.people.conftest import TODAY, demo, demo_world  # noqa: F401 - the demo fixtures
from tests.people.test_admin_scoping import signed_in_as

pytestmark = pytest.mark.django_db


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def lead_school(users):
    lead = users.get(username="attendance-lead")
    return next(a.organisation.school for a in access.assignments(lead) if a.organisation.school_id)


def test_the_demo_has_open_cases_due_returns_and_a_calling_list(demo):  # noqa: F811
    assert PenaltyNoticeCase.objects.filter(closed_on__isnull=True).exists()
    assert LaReturn.objects.filter(status="due").exists()
    school = lead_school(demo)
    rows = json.loads(run("first-day", "--school", school.urn, "--date", TODAY.isoformat(), "--format", "json"))
    assert rows and {"upn", "priority", "absence_day", "referral_due", "next_steps"} <= set(rows[0])
    assert rows[0]["contacts"].startswith("1. ") and "; 2. " in rows[0]["contacts"]
    priorities = [r["priority"] for r in rows]
    ranks = [{"child in care": 0, "social worker": 1, "": 2}[p] for p in priorities]
    assert ranks == sorted(ranks)


def test_penalty_notices_as_an_attendance_lead_are_their_pupils_only(demo):  # noqa: F811
    lead = demo.get(username="attendance-lead")
    rows = json.loads(run("penalty-notices", "--open", "--format", "json", "--as", "attendance-lead"))
    allowed = set(access.pupils_visible_to(lead, Action.EXPORT, RecordKind.REGISTER).values_list("upn", flat=True))
    everyone = json.loads(run("penalty-notices", "--open", "--format", "json"))
    assert {r["upn"] for r in rows} <= allowed
    assert len(rows) < len(everyone)
    assert AuditEvent.objects.filter(username="attendance-lead", summary__startswith="penalty-notice cases").exists()


def test_a_governor_gets_no_named_cases(demo):  # noqa: F811
    result = CliRunner().invoke(main, ["penalty-notices", "--as", "governor"])
    assert result.exit_code != 0
    assert "do not reach" in result.output


def test_due_returns_export_to_csv_and_are_marked_sent(demo, tmp_path):  # noqa: F811
    school = lead_school(demo)
    due = LaReturn.objects.filter(status="due", school=school).count()
    assert due
    target = tmp_path / "returns.csv"
    run("returns", "--due", "--school", school.urn, "--export", str(target), "--on", TODAY.isoformat())
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == due
    assert set(rows[0]) >= {"upn", "school_urn", "kind", "met_on", "due_on", "ground", "status"}
    assert not LaReturn.objects.filter(status="due", school=school).exists()


def test_the_admin_lists_only_the_cases_in_reach(demo):  # noqa: F811
    lead = demo.get(username="attendance-lead")
    client = signed_in_as(demo, "attendance-lead")
    response = client.get("/admin/statutory/penaltynoticecase/", {"all": ""})
    assert response.status_code == 200
    reach = PenaltyNoticeCase.objects.filter(
        pupil__in=access.pupils_visible_to(lead, Action.LIST, RecordKind.REGISTER).values("pk")
    ).count()
    assert response.context["cl"].result_count == reach < PenaltyNoticeCase.objects.count()
    response = client.get("/admin/statutory/lareturn/", {"all": ""})
    assert response.status_code == 200


def test_a_governor_cannot_open_the_statutory_screens(demo):  # noqa: F811
    client = signed_in_as(demo, "governor")
    assert client.get("/admin/statutory/penaltynoticecase/").status_code in (302, 403)


def test_lateness_by_weekday_on_the_demo(demo):  # noqa: F811
    school = lead_school(demo)
    rows = json.loads(run("lateness", "--school", school.urn, "--from", "2026-09-01", "--to",
                          TODAY.isoformat(), "--format", "json", "--as", "attendance-lead"))
    assert rows and set(rows[0]) >= {"upn", "late_before_close", "late_after_close", "monday", "friday"}
    totals = [r["late_before_close"] + r["late_after_close"] for r in rows]
    assert totals == sorted(totals, reverse=True)


def test_detect_again_opens_nothing_new_and_other_lists_run(demo):  # noqa: F811
    result = CliRunner().invoke(main, ["penalty-notices", "--detect", "--on", TODAY.isoformat()])
    assert result.exit_code == 0 and "Opened 0 case(s)." in result.output
    result = CliRunner().invoke(main, ["returns", "--detect", "--on", TODAY.isoformat()])
    assert result.exit_code == 0 and "Recorded 0 new return(s)." in result.output
    school = lead_school(demo)
    json.loads(run("returns", "--sickness-outlook", "--school", school.urn, "--on", TODAY.isoformat(),
                   "--format", "json"))
    json.loads(run("first-day", "--school", school.urn, "--date", TODAY.isoformat(), "--unresolved-n",
                   "--format", "json"))


def test_detect_is_refused_with_as(demo):  # noqa: F811
    result = CliRunner().invoke(main, ["returns", "--detect", "--as", "attendance-lead"])
    assert result.exit_code != 0 and "operator" in result.output


def test_a_contact_is_logged_from_the_admin_for_a_pupil_in_reach_only(demo):  # noqa: F811
    from muster.statutory.models import ContactAttempt

    lead = demo.get(username="attendance-lead")
    client = signed_in_as(demo, "attendance-lead")
    school = lead_school(demo)
    mine = access.pupils_visible_to(lead, Action.CHANGE, RecordKind.REGISTER).first()
    form = {"pupil": mine.pk, "school": school.pk, "absence_on": TODAY.isoformat(), "method": "sms",
            "contact": "parent", "outcome": "sent", "note": "text sent at 09:20"}
    response = client.post("/admin/statutory/contactattempt/add/", form)
    assert response.status_code == 302, response.content[:2000]
    attempt = ContactAttempt.objects.get(pupil=mine, note="text sent at 09:20")
    assert attempt.made_by_name == "attendance-lead"
    assert AuditEvent.objects.filter(record_kind="contact_attempt", pupil_id=mine.pk, username="attendance-lead").exists()
    outside = Pupil.objects.exclude(
        pk__in=access.pupils_visible_to(lead, Action.CHANGE, RecordKind.REGISTER).values("pk")
    ).first()
    response = client.post("/admin/statutory/contactattempt/add/", {**form, "pupil": outside.pk, "note": "no"})
    assert response.status_code == 200  # the form refuses a pupil out of reach
    assert not ContactAttempt.objects.filter(pupil=outside, note="no").exists()


def test_the_evidence_of_a_case_lists_the_sessions_that_met_it(demo):  # noqa: F811
    case = PenaltyNoticeCase.objects.order_by("pk").first()
    rows = json.loads(run("penalty-notices", "--evidence", case.pupil.upn, "--format", "json"))
    assert len(rows) == len(case.evidence) >= 10
    assert {r["code"] for r in rows} <= {"G", "O", "U"}
    teacher = demo.get(username="teacher")
    in_class = access.pupils_visible_to(teacher, Action.LIST, RecordKind.REGISTER).values("pk")
    elsewhere = PenaltyNoticeCase.objects.exclude(pupil__in=in_class).first()
    refused = CliRunner().invoke(main, ["penalty-notices", "--evidence", elsewhere.pupil.upn, "--as", "teacher"])
    assert refused.exit_code != 0 and "no penalty-notice case" in refused.output


def test_offering_support_from_the_admin_moves_the_case_on(demo):  # noqa: F811
    lead = demo.get(username="attendance-lead")
    reach = access.pupils_visible_to(lead, Action.CHANGE, RecordKind.REGISTER)
    case = PenaltyNoticeCase.objects.filter(pupil__in=reach.values("pk"), stage="opened").first()
    assert case is not None
    client = signed_in_as(demo, "attendance-lead")
    response = client.post("/admin/statutory/penaltynoticecase/",
                           {"action": "offer_support", "_selected_action": [case.pk]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "support_offered"
    assert case.steps.last().by_name == "attendance-lead"


def test_returns_for_a_date_range_as_formats_md_lists_them(demo):  # noqa: F811
    rows = json.loads(run("returns", "--from", "2026-11-01", "--to", TODAY.isoformat(), "--format", "json"))
    assert rows
    assert all("2026-11-01" <= r["met_on"] <= TODAY.isoformat() for r in rows)
    assert {r["kind"] for r in rows} <= {"attendance", "sickness", "new_entry", "deletion"}
    assert all(bool(r["ground"]) == (r["kind"] == "deletion") for r in rows)


def test_a_letter_is_merged_from_the_command_line_and_listed_on_the_pupils_record(demo, tmp_path):  # noqa: F811
    """Issue 4 item 7: merged per pupil, stored on the record, listed in the admin."""
    from muster.statutory.models import Letter

    lead = demo.get(username="attendance-lead")
    pupil = access.pupils_visible_to(lead, Action.CHANGE, RecordKind.REGISTER).filter(
        enrolments__end__isnull=True).order_by("upn").first()
    out = run("letters", "merge", "--template", "below_96", "--pupil", pupil.upn, "--as", "attendance-lead",
              "--on", TODAY.isoformat(), "--out", str(tmp_path))
    letter = Letter.objects.filter(pupil=pupil, kind="below_96").latest("created_at")
    assert f"Letter {letter.pk}" in out and letter.created_by_name == "attendance-lead"
    saved = tmp_path / f"{letter.filename}.docx"
    assert saved.read_bytes() == bytes(letter.docx)
    rows = json.loads(run("letters", "list", "--pupil", pupil.upn, "--as", "attendance-lead", "--format", "json"))
    assert letter.pk in {r["id"] for r in rows}
    client = signed_in_as(demo, "attendance-lead")
    listing = client.get("/admin/statutory/letter/", {"all": ""})
    assert listing.status_code == 200 and listing.context["cl"].result_count >= 1
    download = client.get(f"/admin/statutory/letter/{letter.pk}/file/docx/")
    assert download.status_code == 200 and download.content == bytes(letter.docx)
    case = PenaltyNoticeCase.objects.filter(
        pupil__in=access.pupils_visible_to(lead, Action.CHANGE, RecordKind.REGISTER).values("pk")).first()
    response = client.post("/admin/statutory/penaltynoticecase/",
                           {"action": "evidence_pack", "_selected_action": [case.pk]})
    assert response.status_code == 302
    pack = Letter.objects.get(case=case, kind="evidence_pack")
    assert pack.created_by_name == "attendance-lead" and len(pack.context["case"]["evidence"]) >= 10
    refused = CliRunner().invoke(main, ["letters", "merge", "--template", "below_96", "--pupil", pupil.upn,
                                        "--as", "governor"])
    assert refused.exit_code != 0


def test_the_demo_part_time_timetables_and_leave_are_listed_with_their_flags(demo):  # noqa: F811
    """Issue 4 items 5 and 6 on the demo: one open-ended and one overdue timetable are flagged."""
    rows = json.loads(run("part-time", "list", "--flagged", "--on", TODAY.isoformat(), "--format", "json"))
    flags = " | ".join(r["flags"] for r in rows)
    assert "open-ended" in flags and "review overdue" in flags
    every = json.loads(run("part-time", "list", "--on", TODAY.isoformat(), "--format", "json"))
    assert len(every) > len(rows)
    requests = json.loads(run("leave", "list", "--format", "json"))
    assert {r["status"] for r in requests} == {"pending", "approved", "refused"}
    refused = next(r for r in requests if r["status"] == "refused")
    assert refused["unmet"] == "unavoidable"
    client = signed_in_as(demo, "attendance-lead")
    assert client.get("/admin/statutory/parttimetimetable/").status_code == 200
    assert client.get("/admin/statutory/leaverequest/").status_code == 200
