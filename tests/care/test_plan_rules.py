"""Plan quality (seed 004 lines 183-210), escalation (seed 001 line 61), small improvements
(seed 004 lines 248-250) and attendance before and after a plan, measured from marks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

from muster.core.care.before_after import before_after
from muster.core.care.escalation import ESCALATE_TO, propose
from muster.core.care.form import care_parameter
from muster.core.care.improvement import small_improvements
from muster.core.care.key_stage import key_stage
from muster.core.care.plan_quality import ActionRow, PlanFacts, Review, check_plan
from muster.core.care.trigger import Need, need
from muster.core.roles import Role
from tests.core.weeks import FIRST_MONDAY, weeks_matrix

AGREED = dt.date(2026, 10, 5)
GOOD_ACTION = ActionRow(barrier="Poor sleep", action="Wake-up phone call each school day for three weeks",
                        by_when=dt.date(2026, 10, 23), responsible="Foster carer",
                        measure="On time at the morning register on 13 of 15 days")
GOOD_PLAN = PlanFacts(
    agreed_on=AGREED, aim_percent=Decimal("95"), aim_date=dt.date(2026, 12, 18),
    push_inside="Good relationship with Head of Year", push_outside="Carer wants the child to attend",
    pull_inside="Difficult peer relationships", pull_outside="Poor sleep", pupil_voice="Mornings feel rushed",
    going_well="Attends every Wednesday (football club)", actions=(GOOD_ACTION,),
)


def failed(plan: PlanFacts, on: dt.date = AGREED) -> dict[str, str]:
    return {f.check: f.reason for f in check_plan(plan, on).failed}


def test_a_plan_with_every_element_of_seed_004_passes_every_check():
    report = check_plan(GOOD_PLAN, AGREED)
    assert report.effective
    assert [f.check for f in report.findings] == [
        "aim", "actions_smart", "actions_answer_barriers", "push_pull", "child_voice", "going_well", "timely_review"]
    assert all(f.reason and f.source.startswith("seed") for f in report.findings)


def test_an_aim_without_a_date_fails_with_its_reason():
    # seed 004 line 243 "insert attendance target including expected date"; line 193
    reasons = failed(dataclasses.replace(GOOD_PLAN, aim_date=None))
    assert set(reasons) == {"aim"} and "no date" in reasons["aim"]


def test_an_action_with_no_owner_date_or_measure_fails_naming_what_is_missing():
    loose = ActionRow(barrier="Gaps in learning", action="Catch-up sessions")
    reasons = failed(dataclasses.replace(GOOD_PLAN, actions=(GOOD_ACTION, loose)))
    assert set(reasons) == {"actions_smart"}
    assert "action 2 (Catch-up sessions) has no owner, no date, no measure" in reasons["actions_smart"]


def test_100_percent_attendance_is_an_aim_not_an_action():
    # seed 004 line 243 "the child achieving 100% attendance is an aim and not an action"
    aim_as_action = dataclasses.replace(GOOD_ACTION, action="Achieve 100% attendance")
    reasons = failed(dataclasses.replace(GOOD_PLAN, actions=(aim_as_action,)))
    assert "is an aim, not an action" in reasons["actions_smart"]


def test_an_action_answering_no_identified_barrier_fails():
    # seed 004 line 239 "Align Interventions to identified barriers"
    reasons = failed(dataclasses.replace(GOOD_PLAN, actions=(dataclasses.replace(GOOD_ACTION, barrier=" "),)))
    assert set(reasons) == {"actions_answer_barriers"}


def test_missing_push_pull_voice_and_going_well_each_fail():
    empty = dataclasses.replace(GOOD_PLAN, push_inside="", push_outside="", pupil_voice="", going_well="")
    reasons = failed(empty)
    assert set(reasons) == {"push_pull", "child_voice", "going_well"}
    assert "No push factors" in reasons["push_pull"]


def test_a_review_overdue_is_drift():
    # seed 004 line 190 "Reviews are not timely and cause drift"
    days = care_parameter("review_within_days").value_on(AGREED)
    due = AGREED + dt.timedelta(days=days)
    assert failed(GOOD_PLAN, due) == {}
    reasons = failed(GOOD_PLAN, due + dt.timedelta(days=3))
    assert set(reasons) == {"timely_review"} and "3 days overdue" in reasons["timely_review"]


def test_a_review_with_no_improvement_must_change_the_actions():
    # seed 004 line 194 "start again approach/continuing with what is not working"
    same = Review(on=AGREED + dt.timedelta(days=28), improved=False, actions_after=(GOOD_ACTION,))
    assert "review_changed_actions" in failed(dataclasses.replace(GOOD_PLAN, review=same))
    new = dataclasses.replace(GOOD_ACTION, barrier="Difficult peer relationships", action="Weekly mentor session")
    changed = Review(on=same.on, improved=False, actions_after=(GOOD_ACTION, new))
    assert failed(dataclasses.replace(GOOD_PLAN, review=changed)) == {}
    improved = Review(on=same.on, improved=True, actions_after=(GOOD_ACTION,))
    assert "review_changed_actions" not in {f.check for f in check_plan(
        dataclasses.replace(GOOD_PLAN, review=improved), same.on).findings}


def test_a_reduced_timetable_must_have_an_end_date():
    # seed 004 line 150 "not time-limited", line 191
    reasons = failed(dataclasses.replace(GOOD_PLAN, reduced_timetable=True))
    assert set(reasons) == {"reduced_timetable_ends"}
    assert failed(dataclasses.replace(GOOD_PLAN, reduced_timetable=True,
                                      reduced_timetable_ends=dt.date(2026, 11, 6))) == {}


# Registers from 1 September 2025: weeks of ten sessions, Monday AM to Friday PM.
BEFORE = ["//////////", "//////OOOO", "UUUU//////", "//////OOOO", "OO////////", "//////UUUU"]  # 6 weeks
AGREED_ON = FIRST_MONDAY + dt.timedelta(weeks=6)


def test_attendance_before_and_after_a_plan_is_counted_from_the_marks():
    after = ["//////////", "////////OO", "//////////"]
    matrix = weeks_matrix([BEFORE + after])
    measured = before_after(matrix, 0, AGREED_ON, AGREED_ON + dt.timedelta(weeks=3) - dt.timedelta(days=3), 6)
    assert (measured.before.attended, measured.before.possible) == (42, 60)
    assert (measured.after.attended, measured.after.possible) == (28, 30)
    assert measured.change_points == Fraction(2800, 30) - Fraction(4200, 60)


def test_attendance_not_improved_by_the_margin_is_proposed_for_escalation():
    # seed 001 line 61; margin from policies/virtual_school/care/escalation_margin_points.yaml
    margin = care_parameter("escalation_margin_points").value_on(AGREED_ON)
    flat = ["//////OOOO", "UUUU//////", "////////OO"]  # 21/30 = 70% after, 70% before
    matrix = weeks_matrix([BEFORE + flat])
    proposal = propose(before_after(matrix, 0, AGREED_ON, AGREED_ON + dt.timedelta(weeks=3), 6), margin)
    assert proposal.escalate and proposal.measurable
    assert "team manager and the IRO" in proposal.reason and proposal.source.startswith("seed 001 line 61")
    assert ESCALATE_TO == (Role.TEAM_MANAGER, Role.IRO)


def test_an_improvement_at_exactly_the_margin_is_not_escalated():
    # before 42/60 = 70%; after 71/100 = 71%: exactly one point (compared exactly, reference 0)
    after = ["//////////"] * 7 + ["/OOOOOOOOO", "OOOOOOOOOO", "OOOOOOOOOO"]
    matrix = weeks_matrix([BEFORE + after])
    measured = before_after(matrix, 0, AGREED_ON, AGREED_ON + dt.timedelta(weeks=10), 6)
    assert (measured.after.attended, measured.after.possible) == (71, 100)
    assert measured.change_points == 1
    assert not propose(measured, 1).escalate
    assert propose(measured, Fraction(11, 10)).escalate


def test_no_sessions_since_the_plan_is_not_measurable_and_proposes_nothing():
    matrix = weeks_matrix([BEFORE + ["..........", ".........."]])
    proposal = propose(before_after(matrix, 0, AGREED_ON, AGREED_ON + dt.timedelta(weeks=2), 6), 1)
    assert not proposal.escalate and not proposal.measurable


def test_this_week_against_the_four_before_and_the_best_run_of_days_present():
    # seed 004 line 250: present on Tuesday after missing Monday is a success to praise
    weeks = ["OOOO//OOOO", "//OOOO////", "OO//OO//OO", "OOOOOOOO//", "OO////////"]
    matrix = weeks_matrix([weeks])
    friday = FIRST_MONDAY + dt.timedelta(weeks=4, days=4)
    found = small_improvements(matrix, 0, friday, FIRST_MONDAY)
    assert found.this_week == 80 and found.last_weeks == Fraction(100 * 14, 40)
    assert found.improved
    assert found.current_run == 4 and found.best_run == 4
    assert "praise" in found.describe()


def test_a_half_day_missed_breaks_a_run_and_a_day_with_no_session_does_not():
    weeks = ["////////O/", "//......//"]
    matrix = weeks_matrix([weeks])
    found = small_improvements(matrix, 0, FIRST_MONDAY + dt.timedelta(weeks=1, days=4), FIRST_MONDAY)
    assert found.best_run == 4 and found.current_run == 2


def test_a_plan_is_needed_below_90_and_targets_below_95_compared_on_whole_sessions():
    # seed 000 line 20; policies/virtual_school/care/plan_threshold_percent.yaml
    plan_below, targets_below = care_parameter("plan_threshold_percent").value_on(AGREED)
    assert need(89, 100, plan_below, targets_below) is Need.PLAN
    assert need(90, 100, plan_below, targets_below) is Need.TARGETS  # exactly 90%: not below
    assert need(1899, 2000, plan_below, targets_below) is Need.TARGETS  # 94.95%: below 95
    assert need(95, 100, plan_below, targets_below) is Need.NONE
    assert need(0, 0, plan_below, targets_below) is Need.NONE


def test_key_stages_of_national_curriculum_years():
    assert [key_stage(y) for y in ("R", "1", "2", "3", "6", "7", "9", "10", "11", "12")] == [
        "EYFS", "KS1", "KS1", "KS2", "KS2", "KS3", "KS3", "KS4", "KS4", "16-19"]


def test_a_dually_registered_pupil_is_present_on_a_day_attended_at_either_school():
    # reference 0 (dual registration): the pupil's sessions are pooled over both registers
    main = ["//////..//", "////......"]
    other = [".......///", "....//////"]
    matrix = weeks_matrix([main, other], units=[0, 0])
    found = small_improvements(matrix, 0, FIRST_MONDAY + dt.timedelta(weeks=1, days=4), FIRST_MONDAY)
    assert found.best_run == 10 and found.current_run == 10
    assert found.this_week == 100 and found.last_weeks == 100


def test_attendance_at_or_above_the_aim_is_not_escalated_even_without_improvement():
    # seed 000 line 7: the goal is good attendance (95% plus); a child at the aim cannot improve
    full = ["//////////"] * 3
    matrix = weeks_matrix([["//////////"] * 6 + full])
    measured = before_after(matrix, 0, AGREED_ON, AGREED_ON + dt.timedelta(weeks=3), 6)
    assert measured.change_points == 0
    assert propose(measured, 1).escalate
    at_aim = propose(measured, 1, Decimal("95"))
    assert not at_aim.escalate and "At or above the aim of 95%" in at_aim.reason
    low = weeks_matrix([BEFORE + ["//////OOOO", "UUUU//////", "////////OO"]])
    assert propose(before_after(low, 0, AGREED_ON, AGREED_ON + dt.timedelta(weeks=3), 6), 1, 95).escalate
