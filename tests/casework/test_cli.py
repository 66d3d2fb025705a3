"""`muster evaluate`, `muster explain`, `muster tasks`, `muster policy adopt|whatif` (issue 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from muster.casework.models import BandSpell, PolicyAdoption, Task
from muster.cli import main
from muster.core.policy.loader import load_all
from muster.core.roles import Role
from tests.casework.world import SCHOOL_DAYS, VS_POLICY, build_world, nth

pytestmark = pytest.mark.django_db

ILL_AFTER_15 = "/" * 15 + "III" + "/" * 40


def muster(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code != 0
    return result.output


def test_evaluate_a_range_then_again_changes_nothing():
    world = build_world()
    world.pupil(1, ILL_AFTER_15)
    out = muster("evaluate", "--from", nth(1), "--to", nth(25))
    assert "band changes recorded" in out and "vs-attendance-processes-matrix: Persistent absence: 1 pupils" in out
    tasks = Task.objects.count()
    again = muster("evaluate", "--from", nth(1), "--to", nth(25))
    assert "0 band changes recorded, 0 tasks created, 0 superseded, 0 reopened" in again
    assert Task.objects.count() == tasks
    assert "0 band changes recorded" in muster("evaluate", "--date", nth(25))


def test_explain_prints_the_figure_band_source_column_and_history():
    world = build_world()
    pupil = world.pupil(1, ILL_AFTER_15)
    muster("evaluate", "--from", nth(1), "--to", nth(20))
    out = muster("explain", pupil.upn, "--date", nth(20), "--policy", VS_POLICY, "--as", "designated-teacher")
    assert "85.00% attendance, 34 of 40 possible sessions: band Persistent absence" in out
    assert "seed 001 line 71" in out and "June 2025" in out
    assert "authorised: all 6 sessions missed in the period were authorised" in out
    assert "- social_worker: Discuss absence concerns with Foster Carer/parent and young person." in out
    assert f"{VS_POLICY}: Good attendance (authorised) from {nth(1)} to {nth(15)}" in out
    assert f"{VS_POLICY}: Persistent absence (authorised) from {nth(17)} to date" in out


def test_explain_is_scoped_to_the_pupils_a_role_may_see():
    """A school attendance lead of another school sees nothing (the trust layer decides)."""
    world = build_world()
    pupil = world.pupil(1, ILL_AFTER_15)
    assert "that nobody may see" not in fails("explain", pupil.upn, "--as", "nobody")
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("stranger", password="x")
    assert "no pupil with UPN" in fails("explain", pupil.upn, "--as", "stranger", "--date", nth(20))


def test_tasks_list_and_complete_as_the_social_worker():
    world = build_world()
    pupil = world.pupil(1, ILL_AFTER_15)
    muster("evaluate", "--from", nth(1), "--to", nth(25))
    out = muster("tasks", "list", "--as", "social-worker", "--format", "csv")
    lines = out.strip().splitlines()
    assert lines[0] == "id,due,pupil,name,task,role,assignee,status,since,source"
    assert len(lines) == 2 and pupil.upn in lines[1] and "Discuss absence concerns" in lines[1]
    task_id = lines[1].split(",")[0]
    assert "done" in muster("tasks", "complete", task_id, "--as", "social-worker", "--note", "Spoke to carer")
    task = Task.objects.get(pk=task_id)
    assert (task.status, task.note, task.completed_by) == ("done", "Spoke to carer", world.staff[Role.SOCIAL_WORKER])
    assert "is done, not open" in fails("tasks", "complete", task_id, "--as", "social-worker")
    assert "no task" in fails("tasks", "complete", task_id, "--as", "headteacher")


def test_policy_adopt_records_who_uses_a_policy():
    world = build_world(adopt=())
    muster("policy", "adopt", VS_POLICY, "--organisation", world.virtual_school.name, "--from", "2025-06-01")
    assert PolicyAdoption.objects.filter(policy_id=VS_POLICY, organisation=world.virtual_school).exists()
    assert "no policy 'nope'" in fails("policy", "adopt", "nope", "--organisation", world.virtual_school.name,
                                       "--from", "2025-06-01")


def test_whatif_a_changed_threshold_counts_bands_movers_and_tasks_and_saves_nothing(tmp_path: Path):
    """Issue 3 part 6: a draft with the "good" edge raised from 95% to 97%."""
    world = build_world()
    steady = world.pupil(1, "/" * 40)            # 100%: good either way
    borderline = world.pupil(2, "/" * 23 + "I")  # 46 of 48, 95.83%: good now, poor under the draft
    shipped = Path(next(p for p in load_all() if p.id == VS_POLICY).path).read_text(encoding="utf-8")
    draft = shipped.replace("lower: {value: 95, inclusive: true}", "lower: {value: 97, inclusive: true}", 1)
    draft = draft.replace("upper: {value: 95, inclusive: false}", "upper: {value: 97, inclusive: false}", 1)
    assert draft != shipped
    path = tmp_path / "draft.yaml"
    path.write_text(draft, encoding="utf-8")
    out = muster("policy", "whatif", path, "--organisation", world.virtual_school.name,
                 "--from", SCHOOL_DAYS[0], "--to", nth(24))
    assert "Nothing was saved" in out
    assert "Good attendance: 1 pupils" in out and "Poor attendance: 1 pupils" in out
    assert "1 pupils would be in another band" in out
    assert "Good attendance -> Poor attendance: 1" in out
    assert f"{borderline.upn}: Good attendance -> Poor attendance" in out
    assert steady.upn not in out
    assert "Tasks it would have created over the period: " in out
    assert (BandSpell.objects.count(), Task.objects.count()) == (0, 0)


def test_whatif_needs_the_organisation_for_a_policy_that_is_not_national(tmp_path):
    build_world()
    path = Path(next(p for p in load_all() if p.id == VS_POLICY).path)
    assert "name the organisation" in fails("policy", "whatif", path, "--from", nth(1), "--to", nth(5))
