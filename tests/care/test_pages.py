"""The children-in-care pages through Django's test client (issue 5 items 1-7): the Virtual
School's single school with the trend since entering care, the PEP meeting and attendance
improvement plan form (seed 000, seed 004's action table), the plan's quality checklist and
attendance measured from the marks, reviews, escalations, pathways (seed 001) and PP+ requests.

One small invented world is built once for the module (tests/casework/world.py); each test runs
in its own transaction. Nobody reaches a child outside their role's scope: the same 404 as a
child that does not exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.audit.models import AuditEvent
from muster.care import actions
from muster.care.models import (
    AttendanceImprovementPlan,
    Escalation,
    PathwayApproval,
    PupilPremiumPlusRequest,
)
from muster.casework.models import Task
from muster.core.care.pathways import pathways
from muster.core.care.plan_quality import ActionRow
from muster.core.roles import Role
from muster.interop.models import CareEpisode
from muster.people import access
from muster.people.actions import assign_role
from muster.people.models import Organisation
from muster.registers.models import Pupil
from tests.accounts.conftest import PASSWORD, sign_in
from tests.casework.world import TERM_START, build_world, nth

# Days 1-20 at 70% (7 of 10 days present), then 90%: one character per school day, both sessions.
PATTERN = "///O//O//U" * 2 + "////O/////" * 5
TODAY = nth(60)
ENTERED_CARE = 21
EVERY = {"carer": "yes", "social_worker_iro": "yes", "education_setting": "yes", "pupil": "yes",
         "virtual_school": "no"}


def sessions_present(first: int, last: int) -> tuple[int, int]:
    """Attended and possible sessions from the pattern, school days `first` to `last` (from 1)."""
    days = PATTERN[first - 1:last]
    return 2 * days.count("/"), 2 * len(days)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The casework world, a Virtual School Head, a social worker with no children and sign-in
    details for everyone; quick password hashing for the module only."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        patch.setattr(access, "today", lambda: TODAY)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            users = get_user_model().objects
            children_services = Organisation.objects.get(kind="childrens_services")
            for username, role, organisation in (("vs-head", Role.VIRTUAL_SCHOOL_HEAD, built.virtual_school),
                                                 ("idle-social-worker", Role.SOCIAL_WORKER, children_services)):
                user = users.create_user(username, password="x")
                assign_role(user=user, role=role, organisation=organisation, starts=TERM_START)
            built.child = built.pupil(1, PATTERN)
            built.other = built.pupil(2, "/" * 60, looked_after=False)
            CareEpisode.objects.create(pupil=built.child, authority="938", child_id="T1", start=nth(ENTERED_CARE),
                                       legal_status="C2", placement="U1")
            for user in users.all():
                user.set_password(PASSWORD)
                user.save()
                TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def as_user(world, db):
    """A test client per person, signed in once with password and code (a code is good once)."""
    clients: dict[str, Client] = {}

    def signed_in(username: str) -> Client:
        if username not in clients:
            clients[username] = Client()
            sign_in(clients[username], get_user_model().objects.get(username=username))
        return clients[username]

    return signed_in


def plan_form(day: dt.date, **extra) -> dict:
    data = {"date": day.isoformat(), "attendees": "Designated teacher\nSocial worker\nFoster carer",
            "push_inside": "Enjoys art", "pull_outside": "Poor sleep", "going_well": "Settled in art lessons",
            "aim_percent": "95", "aim_date": (day + dt.timedelta(weeks=10)).isoformat(), "incentive": "Climbing trip",
            "action-1-barrier": "Poor sleep", "action-1-action": "Wake-up call from the key adult",
            "action-1-by_when": (day + dt.timedelta(weeks=3)).isoformat(), "action-1-responsible": "Key adult",
            "action-1-measure": "On time 13 of 15 days",
            "action-2-barrier": "Friendships at break", "action-2-action": "Lunchtime club place",
            "action-2-by_when": (day + dt.timedelta(weeks=4)).isoformat(), "action-2-responsible": "Designated teacher"}
    data.update({f"resp-{k}": v for k, v in EVERY.items()})
    data.update(extra)
    return data


def agreed_plan(world, on: dt.date) -> AttendanceImprovementPlan:
    teacher = get_user_model().objects.get(username="designated-teacher")
    return actions.record_plan_meeting(
        pupil=world.child, date=on, attendees=["Designated teacher"], user=teacher,
        responsibilities={k: (v == "yes", "") for k, v in EVERY.items()},
        actions=[ActionRow("Poor sleep", "Wake-up call", on + dt.timedelta(weeks=3), "Key adult", "On time")],
        aim_percent=Decimal("95"), aim_date=on + dt.timedelta(weeks=10), push_inside="Art", pull_outside="Sleep",
        pupil_voice="Mornings are hard", going_well="Art")


def test_the_single_school_shows_the_trend_since_entering_care_and_filters(as_user, world):
    """Issue 5 item 1: each child's figures, band, trend since entering care (from the marks
    and the SSDA903 episode), tasks, PEPs and plan; filters by school, LA, stage, workers."""
    client = as_user("vs-head")
    page = client.get("/children-in-care/")
    assert page.status_code == 200
    [row] = page.context["rows"]
    assert row.upn == world.child.upn and row.care_since == nth(ENTERED_CARE)
    assert (row.before_care.attended, row.before_care.possible) == sessions_present(1, ENTERED_CARE - 1)
    assert (row.since_care.attended, row.since_care.possible) == sessions_present(ENTERED_CARE, 60)
    text = page.content.decode()
    assert "70.0% before, 90.0% since (+20.0 points)" in text and "best run" in text
    assert AuditEvent.objects.filter(action="list", summary__contains="children in care").exists()
    for query, found in (({"advisor": "education-advisor"}, 1), ({"advisor": "vs-head"}, 0),
                         ({"social_worker": "social-worker", "la": "938", "school": "310001"}, 1),
                         ({"la": "999"}, 0), ({"stage": "KS3"}, 1), ({"stage": "KS1"}, 0)):
        assert len(client.get("/children-in-care/", query).context["rows"]) == found, query


def test_people_outside_a_childs_care_get_the_same_404_as_for_no_child(as_user, world):
    """Scoping (issue "People, roles and trust"): a social worker with no children and a school
    attendance lead reach none of the child's care pages, and their forms change nothing."""
    plan = agreed_plan(world, nth(41))
    client = as_user("idle-social-worker")
    assert client.get("/children-in-care/").context["rows"] == []
    for url in (f"/children-in-care/{world.child.pk}/", f"/children-in-care/{world.child.pk}/plans/new/",
                f"/children-in-care/plans/{plan.pk}/", f"/children-in-care/{world.other.pk}/",
                "/children-in-care/999999/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/children-in-care/{world.child.pk}/plans/new/", plan_form(nth(55))).status_code == 404
    assert client.post(f"/children-in-care/plans/{plan.pk}/review/",
                       {"review-date": TODAY.isoformat(), "review-attendees": "x"}).status_code == 404
    assert AttendanceImprovementPlan.objects.count() == 1 and not Escalation.objects.exists()
    lead = as_user("attendance-lead")
    assert lead.get("/children-in-care/").status_code == 404
    assert lead.get(f"/children-in-care/{world.child.pk}/").status_code == 404


