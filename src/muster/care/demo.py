"""Children in care on the demo: PEP meetings and attendance improvement plans in several
states, measured from the demo's own marks through the actions (issue 5, "Done when"):

- a plan agreed recently, awaiting review, that passes every quality check;
- a plan that fails the quality check: no child's voice, and a reduced timetable with no end date;
- a plan whose review is overdue (drift, seed 004 line 190);
- a plan reviewed and improved, revised at the review;
- a plan reviewed with no improvement, escalated to the team manager and the IRO (seed 001
  line 61), with the outcome recorded;
- a process pathway (seed 001) started for a child, with its school move approved by the
  Virtual School Head, and a Pupil Premium Plus request approved.

Each child in care also gets SSDA903-style care episodes (a placement move for some), so the
single school shows attendance before and since entering care.

Which child has which state follows from their marks: the reviews measure attendance before and
after, so the escalated child is one whose attendance did not improve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model

from muster.care import actions
from muster.care.models import CARE_TABLES, AttendanceImprovementPlan, Escalation
from muster.core.care.before_after import before_after
from muster.core.care.escalation import propose
from muster.core.care.form import care_parameter
from muster.core.care.plan_quality import ActionRow
from muster.core.parameters import national
from muster.interop.models import CareEpisode
from muster.people.models import Organisation
from muster.registers import store
from muster.registers.models import Pupil

EVERY_DISCUSSED = {
    "carer": (True, "Carer to ring the school by 9am on any day of absence"),
    "social_worker_iro": (True, "Social worker to invite the child in care nurse to the next PEP"),
    "education_setting": (True, "First day calling in place; key adult named"),
    "pupil": (True, "Will talk to the key adult about any worries"),
    "virtual_school": (True, "Advisor to action a PP+ request"),
}
__all__ = ["CARE_TABLES", "plant_care_demo"]

FAILS_QUALITY = "no child's voice; a reduced timetable with no end date"


def _weekday(day: dt.date) -> dt.date:
    return np.busday_offset(np.datetime64(day), 0, roll="backward").astype(dt.date)


def _actions(start: dt.date, variant: int) -> list[ActionRow]:
    rows = [
        ActionRow("Poor sleep and late mornings", "Wake-up phone call from the key adult each school day",
                  start + dt.timedelta(weeks=3), "Key adult at school", "On time at the morning register 13 of 15 days"),
        ActionRow("Difficult friendships at break", "Weekly mentor session and a lunchtime club place",
                  start + dt.timedelta(weeks=4), "Designated teacher", "Pupil says break times feel better at review"),
    ]
    if variant:
        rows.append(ActionRow("Gaps in learning in maths", "Two catch-up sessions a week with a tutor (PP+)",
                              start + dt.timedelta(weeks=6), "Virtual School Education Advisor",
                              "Attends both sessions each week; maths confidence score up"))
    return rows


def _plan(pupil: Pupil, on: dt.date, user, variant: int = 0, **fields) -> AttendanceImprovementPlan:
    meeting = actions.record_pep_meeting(
        pupil=pupil, date=on, user=user,
        attendees=["Designated teacher", "Social worker", "Foster carer", "Virtual School Education Advisor",
                   "The pupil (for part of the meeting)"])
    values = dict(aim_percent=Decimal("95.0"), aim_date=on + dt.timedelta(weeks=12),
                  push_inside="Good relationship with the Head of Year; enjoys art",
                  push_outside="Foster carer is keen for them to attend; wants to be a vet",
                  pull_inside="Difficult friendships at break; gaps in maths",
                  pull_outside="Poor sleep; contact visits on Monday evenings",
                  pupil_voice="Mornings are the hardest; would like a quiet place to go at break",
                  going_well="Full attendance on Wednesdays and Thursdays; settled in art lessons",
                  incentive="Choice of a weekend activity after four full weeks")
    values.update(fields)
    return actions.agree_plan(meeting=meeting, user=user, responsibilities=EVERY_DISCUSSED,
                              actions=_actions(on, variant), **values)


def _reviews(children: list[Pupil], today: dt.date) -> dict[bool, tuple[Pupil, dt.date, dt.date]]:
    """For a review that escalates (True) and one that finds improvement (False): a child, the day
    their plan was agreed and the day it was reviewed, four weeks later, searched over the last
    ten weeks so that the child's attendance was a concern (below 95%) when the plan was agreed
    and the review's finding is what their marks say."""
    found: dict[bool, tuple[Pupil, dt.date, dt.date]] = {}
    windows = [(_weekday(today - dt.timedelta(weeks=w)), _weekday(today - dt.timedelta(weeks=w - 4)))
               for w in (9, 8, 7, 6, 5)]
    first = windows[0][0]
    weeks = care_parameter("baseline_weeks").value_on(first)
    margin = care_parameter("escalation_margin_points").value_on(today)
    good = care_parameter("plan_threshold_percent").value_on(today)[1]
    enough = national("casework", "work_from_possible_sessions").value_on(today)
    for child in children:
        loaded = store.load(child.enrolments.all(), first - dt.timedelta(weeks=weeks), today, look_back=False)
        for agreed, reviewed in windows:
            measured = before_after(loaded.matrix, 0, agreed, reviewed, weeks)
            if min(measured.before.possible, measured.after.possible) < enough or measured.before.fraction >= good:
                continue
            proposal = propose(measured, margin, good)
            if proposal.escalate or measured.change_points >= margin:
                found.setdefault(proposal.escalate, (child, agreed, reviewed))
        if len(found) == 2:
            break
    return found


