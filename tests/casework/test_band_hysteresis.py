"""Hysteresis at band edges (`core.rules.band_hysteresis`, `policies/national/casework/`): a
pupil whose year-to-date attendance sits at an edge does not get a stream of superseded and new
tasks. Constructed registers on seed 001's bands: good [95, 100], poor [90, 95), persistent
[50, 90) (seed 001 lines 64-73); the term has no half term, so school days are weekdays."""

from __future__ import annotations

import pytest

from muster.casework.evaluation import evaluate_days
from muster.casework.explanations import band_history
from muster.casework.models import BandSpell, Task
from muster.core.parameters import national
from muster.core.roles import Role
from muster.web.overnight import band_moves
from tests.casework.world import VS_POLICY, build_world, nth, through

pytestmark = pytest.mark.django_db

DAILY = "Communicate the day's absence to the social worker and carer"
"""Seed 001 line 71: persistent band, every day of absence; never held."""
PERSISTENT_DISCUSS = "persistent/authorised/social_worker/Discuss absence concerns with the carer and young person"
"""Seed 001 line 73: the persistent band's one-off work (authorised column)."""

# Ill on days 1-4, then present: 12 of 20 sessions (60%, persistent) when work begins on day 10;
# back to 90% (poor) on day 40 (72 of 80).
RECOVERS = "IIII" + "/" * 76
BACK_IN_POOR = 40


def hold() -> int:
    return int(national("casework", "better_band_after_school_days").value_on(nth(1)))


def window() -> int:
    return int(national("casework", "return_within_school_days").value_on(nth(1)))


def at_the_edge(days: int) -> str:
    """Morning and afternoon marks that keep attendance at seed 001's 90% edge for `days` school
    days after day 20: 18 days present and 2 ill (36 of 40, exactly 90%), then each day ill in
    the afternoon while at or above 90%, present all day while below."""
    sessions, attended, possible = "//" * 18 + "II" * 2, 36, 40
    for _ in range(days):
        day = "/I" if 10 * attended >= 9 * possible else "//"
        sessions += day
        attended, possible = attended + day.count("/"), possible + 2
    return sessions


def tasks_of(pupil, **filters):
    return list(Task.objects.filter(pupil=pupil, policy_id=VS_POLICY, **filters).order_by("created_on", "pk"))


def test_a_pupil_oscillating_around_90_percent_for_20_school_days_gets_each_bands_work_once():
    """better_band_after_school_days: back above 90% for less than the hold, the persistent
    band's task stays open, and each return below 90% continues the same run (no new task)."""
    world = build_world()
    pupil = world.pupil(1, at_the_edge(20), by_session=True)
    evaluate_days(through(nth(40)))
    moves = [s for s in band_history(pupil, VS_POLICY) if s.starts > nth(20)]
    assert len(moves) >= 8, "the register must cross the edge again and again"
    first_drop = moves[0].starts
    assert moves[0].band == "persistent"

    made_in_window = tasks_of(pupil, created_on__gt=nth(20))
    one_off = [t for t in made_in_window if t.title != DAILY]
    assert [(t.rule, t.created_on, t.status) for t in one_off] == [
        (PERSISTENT_DISCUSS, first_drop, Task.Status.OPEN)]
    persistent_days = {s.starts for s in moves if s.band == "persistent"}
    assert {t.created_on for t in made_in_window if t.title == DAILY} == persistent_days
    superseded = tasks_of(pupil, superseded_on__gt=nth(20))
    assert {(t.rule.split("/")[0], t.superseded_on) for t in superseded} == {("poor", first_drop)}
    assert all(t.status == Task.Status.OPEN for t in made_in_window)


def test_a_pupil_who_clearly_improves_has_the_old_task_superseded_once_the_move_has_held():
    """better_band_after_school_days: on the hold-th school day in the better band the old
    band's open task is superseded and the new band's work is made."""
    world = build_world()
    pupil = world.pupil(1, RECOVERS)
    last_held_day = BACK_IN_POOR + hold() - 1
    evaluate_days(through(nth(last_held_day - 1)))
    [discuss] = tasks_of(pupil, rule=PERSISTENT_DISCUSS)
    assert (discuss.status, discuss.created_on) == (Task.Status.OPEN, nth(10))
    assert tasks_of(pupil, rule__startswith="poor/") == []
    assert band_history(pupil, VS_POLICY).get(ends__isnull=True).band == "poor"

    evaluate_days([nth(last_held_day)])
    discuss.refresh_from_db()
    assert (discuss.status, discuss.superseded_on) == (Task.Status.SUPERSEDED, nth(last_held_day))
    assert discuss.superseded_reason == (f"moved from Persistent absence on {nth(BACK_IN_POOR)}; "
                                         f"better for {hold()} school days")
    poor = tasks_of(pupil, rule__startswith="poor/")
    assert poor and {(t.status, t.created_on, t.occurrence) for t in poor} == {
        (Task.Status.OPEN, nth(last_held_day), nth(BACK_IN_POOR))}


