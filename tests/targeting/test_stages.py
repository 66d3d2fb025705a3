"""A pupil's Annex A stages and what each role is expected to do (issue 10 part 1: "evaluation
shows for each pupil their stage and what each role is expected to do"). Seed 002 lines 223-271;
persistent absence 10% or more (line 110), severe 50% or more (line 112), compared exactly."""

from __future__ import annotations

import pytest

from muster.core.policy import load_all
from muster.core.targeting.stages import PupilFacts, expectations, stages_of

ANNEX_A = next(p for p in load_all() if p.id == "national-annex-a-responsibilities")


@pytest.mark.parametrize("facts, expected", [
    (PupilFacts(absent=9, possible=100, at_risk=False), ("all_pupils",)),
    (PupilFacts(absent=9, possible=100, at_risk=True), ("all_pupils", "at_risk")),
    # exactly 10% is persistent absence (line 110 "10% or more"): at risk no longer applies
    (PupilFacts(absent=10, possible=100, at_risk=True), ("all_pupils", "persistent")),
    (PupilFacts(absent=49, possible=100, at_risk=False), ("all_pupils", "persistent")),
    (PupilFacts(absent=50, possible=100, at_risk=False), ("all_pupils", "severe")),
    (PupilFacts(absent=0, possible=0, at_risk=False), ("all_pupils",)),
    (PupilFacts(absent=1, possible=100, at_risk=False, has_social_worker=True, looked_after=True),
     ("all_pupils", "social_worker", "looked_after")),
    # SEND "with poor attendance" (line 253): at risk or worse (Muster decision)
    (PupilFacts(absent=1, possible=100, at_risk=False, sen=True), ("all_pupils",)),
    (PupilFacts(absent=12, possible=100, at_risk=False, sen=True),
     ("all_pupils", "persistent", "send_or_medical_poor_attendance")),
])
def test_each_pupils_stages(facts, expected):
    assert stages_of(ANNEX_A, facts) == expected


def sources(cells):
    return [c.source.split(" (")[0] for c in cells]


def test_a_severely_absent_pupils_school_continues_the_earlier_stages_support():
    # line 246 "Continue support as for persistently absent pupils", line 241 "... as for pupils
    # at risk of becoming persistently absent"
    stages = stages_of(ANNEX_A, PupilFacts(absent=60, possible=100, at_risk=True))
    school = expectations(ANNEX_A, stages)["attendance_lead"]
    assert sources(school) == ["seed 002 line 230", "seed 002 line 231", "seed 002 line 236",
                               "seed 002 line 241", "seed 002 line 246"]
    assert "Agree a joint approach" in school[-1].instruction


def test_an_at_risk_pupils_local_authority_holds_the_regular_conversation():
    stages = stages_of(ANNEX_A, PupilFacts(absent=8, possible=100, at_risk=True))
    la = expectations(ANNEX_A, stages)["la_attendance_officer"]
    assert sources(la) == ["seed 002 line 230", "seed 002 line 231", "seed 002 line 236"]
    assert la[-1].instruction.startswith("Hold a regular conversation with every school")


def test_a_looked_after_pupils_expectations_name_the_designated_teacher_and_the_virtual_school():
    roles = expectations(ANNEX_A, stages_of(ANNEX_A, PupilFacts(0, 100, False, looked_after=True)))
    assert sources(roles["designated_teacher"]) == ["seed 002 line 266"]
    assert sources(roles["virtual_school_head"]) == ["seed 002 line 266"]
    assert sources(roles["parent"]) == ["seed 002 line 230", "seed 002 line 231",
                                        "seed 002 line 266"]
