"""On the demo (issue 5, "Done when"): children in care with PEPs and plans in several states,
an escalated case and a plan that fails the quality check for a stated reason; the CLI reads
them through the trust layer."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from muster.care.caseload import caseload
from muster.care.demo import FAILS_QUALITY
from muster.care.measure import quality
from muster.care.models import AttendanceImprovementPlan, Escalation, PathwayApproval, PathwayRun
from muster.casework.models import Task
from muster.cli import main
from tests.accounts.conftest import PASSWORD, sign_in
from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)


demo_world = demo_world_fixture(pupils=700, password=PASSWORD)


@pytest.fixture
def users(demo_world, db):
    return demo_world


def latest(pupil) -> AttendanceImprovementPlan:
    return AttendanceImprovementPlan.objects.filter(pupil=pupil).order_by("agreed_on", "pk").last()


def test_the_demo_has_plans_in_several_states(users):
    statuses = set(AttendanceImprovementPlan.objects.values_list("status", flat=True))
    assert {"active", "improved", "not_improved"} <= statuses
    reviewed = AttendanceImprovementPlan.objects.exclude(review_meeting=None)
    assert all(p.before_possible and p.after_possible for p in reviewed)  # measured, not typed


def test_the_demo_has_an_escalated_case_whose_attendance_did_not_improve(users):
    escalation = Escalation.objects.get()
    assert escalation.status == Escalation.Status.ESCALATED and escalation.outcome
    plan = escalation.plan
    change = plan.after_attended / plan.after_possible - plan.before_attended / plan.before_possible
    assert change * 100 < 1  # policies/virtual_school/care/escalation_margin_points.yaml
    assert plan.after_attended * 100 < plan.aim_percent * plan.after_possible  # below the aim
    assert plan.revisions.exists()


def test_one_demo_plan_fails_the_quality_check_for_its_stated_reason(users):
    failing = [p for p in AttendanceImprovementPlan.objects.filter(status="active") if not quality(p, TODAY).effective]
    checks = {frozenset(f.check for f in quality(p, TODAY).failed) for p in failing}
    assert frozenset({"child_voice", "reduced_timetable_ends"}) in checks
    assert "child's voice" in FAILS_QUALITY and "reduced timetable with no end date" in FAILS_QUALITY
    assert frozenset({"timely_review"}) in checks  # the drifting plan


def test_the_demo_pathways_made_tasks_and_the_school_move_was_approved(users):
    assert PathwayRun.objects.count() == 2
    assert Task.objects.filter(policy_id__startswith="pathway:").count() == 18 + 15
    approval = PathwayApproval.objects.get()
    assert approval.approved and approval.decided_by.username == "vs-head"


def test_the_caseload_of_the_virtual_school_advisor_shows_plans_and_bands(users):
    rows = caseload(users.get(username="vs-head"), TODAY)
    assert rows and all(r.band != "(not evaluated)" for r in rows if r.possible)
    assert "Active: awaiting review" in {r.plan_status for r in rows}
    escalated = [r for r in rows if r.escalation]
    assert [r.escalation for r in escalated] == ["Escalated to team manager and IRO"]
    assert "revised at the review" in escalated[0].plan_status
    assert caseload(users.get(username="teacher"), TODAY) == []


def test_the_care_commands_read_the_demo_as_the_advisor(users):
    runner = CliRunner()
    shown = runner.invoke(main, ["care", "caseload", "--as", "vs-head", "--date", "2026-11-27"])
    assert shown.exit_code == 0, shown.output
    assert "Escalated to team manager and IRO" in shown.output
    checked = runner.invoke(main, ["care", "plan-check", "--as", "vs-head", "--date", "2026-11-27"])
    assert checked.exit_code == 0 and "The child's voice is not recorded." in checked.output
    upn = Escalation.objects.get().pupil.upn
    one = runner.invoke(main, ["care", "plan-check", upn, "--as", "vs-head", "--date", "2026-11-27"])
    assert one.exit_code == 0 and "checks failed" in one.output
    escalations = runner.invoke(main, ["care", "escalations", "--as", "vs-head", "--format", "csv"])
    assert escalations.exit_code == 0 and upn in escalations.output
    refused = runner.invoke(main, ["care", "plan-check", upn, "--as", "teacher", "--date", "2026-11-27"])
    assert refused.exit_code != 0 and "may see" in refused.output


def test_the_admin_shows_a_plan_with_its_checklist_actions_and_quality_findings(users, client):
    plan = next(p for p in AttendanceImprovementPlan.objects.filter(pupil_voice="", status="active"))
    sign_in(client, users.get(username="vs-head"))
    page = client.get(f"/admin/care/attendanceimprovementplan/{plan.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The child&#x27;s voice is not recorded." in text and "Foster Carer/ Residential Home" in text
    assert "Wake-up phone call" in text


def test_the_admin_lists_no_plans_to_a_teacher_outside_the_childrens_schools(users, client):
    sign_in(client, users.get(username="teacher"))
    page = client.get("/admin/care/attendanceimprovementplan/")
    assert page.status_code in (302, 403) or "0 attendance improvement plans" in page.content.decode()


def test_the_demo_children_in_care_have_a_trend_since_entering_care(users):
    """Issue 5 item 1: attendance before and since entering care, from the demo's invented
    SSDA903 episodes and its marks; a child who entered care before the registers held shows
    only the since."""
    rows = caseload(users.get(username="vs-head"), TODAY)
    assert rows and all(r.care_since is not None for r in rows)
    with_before = [r for r in rows if r.before_care is not None and r.before_care.possible]
    assert with_before and all("before" in r.trend and "since" in r.trend for r in with_before)
    assert any("before the registers held" in r.trend for r in rows)


def test_the_demo_plans_show_on_the_pages_with_their_states(users, client):
    """The escalated case and the plan that fails the quality check, as the Virtual School Head
    sees them on the children-in-care pages."""
    sign_in(client, users.get(username="vs-head"))
    listing = client.get("/children-in-care/")
    assert listing.status_code == 200 and "Escalation: Escalated to team manager and IRO" in listing.content.decode()
    escalated = Escalation.objects.get().plan
    page = client.get(f"/children-in-care/plans/{escalated.pk}/").content.decode()
    assert "Escalated to the team manager and the IRO" in page and "Replaced at its review" in page
    failing = AttendanceImprovementPlan.objects.get(pupil_voice="", reduced_timetable=True)
    page = client.get(f"/children-in-care/plans/{failing.pk}/").content.decode()
    assert "The child&#x27;s voice is not recorded." in page and "reduced timetable with no end date" in page
    child = client.get(f"/children-in-care/{failing.pupil_id}/")
    assert child.status_code == 200 and child.context["plans"][0] == failing
