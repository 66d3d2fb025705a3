"""The Virtual School's forms and pathways, built from the seed text: every step and role is
named as in seed 001 (lines 5-61) and every checklist row as in seed 000 (lines 15-32)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from muster.core.care.form import care_parameter, plan_form
from muster.core.care.pathways import PARTIES, PATHWAY_ROOT, load_pathway, pathways
from muster.core.parameters import ParameterError
from muster.core.roles import Role

SEEDS = Path("/work/shared/seeds")
SEED_000 = (SEEDS / "000_fda76a039b6ac12f.txt").read_text(encoding="utf-8").splitlines()
SEED_001 = (SEEDS / "001_33e89aacaa73b7df.txt").read_text(encoding="utf-8").splitlines()
SEED_004 = (SEEDS / "004_0b9030c5ba367bc0.txt").read_text(encoding="utf-8").splitlines()
ON = dt.date(2026, 11, 27)


def seed_steps(heading_line: int) -> list[tuple[int, str]]:
    """The bullet lines under a process heading of seed 001, up to the next heading."""
    found = []
    for number in range(heading_line + 1, len(SEED_001) + 1):
        line = SEED_001[number - 1].strip()
        if line.startswith("Virtual School Process") or line.startswith("% Attendance"):
            break
        if line.startswith("- "):
            found.append((number, line[2:].strip()))
    return found


@pytest.mark.parametrize(("pathway_id", "heading_line"), [
    ("cannot_attend_named_school", 5), ("ehcp_cannot_attend_named_school", 26), ("could_attend_not_attending", 44),
])
def test_each_pathway_has_every_seed_001_step_in_order_with_its_words_and_line(pathway_id, heading_line):
    pathway = pathways(ON)[pathway_id]
    assert pathway.heading == SEED_001[heading_line - 1].strip()
    expected = seed_steps(heading_line)
    assert [(f"seed 001 line {n}", text) for n, text in expected] == [(s.source, s.text) for s in pathway.steps]
    for step in pathway.steps:
        if step.who is not None:
            assert step.who in step.text, (step.id, step.who)
        assert isinstance(step.owner, Role)
        assert all(p in PARTIES or Role(p) for p in step.with_)


def test_seed_001_names_three_processes_and_muster_ships_each():
    headings = [line.strip() for line in SEED_001 if line.startswith("Virtual School Process")]
    assert len(headings) == 3
    assert sorted(p.heading for p in pathways(ON).values()) == sorted(headings)


def test_steps_needing_approval_are_the_school_move_protocol_and_the_reunification_protocol():
    # seed 001 line 9 "for Virtual School Head agreement"; lines 15, 34 "signed off by the Virtual School Head"
    for pathway in pathways(ON).values():
        for step in pathway.steps:
            needs = "Virtual School Head" in step.text
            assert (step.approval is not None) == needs, step.source
            if needs:
                assert step.approval.by is Role.VIRTUAL_SCHOOL_HEAD


def test_the_last_step_escalates_to_the_team_manager_and_the_iro():
    # seed 001 line 61 "escalate concerns to Social Worker TM and IRO"
    for pathway in pathways(ON).values():
        last = pathway.steps[-1]
        assert last.id == "escalate" and "IRO" in last.text
        assert last.escalate_to == (Role.TEAM_MANAGER, Role.IRO)
        assert last.owner is Role.EDUCATION_ADVISOR and Role.SOCIAL_WORKER.value in last.with_


def test_a_step_naming_school_and_social_worker_goes_to_the_first_muster_role_named():
    step = pathways(ON)["could_attend_not_attending"].step("notify_advisor")  # seed 001 line 47
    assert step.who == "Social Worker and school"
    assert step.owner is Role.SOCIAL_WORKER and step.with_ == (Role.DESIGNATED_TEACHER.value,)


def test_a_pathway_file_with_an_unknown_role_is_refused_naming_file_step_and_field(tmp_path):
    source = Path(str(PATHWAY_ROOT)) / "could_attend_not_attending.yaml"
    path = tmp_path / "broken.yaml"
    path.write_text(source.read_text().replace("owner: designated_teacher", "owner: caretaker", 1))
    with pytest.raises(ParameterError) as refusal:
        load_pathway(path, ON)
    message = str(refusal.value)
    assert "broken.yaml" in message and "steps[2].owner" in message and "caretaker" in message


def test_the_responsibilities_checklist_has_a_row_for_each_who_of_seed_000():
    form = plan_form(ON)
    for row in form.responsibilities:
        line = int(re.search(r"lines? (\d+)", row.source).group(1))
        assert SEED_000[line - 1].startswith(row.label), row
    assert [r.label for r in form.responsibilities] == [
        "Foster Carer/ Residential Home- Key worker/ Parent", "Social Worker and IRO", "Education Setting",
        "Pupil", "Virtual School"]


def test_the_push_and_pull_factors_are_inside_and_outside_school_as_in_seed_000():
    for factor in plan_form(ON).factors:
        line = int(factor.source.rsplit(" ", 1)[1])
        assert SEED_000[line - 1].replace("**", "").startswith(factor.label), factor


def test_the_action_plan_columns_are_seed_004s_table():
    columns = [c.label for c in plan_form(ON).action_columns]
    assert SEED_004[244].split("\t") == columns


def test_plan_below_90_and_targets_below_95_as_seed_000_says():
    plan_below, targets_below = care_parameter("plan_threshold_percent").value_on(ON)
    assert (plan_below, targets_below) == (90, 95)
    assert "attendance below 90%" in SEED_000[6] and "falls below 95%" in SEED_000[19]
