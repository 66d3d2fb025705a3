"""`muster targeting meetings` on the demo: the termly meeting of a school and its authority from
the command line, through the actions and the reach the pages at /targeting/ use (issue 10 part
3; seed 002 Annex A: local authorities "hold a regular conversation with every school" about
the pupils at risk, persistently or severely absent, and agree actions with them)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from docx import Document

from muster.audit.models import AuditEvent
from muster.cli import main
from muster.targeting import scope
from muster.targeting.demo import demo_school
from muster.targeting.models import ActionLogEntry, AgreedAction, Meeting
from tests.targeting.conftest import TODAY

pytestmark = pytest.mark.django_db

ATTENDEES = ("--attendee", "Attendance lead (school)", "--attendee", "Attendance officer (LA)")


def muster(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) is ok, result.output
    return result


def listed(*args: str) -> list[dict]:
    return json.loads(muster(*args, "--format", "json").output)


def test_a_meeting_started_from_the_command_line_starts_from_the_last_ones_open_actions(demo):
    """The demo's meeting before half term agreed an action for each pupil on its list; the new
    meeting's list carries every one still open (the web's list: `meeting_rows`)."""
    school = demo_school()
    last = Meeting.objects.get(school=school)
    rows = listed("targeting", "meetings", "start", "--school", school.urn, *ATTENDEES,
                  "--as", "la-officer")
    started = Meeting.objects.get(school=school, held_on=TODAY)
    assert started.created_by.username == "la-officer" and len(started.attendee_list) == 2
    logged = set(last.entries.values_list("pupil__upn", flat=True))
    carried = {r["upn"] for r in rows if r["open_actions"]}
    assert logged and logged <= carried
    row = next(r for r in rows if r["upn"] in logged)
    assert "Meet the family to agree an attendance plan (Attendance lead, review" in row["open_actions"]
    assert f"on {last.held_on}" in row["changes"]
    assert listed("targeting", "meetings", "show", str(started.pk), "--as", "la-officer") == rows
    table = muster("targeting", "meetings", "show", str(started.pk), "--as", "la-officer").output
    assert f"{len(rows)} pupils to discuss, {len(carried)} with agreed actions still open" in table
    meetings = listed("targeting", "meetings", "list", "--school", school.urn, "--as", "attendance-lead")
    assert [m["id"] for m in meetings] == [started.pk, last.pk]
    again = muster("targeting", "meetings", "start", "--school", school.urn, *ATTENDEES,
                   "--as", "la-officer", ok=False)
    assert "already recorded" in again.output


def test_an_agreed_action_logged_by_the_school_is_on_the_authoritys_list(demo):
    school = demo_school()
    upn = listed("targeting", "meetings", "start", "--school", school.urn, *ATTENDEES,
                 "--as", "la-officer")[0]["upn"]
    meeting = Meeting.objects.get(school=school, held_on=TODAY)
    assert upn in {r["upn"] for r in listed("targeting", "meetings", "show", str(meeting.pk),
                                            "--as", "attendance-lead")}
    said = muster("targeting", "meetings", "log", str(meeting.pk), "--pupil", upn,
                  "--action", "Invite the family to a support meeting", "--owner", "Attendance lead",
                  "--review-on", "2026-12-11", "--early-help", "yes", "--barriers", "Transport",
                  "--as", "attendance-lead").output
    assert f"Recorded in the action log of {upn}" in said
    entry = ActionLogEntry.objects.get(pupil__upn=upn, barriers="Transport")
    assert (entry.meeting, entry.early_help_offered, entry.written_by_name) == (meeting, True, "attendance-lead")
    assert entry.organisation.school_id == school.pk, "written by the school's side"
    officer = demo.get(username="la-officer")
    assert scope.actions_visible_to(officer).filter(
        pupil__upn=upn, description="Invite the family to a support meeting",
        review_on=dt.date(2026, 12, 11)).exists()
    row = next(r for r in listed("targeting", "meetings", "show", str(meeting.pk), "--as", "la-officer")
               if r["upn"] == upn)
    assert "Invite the family to a support meeting (Attendance lead, review 2026-12-11)" in row["open_actions"]
    half = muster("targeting", "meetings", "log", str(meeting.pk), "--pupil", upn,
                  "--action", "Home visit", "--as", "attendance-lead", ok=False)
    assert "needs --owner and --review-on" in half.output


def test_a_person_from_another_school_is_refused_as_if_nothing_were_there(demo, tmp_path, other_school_lead):
    """Their own school's meetings only; another's answer as a meeting that does not exist,
    and nothing is written (seed 002 Annex A: the conversation is the school's and its LA's)."""
    school = demo_school()
    meeting = Meeting.objects.get(school=school)
    upn = meeting.entries.order_by("pk").first().pupil.upn
    before = (Meeting.objects.count(), ActionLogEntry.objects.count(), AgreedAction.objects.count())
    outsider = other_school_lead.username
    shown = muster("targeting", "meetings", "show", str(meeting.pk), "--as", outsider, ok=False)
    missing = muster("targeting", "meetings", "show", "999999", "--as", outsider, ok=False)
    assert shown.output.replace(str(meeting.pk), "N") == missing.output.replace("999999", "N")
    assert f"no meeting {meeting.pk} within {outsider}'s reach" in shown.output
    logged = muster("targeting", "meetings", "log", str(meeting.pk), "--pupil", upn, "--note",
                    "should not be written", "--as", outsider, ok=False)
    assert f"no meeting {meeting.pk}" in logged.output
    started = muster("targeting", "meetings", "start", "--school", school.urn, *ATTENDEES,
                     "--as", outsider, ok=False)
    assert f"no school {school.urn} within {outsider}'s reach" in started.output
    out = tmp_path / "pack.docx"
    muster("targeting", "meetings", "pack", str(meeting.pk), "--out", str(out), "--as", outsider, ok=False)
    assert not out.exists()
    assert listed("targeting", "meetings", "list", "--as", outsider) == []
    assert (Meeting.objects.count(), ActionLogEntry.objects.count(), AgreedAction.objects.count()) == before


def test_the_pack_is_written_as_the_word_document_the_web_gives(demo, tmp_path):
    school = demo_school()
    meeting = Meeting.objects.get(school=school)
    rows = listed("targeting", "meetings", "show", str(meeting.pk), "--as", "la-officer")
    out = tmp_path / "pack.docx"
    assert muster("targeting", "meetings", "pack", str(meeting.pk), "--out", str(out),
                  "--as", "la-officer").output.strip() == str(out)
    document = Document(io.BytesIO(out.read_bytes()))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert rows and all(r["upn"] in text for r in rows)
    assert len(document.tables[0].rows) == len(rows) + 1
    assert AuditEvent.objects.filter(record_kind="figures", record_id=meeting.pk, action="export",
                                     summary__contains=f"to {out}").exists()