def test_the_plan_form_round_trip_saves_smart_rows_and_shows_the_quality_findings(as_user, world):
    """Issue 5 items 2 and 6: the seed 000 form (checklist per role, push/pull, voice, aim,
    seed 004's action rows, incentive) saved through the actions, then the plan page lists every
    check with its reason and the attendance before and since, measured from the marks."""
    client = as_user("designated-teacher")
    form = client.get(f"/children-in-care/{world.child.pk}/plans/new/")
    text = form.content.decode()
    assert form.status_code == 200 and "csrfmiddlewaretoken" in text
    assert "Foster Carer/ Residential Home- Key worker/ Parent" in text  # seed 000 line 16
    assert "How will we know it is working for the child?" in text  # seed 004 line 245
    saved = client.post(f"/children-in-care/{world.child.pk}/plans/new/", plan_form(nth(41)))
    plan = AttendanceImprovementPlan.objects.get(pupil=world.child)
    assert saved.status_code == 302 and saved.url == f"/children-in-care/plans/{plan.pk}/"
    assert [(a.barrier, a.responsible, a.measure) for a in plan.actions.all()] == [
        ("Poor sleep", "Key adult", "On time 13 of 15 days"), ("Friendships at break", "Designated teacher", "")]
    assert {r.who: r.discussed for r in plan.responsibilities.all()} == {k: v == "yes" for k, v in EVERY.items()}
    assert plan.aim_percent == Decimal("95") and plan.incentive == "Climbing trip"
    assert AuditEvent.objects.filter(record_kind="attendance_plan", record_id=str(plan.pk), action="change").exists()
    page = client.get(saved.url)
    failed = {f.check: f.reason for f in page.context["report"].failed}
    assert set(failed) == {"actions_smart", "child_voice"}
    text = page.content.decode()
    assert "The child&#x27;s voice is not recorded." in text and "has no measure" in text
    measured = page.context["measured"]
    assert (measured.before.attended, measured.before.possible) == sessions_present(11, 40)  # six weeks before
    assert (measured.after.attended, measured.after.possible) == sessions_present(41, 60)
    assert AuditEvent.objects.filter(record_kind="attendance_plan", record_id=str(plan.pk), action="view").exists()


