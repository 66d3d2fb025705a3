"""On the demo data (issue 3, "Done when"): every school day of the year evaluated twice makes no
task twice; tasks reach the demo staff; the admin shows a pupil's bands and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from muster.casework.evaluation import adopted, evaluate_days
from muster.casework.explanations import covers
from muster.casework.models import BandSpell, Task
from muster.casework.worklists import tasks_for
from muster.core.policy.format import Coverage, CoverageKind
from muster.core.policy.loader import load_all
from muster.core.slots import weekdays
from muster.people import access
from muster.people.models import Organisation
from muster.registers.models import Pupil
from tests.accounts.conftest import PASSWORD, sign_in
from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)


demo_world = demo_world_fixture(pupils=700, password=PASSWORD)


@pytest.fixture
def demo(demo_world, db):
    return get_user_model().objects


def test_the_demo_opens_with_band_history_and_tasks(demo):
    assert BandSpell.objects.filter(policy_id="vs-attendance-processes-matrix").exists()
    assert Task.objects.filter(status=Task.Status.OPEN, policy_id="school-attendance-policy-model").exists()
    assert Task.objects.filter(status=Task.Status.SUPERSEDED).exists()


def test_every_school_day_of_the_year_evaluated_twice_makes_no_task_twice(demo):
    days = weekdays(dt.date(2026, 8, 1), TODAY)
    before = Task.objects.count(), BandSpell.objects.count()
    assert before[0] > 0  # the demo build was the first run over these days
    second = evaluate_days(days)
    assert (second.tasks_created, second.spells_opened, second.tasks_superseded) == (0, 0, 0)
    assert (Task.objects.count(), BandSpell.objects.count()) == before
    twice = (Task.objects.values("pupil", "policy_id", "rule", "occurrence")
             .annotate(n=Count("pk")).filter(n__gt=1))
    assert not twice.exists()
    current = (BandSpell.objects.filter(ends__isnull=True).values("pupil", "policy_id", "organisation")
               .annotate(n=Count("pk")).filter(n__gt=1))
    assert not current.exists()


def test_each_spell_ends_before_the_next_begins(demo):
    spells = BandSpell.objects.order_by("pupil", "policy_id", "organisation", "starts")
    previous = None
    for spell in spells:
        key = (spell.pupil_id, spell.policy_id, spell.organisation_id)
        if previous is not None and previous[0] == key:
            assert previous[1] is not None and previous[1] < spell.starts
        previous = (key, spell.ends)


def test_demo_staff_have_tasks_for_their_own_children_only(demo):
    adviser = demo.get(username="social-worker")
    mine = tasks_for(adviser, on=TODAY)
    assert mine.exists()
    visible = set(access.pupils_visible_to(adviser, on=TODAY).values_list("pk", flat=True))
    assert {t.pupil_id for t in mine} <= visible


def test_the_admin_pupil_page_shows_bands_today_and_why(demo, client):
    teacher = demo.get(username="designated-teacher")
    sign_in(client, teacher)
    pupil = access.pupils_visible_to(teacher, on=TODAY).filter(band_spells__isnull=False).first()
    page = client.get(f"/admin/registers/pupil/{pupil.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bands today and why" in text and "possible sessions" in text and "Band history" in text


def _placed(summary) -> dict[int, set[str]]:
    placed: dict[int, set[str]] = {}
    for policy_id, pupil_id in summary.final:
        placed.setdefault(pupil_id, set()).add(policy_id)
    return placed


def _agree(uses, pupils, placed) -> None:
    ids = {p.id for p, *_ in uses}
    for pupil in pupils:
        explained = {policy.id for policy, adopter, *_ in uses if covers(policy, adopter, pupil, TODAY)}
        assert explained == placed.get(pupil.pk, set()) & ids, pupil.upn


def test_an_explanation_covers_a_pupil_exactly_when_the_daily_run_places_them(demo):
    """`muster explain` says which policies cover a pupil (explanations.covers, one pupil by
    query); the daily run decides it for everyone at once (evaluation, numpy). Every percentage
    policy in use on the demo gives the same pupils both ways."""
    placed = _placed(evaluate_days([TODAY], save=False))
    uses = [u for u in adopted(load_all(), TODAY, TODAY) if u[0].measure.quantity.is_percent]
    assert {p.coverage.kind for p, *_ in uses} >= {CoverageKind.ALL_PUPILS, CoverageKind.LA_CHILDREN_IN_CARE}
    pupils = Pupil.objects.filter(pk__in=sorted(placed)[::4])
    assert pupils.count() > 100
    _agree(uses, pupils, placed)


def test_a_policy_for_a_characteristic_covers_it_only_where_its_adopter_reaches(demo):
    """A school's or an authority's policy for pupils with SEN covers those on its own roll or in
    its own schools, as the daily run places them; no shipped policy covers by characteristic, so
    drafts of the school policy do."""
    base = next(p for p in load_all() if p.id == "school-attendance-policy-model")
    school = Organisation.objects.filter(kind="school").order_by("pk").first()
    authority = Organisation.objects.filter(kind="local_authority", local_authority=school.school.local_authority).first()
    uses = [
        (replace(base, id=f"sen-{adopter.kind}", coverage=Coverage(CoverageKind.CHARACTERISTIC, "sen")), adopter,
         base.applies.start, None)
        for adopter in (school, authority)
    ]
    placed = _placed(evaluate_days([TODAY], uses=uses, save=False))
    with_sen = Pupil.objects.exclude(sen="N")
    here = with_sen.filter(enrolments__school=school.school).distinct()
    elsewhere = with_sen.exclude(enrolments__school=school.school).distinct()
    assert here.exists() and elsewhere.exists()
    assert all(placed.get(p.pk) == {"sen-school", "sen-local_authority"} for p in here)
    _agree(uses, [*here[:20], *elsewhere[:40], *Pupil.objects.filter(sen="N")[:20]], placed)
