"""Is an attendance improvement plan an effective one? A checklist of findings, each with its
reason and the seed line it answers, never a score alone (issue 5, item 6).

The checks are seed 004's "elements of an effective plan" (lines 196-210) read against its
"barriers to effective plans" (lines 183-194), on the fields of seed 000's form.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ActionRow:
    """One row of seed 004's action table (line 245)."""

    barrier: str = ""
    action: str = ""
    by_when: dt.date | None = None
    responsible: str = ""
    measure: str = ""


@dataclass(frozen=True)
class Review:
    """The follow-up meeting's review of a plan."""

    on: dt.date
    improved: bool
    actions_after: tuple[ActionRow, ...]
    """The actions agreed at the review (the plan's actions from then on)."""


@dataclass(frozen=True)
class PlanFacts:
    agreed_on: dt.date
    aim_percent: Decimal | None = None
    aim_date: dt.date | None = None
    push_inside: str = ""
    push_outside: str = ""
    pull_inside: str = ""
    pull_outside: str = ""
    pupil_voice: str = ""
    going_well: str = ""
    actions: tuple[ActionRow, ...] = ()
    reduced_timetable: bool = False
    reduced_timetable_ends: dt.date | None = None
    review: Review | None = None
    review_within_days: int = 42


@dataclass(frozen=True)
class Finding:
    check: str
    passed: bool
    reason: str
    source: str


@dataclass(frozen=True)
class QualityReport:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.passed)

    @property
    def effective(self) -> bool:
        return not self.failed


def _blank(text: str) -> bool:
    return not (text or "").strip()


_AIM_AS_ACTION = re.compile(r"\b100\s*%", re.IGNORECASE)


def _row_names(i: int, row: ActionRow) -> str:
    return f"action {i + 1} ({row.action.strip()[:40] or 'no action written'})"


def _aim(plan: PlanFacts) -> Finding:
    missing = [name for name, value in (("a target attendance", plan.aim_percent), ("a date", plan.aim_date))
               if value is None]
    if missing:
        return Finding("aim", False, f"The aim has no {' and no '.join(m.removeprefix('a ') for m in missing)}: "
                       "targets must be measurable with clear timeframes.", "seed 004 lines 193, 243")
    return Finding("aim", True, f"The aim is {plan.aim_percent}% attendance by {plan.aim_date:%d %B %Y}.",
                   "seed 004 line 243")


def _actions_smart(plan: PlanFacts) -> Finding:
    if not plan.actions:
        return Finding("actions_smart", False, "The plan has no actions.", "seed 004 lines 204, 208")
    gaps = []
    for i, row in enumerate(plan.actions):
        lacking = [name for name, missing in (("an action", _blank(row.action)), ("an owner", _blank(row.responsible)),
                                              ("a date", row.by_when is None), ("a measure", _blank(row.measure)))
                   if missing]
        if lacking:
            gaps.append(f"{_row_names(i, row)} has no {', no '.join(n.split(' ', 1)[1] for n in lacking)}")
        if _AIM_AS_ACTION.search(row.action or ""):
            gaps.append(f"{_row_names(i, row)} is an aim, not an action (100% attendance)")
    if gaps:
        return Finding("actions_smart", False, "; ".join(gaps) + ".", "seed 004 lines 193, 204, 207, 243, 245")
    return Finding("actions_smart", True, f"All {len(plan.actions)} actions have an owner, a date and a measure.",
                   "seed 004 lines 204, 207, 245")


def _actions_answer_barriers(plan: PlanFacts) -> Finding:
    loose = [_row_names(i, row) for i, row in enumerate(plan.actions) if _blank(row.barrier)]
    if not plan.actions:
        return Finding("actions_answer_barriers", False, "No action answers an identified barrier.",
                       "seed 004 line 239")
    if loose:
        return Finding("actions_answer_barriers", False, f"{', '.join(loose)} answers no identified barrier.",
                       "seed 004 lines 239, 245")
    return Finding("actions_answer_barriers", True, "Every action answers an identified barrier.", "seed 004 line 239")