def test_the_plan_form_names_each_missing_answer_and_saves_nothing(as_user, world):
    client = as_user("designated-teacher")
    data = plan_form(nth(41), date="", attendees="", aim_percent="lots")
    del data["resp-pupil"]
    page = client.post(f"/children-in-care/{world.child.pk}/plans/new/", data)
    assert page.status_code == 400
    fields = {e.field for e in page.context["errors"]}
    assert fields == {"date", "attendees", "resp-pupil", "aim_percent"}
    assert "Say whether the responsibilities of Pupil were discussed" in page.content.decode()
    assert not AttendanceImprovementPlan.objects.exists()
    assert page.context["resp_rows"][0]["answer"] == "yes"  # what was typed is kept


def test_forms_refuse_a_post_without_the_csrf_token(world, db):
    """Strict CSRF: a form posted from elsewhere changes nothing."""
    client = Client()
    sign_in(client, get_user_model().objects.get(username="vs-head"))
    client.handler.enforce_csrf_checks = True
    refused = client.post(f"/children-in-care/{world.child.pk}/plans/new/", plan_form(nth(41)))
    assert refused.status_code == 403 and not AttendanceImprovementPlan.objects.exists()


def test_a_review_with_no_improvement_proposes_escalation_and_the_outcome_is_recorded(as_user, world):
    """Seed 001 line 61: not improved by the follow-up meeting, escalate to the social
    worker's team manager and the IRO; Muster proposes it and records the outcome."""
    plan = agreed_plan(world, nth(52))  # 90% before and after: no improvement
    client = as_user("education-advisor")
    reviewed = client.post(f"/children-in-care/plans/{plan.pk}/review/",
                           {"review-date": TODAY.isoformat(), "review-attendees": "Advisor\nSocial worker"})
    assert reviewed.status_code == 302
    plan.refresh_from_db()
    assert (plan.after_attended, plan.after_possible) == sessions_present(52, 60)
    escalation = Escalation.objects.get(plan=plan)
    assert escalation.status == Escalation.Status.PROPOSED and "team manager and the IRO" in escalation.reason
    page = client.get(f"/children-in-care/plans/{plan.pk}/")
    assert "Was it escalated" in page.content.decode()
    teacher = as_user("designated-teacher")
    refused = teacher.post(f"/children-in-care/escalations/{escalation.pk}/", {"decision": "escalated",
                                                                             "outcome": "Raised"})
    assert refused.status_code == 400 and "records an escalation" in refused.content.decode()
    advisor = as_user("education-advisor")
    done = advisor.post(f"/children-in-care/escalations/{escalation.pk}/",
                        {"decision": "escalated", "outcome": "Raised with the team manager and the IRO"})
    assert done.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ESCALATED and escalation.decided_by.username == "education-advisor"


