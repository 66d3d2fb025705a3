"""The daily evaluation on constructed registers (issue 3 parts 4, 5 and 7): bands from seed 001's
matrix, tasks to the people who hold each role, supersession when a pupil moves band, band
history, and runs that never make a task twice."""

from __future__ import annotations

import pytest

from muster.casework.evaluation import evaluate_days
from muster.casework.explanations import band_history, explain
from muster.casework.models import BandSpell, Task
from muster.core.roles import Role
from tests.casework.world import VS_POLICY, build_world, nth, through

pytestmark = pytest.mark.django_db

# 15 days present (100%: good), 3 days ill (I, authorised), then present: seed 001's bands
# good [95, 100] -> poor [90, 95) on day 16 (30 of 32) -> persistent [50, 90) on day 17 (30 of 34).
ILL_AFTER_15 = "/" * 15 + "III" + "/" * 40
TRUANT_AFTER_15 = "/" * 15 + "OOO" + "/" * 40


def tasks_of(pupil, **filters):
    return list(Task.objects.filter(pupil=pupil, policy_id=VS_POLICY, **filters).order_by("created_on", "pk"))


def test_band_history_records_each_band_with_its_days():
    """Issue 3 part 7: when a pupil entered a band and when they left it."""
    world = build_world()
    pupil = world.pupil(1, ILL_AFTER_15)
    evaluate_days(through(nth(25)))
    history = [(s.band, s.starts, s.ends) for s in band_history(pupil, VS_POLICY)]
    assert history == [
        ("good", nth(1), nth(15)),
        ("poor", nth(16), nth(16)),
        ("persistent", nth(17), None),
    ]
    spell = band_history(pupil, VS_POLICY).get(band="persistent")
    assert spell.explanation.startswith("88.24% attendance, 30 of 34 possible sessions: band Persistent absence")
    assert "authorised: all 4 sessions missed in the period were authorised" in spell.explanation


def test_the_good_band_reward_task_goes_to_the_designated_teacher():
    """Seed 001 line 65: "Record and request attendance reward" (school, authorised column). The
    task waits for 20 possible sessions (casework parameters)."""
    world = build_world()
    pupil = world.pupil(1, "/" * 30)
    evaluate_days(through(nth(9)))
    assert tasks_of(pupil) == []
    evaluate_days(through(nth(10)))
    [task] = tasks_of(pupil)
    assert (task.title, task.role, task.assignee, task.source) == (
        "Record and request attendance reward", "designated_teacher",
        world.staff[Role.DESIGNATED_TEACHER], "seed 001 line 65")
    assert task.organisation == world.school_org and task.created_on == nth(10)


def test_moving_band_supersedes_the_old_tasks_and_brings_the_new_bands():
    """Issue 3 part 5: the new band's tasks; the old open ones superseded, not deleted."""
    world = build_world()
    pupil = world.pupil(1, ILL_AFTER_15)
    evaluate_days(through(nth(25)))
    reward = Task.objects.get(pupil=pupil, title="Record and request attendance reward")
    assert reward.status == Task.Status.SUPERSEDED
    assert reward.superseded_on == nth(16)
    assert reward.superseded_reason == f"moved from Good attendance on {nth(16)}"
    open_tasks = [(t.title, t.role, t.occurrence) for t in tasks_of(pupil, status=Task.Status.OPEN)]
    assert open_tasks == [
        # seed 001 line 71, every day of absence, from the day it happens
        ("Communicate the day's absence to the social worker and carer", "designated_teacher", nth(17)),
        # seed 001 line 73 (social worker): a move to a worse band is never held (casework
        # better_band_after_school_days.yaml), so its work is made on the day of the move
        ("Discuss absence concerns with the carer and young person", "social_worker", nth(17)),
        ("Communicate the day's absence to the social worker and carer", "designated_teacher", nth(18)),
    ]
    social = Task.objects.get(pupil=pupil, role="social_worker", status=Task.Status.OPEN)
    assert social.assignee == world.staff[Role.SOCIAL_WORKER] and social.created_on == nth(17)
    # the one day in poor attendance (day 16) had its own work, superseded by the worse band's
    poor = tasks_of(pupil, rule__startswith="poor/")
    assert {(t.created_on, t.status, t.superseded_on) for t in poor} == {(nth(16), Task.Status.SUPERSEDED, nth(17))}