def test_a_worsening_move_creates_its_task_the_same_day():
    """Seed 004 line 154 ("A lack of urgency about when to intervene"): a move to a worse band
    is never held. Poor on day 18 (34 of 36), persistent and unauthorised on day 19 (34 of 38)."""
    world = build_world()
    pupil = world.pupil(1, "/" * 17 + "IO" + "/" * 20)
    evaluate_days(through(nth(18)))
    assert {t.created_on for t in tasks_of(pupil, rule__startswith="poor/")} == {nth(18)}
    evaluate_days([nth(19)])
    made = {(t.role, t.title): t.created_on for t in tasks_of(pupil, rule__startswith="persistent/")}
    assert made == {
        ("designated_teacher", "Hold an attendance/PEP meeting and complete the attendance improvement plan"): nth(19),
        ("education_advisor", "Escalate with challenge to the carer and social worker"): nth(19),
        ("social_worker", "Discuss absence concerns with the carer and young person"): nth(19),
    }
    assert {(t.status, t.superseded_on) for t in tasks_of(pupil, rule__startswith="poor/")} == {
        (Task.Status.SUPERSEDED, nth(19))}


def test_a_return_to_a_band_within_the_window_reopens_its_superseded_task():
    """return_within_school_days: the same task, with who holds it and when it was made, is
    opened again (seed 004 line 194: a "start again approach" is a barrier to effective plans)."""
    world = build_world()
    held = BACK_IN_POOR + hold() - 1
    # after the move holds, 90 of 98 (91.8%); ill for two days: 90 of 102 (88.2%), persistent
    pupil = world.pupil(1, RECOVERS[:held] + "II" + "/" * 20)
    evaluate_days(through(nth(held)))
    [discuss] = tasks_of(pupil, rule=PERSISTENT_DISCUSS)
    assert discuss.status == Task.Status.SUPERSEDED
    evaluate_days(through(nth(held + 2)))
    assert tasks_of(pupil, rule=PERSISTENT_DISCUSS) == [discuss]
    discuss.refresh_from_db()
    assert (discuss.status, discuss.created_on, discuss.assignee) == (
        Task.Status.OPEN, nth(10), world.staff[Role.SOCIAL_WORKER])
    assert discuss.superseded_reason.startswith(
        f"reopened on {nth(held + 2)}, back in Persistent absence; superseded on {nth(held)}: moved from")
    current = band_history(pupil, VS_POLICY).get(ends__isnull=True)
    assert (current.band, current.band_since, current.starts) == ("persistent", discuss.occurrence, nth(held + 2))
    # the school's Today page still lists the return as a move into another band that day
    lead = world.staff[Role.ATTENDANCE_LEAD]
    assert current in band_moves(lead, world.school, nth(held + 2))
    assert current not in band_moves(lead, world.school, nth(held + 3))
    assert {(t.status, t.superseded_on) for t in tasks_of(pupil, rule__startswith="poor/")} == {
        (Task.Status.SUPERSEDED, nth(held + 2))}


def test_a_return_after_the_window_is_a_new_run_with_new_tasks():
    """return_within_school_days: past the window the old task stays superseded and the band's
    work is made again."""
    world = build_world()
    held = BACK_IN_POOR + hold() - 1
    away = window() + 9  # school days after the last day in persistent (day 39) before the fall
    present = away - hold() - 2
    # 90 + 2 * present of 98 + 2 * present sessions, then ill until below 90%
    pupil = world.pupil(1, RECOVERS[:held] + "/" * present + "IIII" + "/" * 5)
    evaluate_days(through(nth(held + present + 4)))
    fall = band_history(pupil, VS_POLICY).get(ends__isnull=True)
    assert fall.band == "persistent" and fall.band_since == fall.starts > nth(BACK_IN_POOR - 1 + window())
    old, new = tasks_of(pupil, rule=PERSISTENT_DISCUSS)
    assert (old.status, old.created_on) == (Task.Status.SUPERSEDED, nth(10))
    assert (new.status, new.created_on, new.occurrence) == (Task.Status.OPEN, fall.starts, fall.starts)


def test_day_by_day_runs_and_one_run_agree_at_the_edge():
    """The hold is read from the stored band history, so `muster evaluate --date D` each
    morning and one run over the term leave the same tasks."""
    world = build_world()
    world.pupil(1, at_the_edge(20), by_session=True)
    world.pupil(2, RECOVERS[:BACK_IN_POOR + hold() - 1] + "II" + "/" * 10)
    days = through(nth(BACK_IN_POOR + hold() + 5))
    for day in days:
        evaluate_days([day])
    daily = sorted(Task.objects.values_list("pupil_id", "rule", "occurrence", "status", "created_on",
                                            "superseded_on"))
    again = evaluate_days(days)
    assert (again.tasks_created, again.tasks_superseded, again.tasks_reopened) == (0, 0, 0)
    Task.objects.all().delete()
    BandSpell.objects.all().delete()
    evaluate_days(days)
    assert sorted(Task.objects.values_list("pupil_id", "rule", "occurrence", "status", "created_on",
                                           "superseded_on")) == daily
