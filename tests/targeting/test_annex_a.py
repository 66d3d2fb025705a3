"""Annex A of seed 002 as a policy file (issue 10 part 1): every stage x role cell of the DfE
"Summary table of responsibilities for school attendance" (seed 002 lines 223-271), verbatim,
with its seed line, its stage and the Muster role that does the work.

Seed 002 is /work/shared/seeds/002_72c1fae334391371.txt; line numbers are the seed file's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from muster.core.policy import check_policy, load_all
from muster.core.policy.format import StageKind

SEED_002 = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_72c1fae334391371.txt"
SEED_LINES = SEED_002.read_text(encoding="utf-8").split("\n")
ANNEX_A = next(p for p in load_all() if p.id == "national-annex-a-responsibilities")

PARENTS, SCHOOLS, GOVERNORS, LAS = 0, 1, 2, 3
WHO = ("Parents", "Schools", "Academy trustees and governing bodies", "Local authorities")
P, AL, G, LA = "parent", "attendance_lead", "governor", "la_attendance_officer"
DT, VSH = "designated_teacher", "virtual_school_head"

# (stage or band id, seed line of the row, column, Muster role, words the cell contains)
CELLS = [
    ("all_pupils", 230, PARENTS, P, "attends every day the school is open"),
    ("all_pupils", 230, SCHOOLS, AL, "clear school attendance policy on the school website"),
    ("all_pupils", 230, GOVERNORS, G, "Take an active role in attendance improvement"),
    ("all_pupils", 230, LAS, LA, "strategic approach to improving attendance for the whole area"),
    ("all_pupils", 231, PARENTS, P, "Notify the school as soon as possible"),
    ("all_pupils", 231, SCHOOLS, AL, "dedicated senior leader with overall responsibility"),
    ("all_pupils", 231, GOVERNORS, G, "Ensure school staff receive training on attendance"),
    ("all_pupils", 231, LAS, LA, "School Attendance Support Team"),
    ("at_risk", 236, PARENTS, P, "prevent the need for more formal support"),
    ("at_risk", 236, SCHOOLS, AL, "Proactively use data to identify pupils at risk"),
    ("at_risk", 236, GOVERNORS, G, "Regularly review attendance data"),
    ("at_risk", 236, LAS, LA, "Hold a regular conversation with every school"),
    ("persistent", 241, PARENTS, P, "including any parenting contract or voluntary early help plan"),
    ("persistent", 241, SCHOOLS, AL, "schools previously attended and the schools of any siblings"),
    ("persistent", 241, GOVERNORS, G, "Regularly review attendance data"),
    ("persistent", 241, LAS, LA, "attendance contracts and education supervision orders"),
    ("severe", 246, PARENTS, P, "to prevent the need for legal intervention"),
    ("severe", 246, SCHOOLS, AL, "Agree a joint approach for all severely absent pupils"),
    ("severe", 246, GOVERNORS, G, "Regularly review attendance data"),
    ("severe", 246, LAS, LA, "top priority for support"),
    ("cohorts_below_peers", 251, SCHOOLS, AL, "identify cohorts with, or at risk of, low attendance"),
    ("cohorts_below_peers", 251, GOVERNORS, G, "and help school leaders focus support"),
    ("cohorts_below_peers", 251, LAS, LA, "unblock area wide attendance barriers"),
    ("send_or_medical_poor_attendance", 256, PARENTS, P, "Proactively engage with the support offered"),
    ("send_or_medical_poor_attendance", 256, SCHOOLS, AL, "individual healthcare plan"),
    ("send_or_medical_poor_attendance", 256, LAS, LA, "educational psychologists"),
    ("social_worker", 261, PARENTS, P, "Proactively engage with the support offered"),
    ("social_worker", 261, SCHOOLS, AL, "informing the pupil's social worker"),
    ("social_worker", 261, GOVERNORS, G, "Regularly review attendance data"),
    ("social_worker", 261, LAS, VSH, "Through the work of Virtual School Heads"),
    ("looked_after", 266, PARENTS, P, "Personal Education Plans"),
    ("looked_after", 266, SCHOOLS, DT, "designated teacher"),
    ("looked_after", 266, GOVERNORS, G, "Designate a member of staff"),
    ("looked_after", 266, LAS, VSH, "Appoint an expert Virtual School Head"),
    ("monitoring", 271, PARENTS, P, "Schools regularly update parents"),
    ("monitoring", 271, SCHOOLS, AL, "Senior Attendance Champion"),
    ("monitoring", 271, GOVERNORS, G, "attendance as part of decision making"),
    ("monitoring", 271, LAS, LA, "DfE Regions Group monitors"),
]
BANDS = {"persistent", "severe"}


def seed_cell(line: int, column: int) -> str:
    return " ".join(SEED_LINES[line - 1].split("\t")[column].split())


def interventions_of(stage_or_band: str):
    if stage_or_band in BANDS:
        return ANNEX_A.interventions_for(stage_or_band)
    return ANNEX_A.interventions_for_stage(stage_or_band)


@pytest.mark.parametrize("stage, line, column, role, words", CELLS,
                         ids=[f"{c[0]}-line{c[1]}-{WHO[c[2]]}" for c in CELLS])
def test_each_annex_a_cell_is_an_intervention_quoting_the_seed_verbatim(stage, line, column,
                                                                        role, words):
    source = f"seed 002 line {line} (Annex A, {WHO[column].lower()})"
    [cell] = [i for i in interventions_of(stage) if i.source == source]
    assert " ".join(cell.instruction.split()) == seed_cell(line, column)
    assert words in cell.instruction
    assert cell.who == WHO[column]
    assert cell.role == role
    assert cell.absence_type.value == "any"


def test_the_policy_has_one_intervention_per_cell_and_no_others():
    assert len(ANNEX_A.interventions) == len(CELLS) == 38


def test_cells_with_no_expectation_are_noted_not_encoded():
    # seed 002 line 251: parents "Not applicable."; line 256: the governors' cell is empty
    assert seed_cell(251, PARENTS) == "Not applicable."
    assert seed_cell(256, GOVERNORS) == ""
    assert not [i for i in ANNEX_A.interventions_for_stage("cohorts_below_peers") if i.role == P]
    assert not [i for i in ANNEX_A.interventions_for_stage("send_or_medical_poor_attendance")
                if i.role == G]
    assert any("line 251" in n and "Not applicable." in n for n in ANNEX_A.notes)
    assert any("line 256" in n for n in ANNEX_A.notes)


@pytest.mark.parametrize("stage_id, kind, heading_line, characteristic", [
    ("all_pupils", StageKind.ALL_PUPILS, 227, ""),
    ("at_risk", StageKind.AT_RISK, 233, ""),
    ("cohorts_below_peers", StageKind.COHORT, 248, ""),
    ("send_or_medical_poor_attendance", StageKind.CHARACTERISTIC, 253, "send_or_medical_condition"),
    ("social_worker", StageKind.CHARACTERISTIC, 258, "social_worker"),
    ("looked_after", StageKind.CHARACTERISTIC, 263, "looked_after_or_previously_looked_after"),
    ("monitoring", StageKind.MONITORING, 268, ""),
])
def test_each_stage_that_is_not_a_band_heads_its_part_of_the_table(stage_id, kind, heading_line,
                                                                   characteristic):
    stage = ANNEX_A.stage(stage_id)
    assert stage.kind is kind
    assert stage.source == f"seed 002 line {heading_line}"
    assert stage.written == SEED_LINES[heading_line - 1].strip()
    assert stage.characteristic == characteristic


def test_persistent_and_severe_are_the_dfe_bands_of_absence():
    # seed 002 line 110 "10% or more", line 112 "50% or more"; headings at lines 238 and 243
    from fractions import Fraction
    persistent, severe = ANNEX_A.band("persistent"), ANNEX_A.band("severe")
    assert persistent.contains(Fraction(10)) and not persistent.contains(Fraction(50))
    assert severe.contains(Fraction(50)) and severe.contains(Fraction(100))
    assert not ANNEX_A.band("not_persistent").contains(Fraction(10))
    assert persistent.written == SEED_LINES[238 - 1].strip()
    assert severe.written == SEED_LINES[243 - 1].strip()


def test_the_table_applies_from_19_august_2024_to_every_pupil_and_checks_clean():
    # seed 002 line 223 "From 19th August 2024"
    assert ANNEX_A.applies.start == dt.date(2024, 8, 19)
    assert ANNEX_A.coverage.kind.value == "all_pupils"
    assert [r.id for r in ANNEX_A.roles] == ["parent"]
    assert check_policy(ANNEX_A) == []