def test_unauthorised_absence_takes_the_unauthorised_column_and_keeps_empty_cells_authorised():
    """Seed 001 lines 71-73: school and Virtual School act on the unauthorised absence; the
    social worker's unauthorised cell is empty, so their authorised action stands."""
    world = build_world()
    pupil = world.pupil(2, TRUANT_AFTER_15)
    evaluate_days(through(nth(25)))
    open_tasks = {(t.role, t.title, t.assignee.username) for t in tasks_of(pupil, status=Task.Status.OPEN)}
    assert open_tasks == {
        ("designated_teacher", "Hold an attendance/PEP meeting and complete the attendance improvement plan",
         "designated-teacher"),
        ("education_advisor", "Escalate with challenge to the carer and social worker", "education-advisor"),
        ("social_worker", "Discuss absence concerns with the carer and young person", "social-worker"),
    }
    spell = BandSpell.objects.get(pupil=pupil, policy_id=VS_POLICY, ends__isnull=True)
    assert spell.absence_type == "unauthorised"
    assert "unauthorised: 4 of the 4 sessions missed in the period were unauthorised" in spell.explanation


def test_running_again_never_makes_a_task_or_spell_twice():
    """Issue 3 part 5: "Re-running the daily evaluation never duplicates a task"."""
    world = build_world()
    world.pupil(1, ILL_AFTER_15)
    world.pupil(2, TRUANT_AFTER_15)
    first = evaluate_days(through(nth(30)))
    before = (Task.objects.count(), BandSpell.objects.count(),
              list(Task.objects.order_by("pk").values_list("pk", "status")))
    again = evaluate_days(through(nth(30)))
    backwards = evaluate_days([nth(3), nth(16), nth(12)])
    assert first.tasks_created > 0
    assert (again.tasks_created, again.spells_opened, again.tasks_superseded) == (0, 0, 0)
    assert (backwards.tasks_created, backwards.spells_opened, backwards.history_kept) == (0, 0, 0)
    assert (Task.objects.count(), BandSpell.objects.count(),
            list(Task.objects.order_by("pk").values_list("pk", "status"))) == before


def test_a_day_at_a_time_gives_what_a_whole_run_gives():
    """`muster evaluate --date D` each morning and one run over the term agree."""
    world = build_world()
    world.pupil(1, ILL_AFTER_15)
    for day in through(nth(25)):
        evaluate_days([day])
    daily = sorted(Task.objects.values_list("title", "occurrence", "status", "created_on"))
    Task.objects.all().delete()
    BandSpell.objects.all().delete()
    evaluate_days(through(nth(25)))
    assert sorted(Task.objects.values_list("title", "occurrence", "status", "created_on")) == daily


def test_a_completed_task_is_not_made_again():
    from muster.casework.actions import complete_task

    world = build_world()
    pupil = world.pupil(1, "/" * 30)
    evaluate_days(through(nth(10)))
    [task] = tasks_of(pupil)
    complete_task(task=task, user=world.staff[Role.DESIGNATED_TEACHER], note="Certificate sent home")
    evaluate_days(through(nth(20)))
    [task] = tasks_of(pupil)
    assert (task.status, task.note, task.completed_by) == (
        Task.Status.DONE, "Certificate sent home", world.staff[Role.DESIGNATED_TEACHER])


def test_a_pupil_in_no_band_of_seed_003_is_recorded_as_in_a_gap():
    """Seed 003 has no band for absence more than 10% up to 15%: the history says so."""
    world = build_world(adopt=("vs-levels-of-intervention-absence",))
    # 44 of 50 sessions: 12% absence
    pupil = world.pupil(3, "/" * 22 + "III")
    evaluate_days(through(nth(25)))
    current = BandSpell.objects.get(pupil=pupil, policy_id="vs-levels-of-intervention-absence", ends__isnull=True)
    assert current.band == "" and current.band_label == "In no band (policy gap)"
    assert "in no band of" in current.explanation


def test_explain_gives_every_policy_that_covers_the_pupil():
    """Issue 3 part 4: every policy that applies, the band, the figure and the rule."""
    world = build_world(adopt=(VS_POLICY, "school-attendance-policy-model"))
    pupil = world.pupil(1, ILL_AFTER_15)
    found = {e.policy.id: e.evaluation for e in explain(pupil, nth(20))}
    assert set(found) >= {VS_POLICY, "school-attendance-policy-model", "national-persistent-severe-absence"}
    assert found[VS_POLICY].band_id == "persistent"
    assert found["school-attendance-policy-model"].band_id == "below_96"
    assert found["national-persistent-severe-absence"].band_id == "persistent"
    assert "34 of 40 possible sessions" in found[VS_POLICY].explanation


def test_a_child_no_longer_in_care_is_not_covered_by_the_virtual_school_policy():
    world = build_world()
    pupil = world.pupil(4, "/" * 20, looked_after=False)
    evaluate_days(through(nth(20)))
    assert not BandSpell.objects.filter(pupil=pupil, policy_id=VS_POLICY).exists()
    assert BandSpell.objects.filter(pupil=pupil, policy_id="national-persistent-severe-absence").exists()
