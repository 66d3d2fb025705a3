"""The policy format's stages (issue 10 part 1): Annex A's stages that are not bands of a figure.
An intervention names a band or a stage; the loader and checker refuse what does not fit."""

from __future__ import annotations

import pytest

from muster.core.policy import PolicyError, check_policy
from muster.core.policy.check import ERROR
from muster.core.policy.format import StageKind
from tests.policy.support import BASE, document, load

STAGE = {"id": "at_risk", "label": "At risk", "kind": "at_risk", "source": "test line 9"}
STAGE_WORK = {"stage": "at_risk", "absence": "any", "role": "attendance_lead",
              "instruction": "Use data to find them", "source": "test line 10"}


def test_a_policy_with_no_stages_loads_as_before(tmp_path):
    policy = load(tmp_path, document())
    assert policy.stages == ()
    assert [i.stage for i in policy.interventions] == [""]


def test_an_intervention_may_name_a_stage_instead_of_a_band(tmp_path):
    policy = load(tmp_path, document(stages=[STAGE],
                                     interventions=[*BASE["interventions"], STAGE_WORK]))
    assert policy.stage("at_risk").kind is StageKind.AT_RISK
    [work] = policy.interventions_for_stage("at_risk")
    assert (work.band, work.stage, work.at) == ("", "at_risk", "interventions[1]")
    assert [i.instruction for i in policy.interventions_for("poor")] == ["Write to the parents"]
    assert check_policy(policy) == []


@pytest.mark.parametrize("changes, message", [
    ({"interventions": [{**STAGE_WORK, "band": "poor"}], "stages": [STAGE]},
     "interventions[0]: names both a band and a stage: an intervention names one"),
    ({"interventions": [{k: v for k, v in STAGE_WORK.items() if k != "stage"}]},
     "interventions[0].band: missing (or name a stage)"),
    ({"stages": [{**STAGE, "kind": "cohorts"}]},
     "stages[0].kind: 'cohorts' is not one of: all_pupils, at_risk, cohort, characteristic, "
     "monitoring"),
    ({"stages": [{**STAGE, "kind": "characteristic"}]},
     "stages[0].characteristic: missing: a stage by characteristic names it"),
    ({"stages": [{**STAGE, "colour": "red"}]}, "stages[0]: unknown key(s) ['colour']"),
])
def test_the_loader_names_the_key_of_a_bad_stage(tmp_path, changes, message):
    with pytest.raises(PolicyError) as raised:
        load(tmp_path, document(**changes))
    assert str(raised.value).endswith(message)


def test_the_checker_refuses_an_unknown_stage_and_a_stage_id_used_twice(tmp_path):
    policy = load(tmp_path, document(
        stages=[STAGE, {**STAGE, "id": "good"}],
        interventions=[{**STAGE_WORK, "stage": "cohorts"}]))
    found = [(f.severity, f.location) for f in check_policy(policy)]
    assert found == [(ERROR, "stages[1]"), (ERROR, "interventions[0].stage")]
