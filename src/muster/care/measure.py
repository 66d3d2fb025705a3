"""Reading a child's registers for the care rules: attendance before and after a plan, the
plan's facts for the quality check, and small improvements. Figures come from the one engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from muster.care.models import AttendanceImprovementPlan
from muster.core import slots
from muster.core.care.before_after import BeforeAfter, before_after
from muster.core.care.form import care_parameter
from muster.core.care.improvement import Improvement, small_improvements
from muster.core.care.plan_quality import ActionRow, PlanFacts, QualityReport, Review, check_plan
from muster.registers import store
from muster.registers.models import Pupil


def measure_plan(plan: AttendanceImprovementPlan, reviewed_on: dt.date) -> BeforeAfter:
    weeks = care_parameter("baseline_weeks").value_on(plan.agreed_on)
    first = plan.agreed_on - dt.timedelta(weeks=weeks)
    loaded = store.load(plan.pupil.enrolments.all(), first, reviewed_on, look_back=False)
    return before_after(loaded.matrix, 0, plan.agreed_on, reviewed_on, weeks)


def improvements(pupil: Pupil, on: dt.date) -> Improvement:
    first = min(slots.year_start(slots.academic_year(on)), on - dt.timedelta(weeks=5))
    loaded = store.load(pupil.enrolments.all(), first, on, look_back=False)
    return small_improvements(loaded.matrix, 0, on, slots.year_start(slots.academic_year(on)))


def _rows(plan: AttendanceImprovementPlan) -> tuple[ActionRow, ...]:
    return tuple(ActionRow(a.barrier, a.action, a.by_when, a.responsible, a.measure) for a in plan.actions.all())


def plan_facts(plan: AttendanceImprovementPlan) -> PlanFacts:
    review = None
    if plan.review_meeting_id is not None:
        revision = plan.revisions.order_by("pk").first()
        review = Review(on=plan.review_meeting.date, improved=plan.status == plan.Status.IMPROVED,
                        actions_after=_rows(revision) if revision else _rows(plan))
    return PlanFacts(
        agreed_on=plan.agreed_on, aim_percent=Decimal(plan.aim_percent) if plan.aim_percent is not None else None,
        aim_date=plan.aim_date, push_inside=plan.push_inside, push_outside=plan.push_outside,
        pull_inside=plan.pull_inside, pull_outside=plan.pull_outside, pupil_voice=plan.pupil_voice,
        going_well=plan.going_well, actions=_rows(plan), reduced_timetable=plan.reduced_timetable,
        reduced_timetable_ends=plan.reduced_timetable_ends, review=review,
        review_within_days=care_parameter("review_within_days").value_on(plan.agreed_on),
    )


def quality(plan: AttendanceImprovementPlan, on: dt.date) -> QualityReport:
    return check_plan(plan_facts(plan), on)


def review_due(plan: AttendanceImprovementPlan) -> dt.date:
    return plan.agreed_on + dt.timedelta(days=care_parameter("review_within_days").value_on(plan.agreed_on))