def test_starting_a_pathway_makes_tasks_and_only_the_virtual_school_head_approves_a_school_move(as_user, world):
    """Seed 001 lines 5-24: the steps become tasks; the School Move Protocol needs the Virtual
    School Head's agreement, recorded with who and when."""
    client = as_user("social-worker")
    started = client.post(f"/children-in-care/{world.child.pk}/pathways/",
                          {"pathway": "cannot_attend_named_school", "starts": nth(55).isoformat()})
    assert started.status_code == 302
    steps = pathways(nth(55))["cannot_attend_named_school"].steps
    assert Task.objects.filter(pupil=world.child, policy_id="pathway:cannot_attend_named_school").count() == len(steps)
    again = client.post(f"/children-in-care/{world.child.pk}/pathways/",
                        {"pathway": "cannot_attend_named_school", "starts": nth(55).isoformat()})
    assert again.status_code == 400 and "already started" in again.content.decode()
    page = client.get(f"/children-in-care/{world.child.pk}/")
    assert steps[0].text in page.content.decode()
    run = page.context["runs"][0]["run"]
    refused = client.post(f"/children-in-care/pathways/{run.pk}/steps/school_move_protocol/", {"decision": "approve"})
    assert refused.status_code == 400 and not PathwayApproval.objects.exists()
    approved = as_user("vs-head").post(f"/children-in-care/pathways/{run.pk}/steps/school_move_protocol/",
                                       {"decision": "approve", "note": "Move agreed"})
    assert approved.status_code == 302
    approval = PathwayApproval.objects.get()
    assert approval.approved and approval.decided_by.username == "vs-head" and approval.note == "Move agreed"


def test_a_pupil_premium_plus_request_for_an_action_is_decided_by_the_virtual_school(as_user, world):
    plan = agreed_plan(world, nth(41))
    teacher = as_user("designated-teacher")
    bad = teacher.post(f"/children-in-care/plans/{plan.pk}/pp-plus/", {"action": plan.actions.get().pk,
                                                                        "amount": "-3", "purpose": ""})
    assert bad.status_code == 400 and {e.field for e in bad.context["errors"]} == {"amount", "purpose"}
    made = teacher.post(f"/children-in-care/plans/{plan.pk}/pp-plus/",
                        {"action": plan.actions.get().pk, "amount": "£120.50", "purpose": "Alarm clock and taxi"})
    assert made.status_code == 302
    request = PupilPremiumPlusRequest.objects.get()
    assert request.amount == Decimal("120.50") and request.requested_by.username == "designated-teacher"
    assert teacher.post(f"/children-in-care/pp-plus/{request.pk}/", {"decision": "approve"}).status_code == 400
    assert as_user("vs-head").post(f"/children-in-care/pp-plus/{request.pk}/",
                                   {"decision": "approve", "note": "Within allocation"}).status_code == 302
    request.refresh_from_db()
    assert request.status == request.Status.APPROVED and request.approver.username == "vs-head"


def test_the_childs_page_recognises_small_improvements(as_user, world):
    """Seed 004 lines 248-250: this week against the four before, and the best run of days."""
    page = as_user("social-worker").get(f"/children-in-care/{world.child.pk}/")
    assert page.status_code == 200
    improvement = page.context["improvement"]
    longest = max(len(run) for run in PATTERN[:60].replace("O", " ").replace("U", " ").split())
    assert improvement.best_run == longest
    assert f"best run {longest} day(s) present" in page.content.decode()
    assert Pupil.objects.filter(pk=world.child.pk, looked_after=True).exists()