def _care_episodes(children: list[Pupil], authority: str, today: dt.date) -> int:
    """Invented episodes: most children entered care during the registers the demo holds (some
    with a placement move since), every fifth long before them."""
    made = 0
    for i, child in enumerate(children):
        if i % 5 == 4:
            start = dt.date(2021, 4, 12) + dt.timedelta(days=37 * i)
        else:
            start = today - dt.timedelta(days=60 + (i * 47) % 400)
        episodes = [(start, None, "C2", "U1")]
        if i % 3 == 1:
            move = start + dt.timedelta(days=(today - start).days // 2)
            episodes = [(start, move, "C2", "U1"), (move, None, "C2", "U4")]
        for first, last, legal_status, placement in episodes:
            CareEpisode.objects.create(pupil=child, authority=authority, child_id=f"DEMO{child.pk:05d}", start=first,
                                       end=last, reason_new="S" if first == start else "P", legal_status=legal_status,
                                       category_of_need="N1", placement=placement)
            made += 1
    return made


def plant_care_demo(*, today: dt.date, echo: Callable[[str], object] = print) -> dict[str, Pupil]:
    """Plant the states above on the home authority's children in care; returns pupil by state."""
    users = get_user_model().objects
    advisor, teacher = users.get(username="vs-advisor"), users.get(username="designated-teacher")
    head, social_worker = users.get(username="vs-head"), users.get(username="social-worker")
    home = Organisation.objects.get(kind="virtual_school", roles__user=advisor).local_authority
    children = list(Pupil.objects.filter(looked_after=True, care_authority=home.code, enrolments__isnull=False)
                    .distinct().order_by("upn"))
    episodes = _care_episodes(children, home.code, today)
    reviews = _reviews(children, today)
    escalate_for = {escalate: child for escalate, (child, _, _) in reviews.items()}
    rest = sorted((c for c in children if c not in escalate_for.values()), key=lambda c: c.upn)
    states: dict[str, Pupil] = {}

    if True in reviews:
        child, agreed, reviewed = reviews[True]
        plan = _plan(child, agreed, teacher)
        review = actions.record_pep_meeting(pupil=child, date=reviewed, user=teacher,
                                            attendees=["Designated teacher", "Social worker", "Foster carer"])
        _, escalation = actions.review_plan(plan=plan, meeting=review, user=advisor,
                                            revised_actions=_actions(reviewed, 1))
        actions.decide_escalation(escalation=escalation, escalated=True, user=advisor,
                                  outcome="Escalated to the team manager and the IRO; CiC review brought forward")
        states["escalated"] = child
    if False in reviews:
        child, agreed, reviewed = reviews[False]
        plan = _plan(child, agreed, teacher)
        review = actions.record_pep_meeting(pupil=child, date=reviewed, user=teacher,
                                            attendees=["Designated teacher", "Social worker"])
        actions.review_plan(plan=plan, meeting=review, user=advisor, revised_actions=_actions(reviewed, 0)[:1])
        states["improved"] = child
    recent = _weekday(today - dt.timedelta(weeks=3))
    if rest:
        child = rest.pop(0)
        plan = _plan(child, recent, teacher, variant=1)
        request = actions.request_pp_plus(action=plan.actions.get(order=3), amount=Decimal("360.00"),
                                          purpose="Maths tutor, two sessions a week for six weeks", user=teacher,
                                          on=recent)
        actions.decide_pp_plus(request=request, approved=True, user=advisor, note="Within the PP+ allocation")
        states["good_plan"] = child
    if rest:
        child = rest.pop(0)
        _plan(child, recent, teacher, pupil_voice="", reduced_timetable=True)
        states["fails_quality"] = child
    if rest:
        child = rest.pop(0)
        _plan(child, _weekday(today - dt.timedelta(weeks=8)), teacher)
        states["overdue_review"] = child
    if rest:
        child = rest.pop(0)
        actions.start_pathway(pupil=child, pathway_id="could_attend_not_attending", starts=recent, user=advisor)
        states["pathway"] = child
    if rest:
        child = rest.pop(0)
        run = actions.start_pathway(pupil=child, pathway_id="cannot_attend_named_school", starts=recent,
                                    user=social_worker)
        actions.decide_pathway_step(run=run, step_id="school_move_protocol", approved=True, user=head,
                                    note="Move agreed under the School Move Protocol")
        states["school_move"] = child
    escalated = Escalation.objects.filter(status=Escalation.Status.ESCALATED).count()
    echo(f"Gave {len(states)} children in care PEPs, plans or pathways ({escalated} escalated); "
         f"{episodes} care episodes")
    if "fails_quality" in states:
        echo(f"One plan fails the quality check: {FAILS_QUALITY}")
    return states