def _push_pull(plan: PlanFacts) -> Finding:
    push = not (_blank(plan.push_inside) and _blank(plan.push_outside))
    pull = not (_blank(plan.pull_inside) and _blank(plan.pull_outside))
    if push and pull:
        return Finding("push_pull", True, "Push and pull factors are recorded.", "seed 004 line 201; seed 000 lines 24-32")
    missing = " and ".join(name for name, there in (("push", push), ("pull", pull)) if not there)
    return Finding("push_pull", False, f"No {missing} factors are recorded: the underlying causes are not identified.",
                   "seed 004 line 201; seed 000 lines 24-32")


def _voice(plan: PlanFacts) -> Finding:
    if _blank(plan.pupil_voice):
        return Finding("child_voice", False, "The child's voice is not recorded.", "seed 004 line 198; seed 000 line 21")
    return Finding("child_voice", True, "The child's voice is recorded.", "seed 004 line 198")


def _going_well(plan: PlanFacts) -> Finding:
    if _blank(plan.going_well):
        return Finding("going_well", False, "What is going well is not recorded.", "seed 004 line 202")
    return Finding("going_well", True, "What is going well is recorded.", "seed 004 line 202")


def _timely_review(plan: PlanFacts, on: dt.date) -> Finding:
    due = plan.agreed_on + dt.timedelta(days=plan.review_within_days)
    source = "seed 004 line 190; policies/virtual_school/care/review_within_days.yaml"
    if plan.review is not None:
        if plan.review.on > due:
            return Finding("timely_review", False, f"Reviewed on {plan.review.on:%d %B %Y}, after it was due "
                           f"on {due:%d %B %Y}: reviews that are not timely cause drift.", source)
        return Finding("timely_review", True, f"Reviewed on {plan.review.on:%d %B %Y}, by {due:%d %B %Y}.", source)
    if on > due:
        return Finding("timely_review", False, f"The review was due on {due:%d %B %Y} and has not happened "
                       f"({(on - due).days} days overdue): the plan is drifting.", source)
    return Finding("timely_review", True, f"The review is due by {due:%d %B %Y}.", source)


def _key(row: ActionRow) -> tuple[str, str]:
    return (" ".join(row.barrier.lower().split()), " ".join(row.action.lower().split()))


def _review_changed(plan: PlanFacts) -> Finding | None:
    review = plan.review
    if review is None or review.improved:
        return None
    before = {_key(r) for r in plan.actions}
    after = {_key(r) for r in review.actions_after}
    if not review.actions_after or after <= before:
        return Finding("review_changed_actions", False, "Attendance did not improve and the review kept the same "
                       "actions: reviews must address lack of progress, not continue with what is not working.",
                       "seed 004 line 194")
    return Finding("review_changed_actions", True, f"Attendance did not improve; the review changed "
                   f"{len(after - before)} action(s).", "seed 004 line 194")


def _reduced_timetable(plan: PlanFacts) -> Finding | None:
    if not plan.reduced_timetable:
        return None
    source = "seed 004 lines 150, 191"
    if plan.reduced_timetable_ends is None:
        return Finding("reduced_timetable_ends", False, "The plan uses a reduced timetable with no end date: "
                       "part-time timetables must be time-limited.", source)
    return Finding("reduced_timetable_ends", True,
                   f"The reduced timetable ends on {plan.reduced_timetable_ends:%d %B %Y}.", source)


def check_plan(plan: PlanFacts, on: dt.date) -> QualityReport:
    """Every check, in the order of the form; checks that do not apply (no review yet, no reduced
    timetable) are left out rather than passed."""
    findings = [_aim(plan), _actions_smart(plan), _actions_answer_barriers(plan), _push_pull(plan), _voice(plan),
                _going_well(plan), _timely_review(plan, on), _review_changed(plan), _reduced_timetable(plan)]
    return QualityReport(tuple(f for f in findings if f is not None))
