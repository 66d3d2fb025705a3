"""PEP meetings, plans, reviews measured from marks, escalation, pathways as tasks, approvals and
PP+ requests, on a small invented world (tests/casework/world.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from muster.audit.models import AuditEvent
from muster.care import actions
from muster.care.caseload import caseload
from muster.care.measure import quality
from muster.care.models import Escalation, PathwayApproval
from muster.casework.evaluation import evaluate_days
from muster.casework.models import Task
from muster.core.care.pathways import pathways
from muster.core.care.plan_quality import ActionRow
from muster.core.roles import Role
from muster.people.actions import assign_role
from muster.people.models import Organisation
from tests.casework.world import TERM_START, build_world, nth, through

pytestmark = pytest.mark.django_db

# 30 school days before the plan (six weeks): 21 present, 9 absent = 70%
BEFORE = "///O//O//U" * 3
EVERY = {"carer": (True, "Carer will ring school by 9am"), "social_worker_iro": (True, ""),
         "education_setting": (True, "First day calling in place"), "pupil": (True, "Agreed"),
         "virtual_school": (False, "Advisor could not attend")}
ACTION = ActionRow(barrier="Poor sleep", action="Wake-up phone call each school day", by_when=nth(45),
                   responsible="Foster carer", measure="On time 13 of 15 days")
GOOD = dict(aim_percent=Decimal("95"), aim_date=nth(70), push_inside="Good relationship with Head of Year",
            pull_outside="Poor sleep", pupil_voice="Mornings feel rushed", going_well="Loves art lessons",
            incentive="Trip to the climbing wall")


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nobody signs in here
    world = build_world()
    users = get_user_model().objects
    vs_head = users.create_user("vs-head", password="x")
    assign_role(user=vs_head, role=Role.VIRTUAL_SCHOOL_HEAD, organisation=world.virtual_school, starts=TERM_START)
    world.staff[Role.VIRTUAL_SCHOOL_HEAD] = vs_head
    return world


def plan_for(world, pattern: str, **fields):
    pupil = world.pupil(1, pattern)
    user = world.staff[Role.DESIGNATED_TEACHER]
    meeting = actions.record_pep_meeting(pupil=pupil, date=nth(31), attendees=["Designated teacher", "Social worker"],
                                         user=user)
    plan = actions.agree_plan(meeting=meeting, user=user, responsibilities=EVERY, actions=[ACTION],
                              **{**GOOD, **fields})
    return pupil, plan


def test_a_plan_needs_every_row_of_the_seed_000_checklist_answered(world):
    pupil = world.pupil(1, BEFORE)
    meeting = actions.record_pep_meeting(pupil=pupil, date=nth(31), attendees=["Carer"], user=None)
    partial = {k: v for k, v in EVERY.items() if k != "pupil"}
    with pytest.raises(actions.CareRefused, match="not answered for: Pupil"):
        actions.agree_plan(meeting=meeting, user=None, responsibilities=partial, actions=[ACTION])
    plan = actions.agree_plan(meeting=meeting, user=None, responsibilities=EVERY, actions=[ACTION], **GOOD)
    assert [(r.label, r.discussed) for r in plan.responsibilities.all()][-1] == ("Virtual School", False)
    assert plan.actions.get().measure == "On time 13 of 15 days"
    assert AuditEvent.objects.filter(record_kind="attendance_plan", pupil_id=pupil.pk).exists()


def test_a_review_with_no_improvement_measures_from_marks_and_proposes_escalation(world):
    # seed 001 line 61: no improvement by the follow-up meeting -> escalate to TM and IRO
    pupil, plan = plan_for(world, BEFORE + "///O//O//U" * 2)
    review = actions.record_pep_meeting(pupil=pupil, date=nth(50), attendees=["Designated teacher"], user=None)
    plan, escalation = actions.review_plan(plan=plan, meeting=review, user=world.staff[Role.EDUCATION_ADVISOR])
    assert (plan.before_attended, plan.before_possible) == (42, 60)
    assert (plan.after_attended, plan.after_possible) == (28, 40)
    assert plan.status == plan.Status.NOT_IMPROVED
    assert escalation.status == Escalation.Status.PROPOSED and "team manager and the IRO" in escalation.reason
    failed = {f.check: f.reason for f in quality(plan, nth(50)).failed}
    assert "review_changed_actions" in failed  # the same actions kept (seed 004 line 194)
    decided = actions.decide_escalation(escalation=escalation, escalated=True, outcome="Raised with TM and IRO",
                                        user=world.staff[Role.EDUCATION_ADVISOR])
    assert decided.status == Escalation.Status.ESCALATED and decided.decided_by is not None
    with pytest.raises(actions.CareRefused):
        actions.decide_escalation(escalation=decided, escalated=False, outcome="again", user=None)


def test_a_review_that_improved_proposes_nothing_and_a_revision_replaces_the_actions(world):
    pupil, plan = plan_for(world, BEFORE + "//////////" * 2)
    review = actions.record_pep_meeting(pupil=pupil, date=nth(50), attendees=["Social worker"], user=None)
    new = ActionRow(barrier="Poor sleep", action="Bedtime routine with the carer", by_when=nth(60),
                    responsible="Foster carer", measure="In by 8:50 on 9 of 10 days")
    plan, escalation = actions.review_plan(plan=plan, meeting=review, user=None, revised_actions=[new])
    assert escalation is None and plan.status == plan.Status.IMPROVED
    assert (plan.after_attended, plan.after_possible) == (40, 40)
    assert plan.revisions.get().actions.get().action == "Bedtime routine with the carer"
    assert quality(plan, nth(50)).effective


def test_a_plan_without_the_childs_voice_fails_the_quality_check_with_the_reason(world):
    _, plan = plan_for(world, BEFORE, pupil_voice="")
    failed = {f.check: f.reason for f in quality(plan, nth(31)).failed}
    assert failed == {"child_voice": "The child's voice is not recorded."}


def test_starting_a_pathway_makes_each_step_a_task_for_the_person_holding_its_role(world):
    pupil = world.pupil(1, BEFORE)
    run = actions.start_pathway(pupil=pupil, pathway_id="could_attend_not_attending", starts=nth(31),
                                user=world.staff[Role.EDUCATION_ADVISOR])
    pathway = pathways(nth(31))["could_attend_not_attending"]
    tasks = Task.objects.filter(pupil=pupil, policy_id="pathway:could_attend_not_attending").order_by("pk")
    assert [t.rule for t in tasks] == [s.id for s in pathway.steps]
    by_step = {t.rule: t for t in tasks}
    assert by_step["notify_advisor"].assignee == world.staff[Role.SOCIAL_WORKER]  # seed 001 line 47
    assert by_step["apply_attendance_policy"].assignee == world.staff[Role.DESIGNATED_TEACHER]  # line 48
    assert by_step["escalate"].assignee == world.staff[Role.EDUCATION_ADVISOR]  # line 61
    assert by_step["health_signposting"].assignee is None  # no nurse allocated: the role's queue
    assert by_step["escalate"].source == "seed 001 line 61"
    assert run.policy_id == "pathway:could_attend_not_attending"


def test_a_school_move_needs_the_virtual_school_heads_approval_recorded_with_who_and_when(world):
    pupil = world.pupil(1, BEFORE)
    run = actions.start_pathway(pupil=pupil, pathway_id="cannot_attend_named_school", starts=nth(31), user=None)
    task = Task.objects.get(pupil=pupil, rule="school_move_protocol")
    assert "Needs approval: School Move Protocol agreed by the Virtual School Head" in task.instruction
    with pytest.raises(actions.CareRefused, match="only a virtual school head"):
        actions.decide_pathway_step(run=run, step_id="school_move_protocol", approved=True,
                                    user=world.staff[Role.SOCIAL_WORKER])
    with pytest.raises(actions.CareRefused, match="needs no approval"):
        actions.decide_pathway_step(run=run, step_id="keep_on_roll", approved=True,
                                    user=world.staff[Role.VIRTUAL_SCHOOL_HEAD])
    approval = actions.decide_pathway_step(run=run, step_id="school_move_protocol", approved=True,
                                           user=world.staff[Role.VIRTUAL_SCHOOL_HEAD], note="Move agreed")
    assert PathwayApproval.objects.get() == approval
    assert approval.decided_by == world.staff[Role.VIRTUAL_SCHOOL_HEAD] and approval.decided_at is not None


def test_pathways_are_for_children_in_care(world):
    pupil = world.pupil(2, BEFORE, looked_after=False)
    with pytest.raises(actions.CareRefused, match="children in care"):
        actions.start_pathway(pupil=pupil, pathway_id="could_attend_not_attending", starts=nth(31), user=None)


def test_a_pupil_premium_plus_request_is_tied_to_an_action_and_decided_by_the_virtual_school(world):
    _, plan = plan_for(world, BEFORE)
    action = plan.actions.get()
    request = actions.request_pp_plus(action=action, amount=Decimal("120.00"), purpose="Alarm clock and taxi",
                                      user=world.staff[Role.DESIGNATED_TEACHER], on=nth(32))
    with pytest.raises(actions.CareRefused, match="Virtual School Head or an Education Advisor"):
        actions.decide_pp_plus(request=request, approved=True, user=world.staff[Role.SOCIAL_WORKER])
    decided = actions.decide_pp_plus(request=request, approved=True, user=world.staff[Role.EDUCATION_ADVISOR])
    assert decided.status == decided.Status.APPROVED and decided.approver == world.staff[Role.EDUCATION_ADVISOR]


def test_the_caseload_shows_each_child_in_care_with_figures_band_tasks_and_peps(world):
    pupil, plan = plan_for(world, BEFORE + "//////////")
    world.pupil(2, "/" * 40, looked_after=False)
    evaluate_days(through(nth(40)))
    rows = caseload(world.staff[Role.EDUCATION_ADVISOR], nth(40))
    assert [r.upn for r in rows] == [pupil.upn]
    row = rows[0]
    assert row.possible == 80 and row.attendance == pytest.approx(100 * 62 / 80, abs=0.05)
    assert row.band == "Persistent absence" and row.last_pep == nth(31)
    assert row.next_pep == nth(31) + dt.timedelta(days=42) and row.plan_status == "Active: awaiting review"
    assert row.open_tasks == Task.objects.filter(pupil=pupil, status="open").count()
    assert row.needs == "attendance improvement plan"  # 77.5%, below 90% (seed 000 line 20)
    assert caseload(world.staff[Role.EDUCATION_ADVISOR], nth(40), band="good") == []
    assert [r.upn for r in caseload(world.staff[Role.EDUCATION_ADVISOR], nth(40), stage="KS3",
                                    worker="social-worker", la="938")] == [pupil.upn]
    assert caseload(world.staff[Role.EDUCATION_ADVISOR], nth(40), stage="KS2") == []
    assert caseload(world.staff[Role.EDUCATION_ADVISOR], nth(40), worker="designated-teacher") == []
    assert Organisation.objects.filter(kind="virtual_school").count() == 1
