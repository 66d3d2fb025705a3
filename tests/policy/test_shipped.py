"""The shipped policies (issue 3 part 2): each band and intervention of the seed tables, with its
edges, absence type and role, traceable to its seed line.

Seeds are quoted by file name (/work/shared/seeds/README.md); line numbers are the seed files'.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from muster.core.policy import check_policy, load_all, shipped_policy_paths
from muster.core.policy.check import ERROR
from muster.core.roles import Role

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_FILES = {"001": "001_33e89aacaa73b7df.txt", "002": "002_72c1fae334391371.txt",
              "003": "003_bdb6041c883d5bcc.txt"}

POLICIES = {policy.id: policy for policy in load_all()}
SEED_001 = POLICIES["vs-attendance-processes-matrix"]
SEED_002 = POLICIES["school-attendance-policy-model"]
SEED_003 = POLICIES["vs-levels-of-intervention-absence"]
NATIONAL = POLICIES["national-persistent-severe-absence"]
PENALTY = POLICIES["national-penalty-notice-framework"]

F = Fraction


def test_every_shipped_file_loads_and_has_no_errors():
    assert len(shipped_policy_paths()) == 6 == len(POLICIES)
    for policy in POLICIES.values():
        assert [f for f in check_policy(policy) if f.severity == ERROR] == [], policy.path


def edges(band):
    return (band.lower.value, band.lower.inclusive, band.upper.value, band.upper.inclusive)


@pytest.mark.parametrize("policy, band_id, expected, source", [
    # seed 001 line 65 "95%-100% Good Attendance"
    (SEED_001, "good", (F(95), True, F(100), True), "seed 001 line 65"),
    # seed 001 line 68 "90%-94.9% Poor Attendance": read as [90, 95) (contiguous; see the file)
    (SEED_001, "poor", (F(90), True, F(95), False), "seed 001 line 68"),
    # seed 001 line 71 "50%-89.9% Persistent Absence 0%-49.9% Significant Absence"
    (SEED_001, "persistent", (F(50), True, F(90), False), "seed 001 line 71"),
    (SEED_001, "significant", (F(0), True, F(50), False), "seed 001 line 71"),
    # seed 003 line 11 "more than 0, up to and including 4%"
    (SEED_003, "level_1", (F(0), False, F(4), True), "seed 003 line 11"),
    # seed 003 line 13 "more than 4%, up to and including 6%"
    (SEED_003, "level_2", (F(4), False, F(6), True), "seed 003 line 13"),
    # seed 003 line 17 "more than 6%, up to and including 10% STUDENT AT RISK ..."
    (SEED_003, "level_3", (F(6), False, F(10), True), "seed 003 line 17"),
    # seed 003 line 20 "more than 15%, up to and including 20%"
    (SEED_003, "level_4", (F(15), False, F(20), True), "seed 003 line 20"),
    # seed 003 line 22 "more than 20%,"
    (SEED_003, "level_5", (F(20), False, F(100), True), "seed 003 line 22"),
    # seed 002 line 136 "Write to you if your child's attendance is below 96%"
    (SEED_002, "below_96", (F(0), True, F(96), False), "seed 002 line 136"),
    (SEED_002, "at_or_above_96", (F(96), True, F(100), True), "seed 002 line 136"),
    # seed 002 line 110 PA "10% or more", line 112 SA "50% or more" (reference 3.1)
    (NATIONAL, "persistent", (F(10), True, F(50), False), "seed 002 line 110"),
    (NATIONAL, "severe", (F(50), True, F(100), True), "seed 002 line 112"),
    (NATIONAL, "not_persistent", (F(0), True, F(10), False), "reference 3.1"),
    # seed 002 line 189 "10 sessions ... within a rolling 10 school week period"
    (PENALTY, "threshold_met", (F(10), True, None, True), "seed 002 line 189"),
    (PENALTY, "below_threshold", (F(0), True, F(10), False), "seed 002 line 189"),
])
def test_each_band_of_the_seed_tables(policy, band_id, expected, source):
    band = policy.band(band_id)
    assert edges(band) == expected
    assert source in band.source


def test_the_bands_contain_figures_exactly_at_their_edges():
    assert SEED_001.band("good").contains(F(95))
    assert SEED_001.band("poor").contains(F(9495, 100)) and not SEED_001.band("poor").contains(F(95))
    assert not SEED_003.band("level_1").contains(F(0))
    assert SEED_003.band("level_3").contains(F(10)) and not SEED_003.band("level_4").contains(F(15))
    assert NATIONAL.band("persistent").contains(F(10)) and NATIONAL.band("severe").contains(F(50))


A, U, ANY = "authorised", "unauthorised", "any"
DT, EA, SW, IL = "designated_teacher", "education_advisor", "social_worker", "inclusion_lead"

MATRIX = [
    # (policy, band, absence type, role, seed line, words from the cell)
    (SEED_001, "good", A, DT, "seed 001 line 65", "Record and request attendance reward"),
    (SEED_001, "good", U, DT, "seed 001 line 65", "normally a phone call to the carer"),
    (SEED_001, "good", A, EA, "seed 001 line 66", "Reward attendance over 95%"),
    (SEED_001, "good", A, SW, "seed 001 line 67", "Congratulate the young person"),
    (SEED_001, "poor", A, DT, "seed 001 line 68", "Add attendance target to the PEP document"),
    (SEED_001, "poor", U, DT, "seed 001 line 68", "Inform the Education Advisor and Social Worker"),
    (SEED_001, "poor", A, EA, "seed 001 line 69", "authorised code is a valid reason"),
    (SEED_001, "poor", U, EA, "seed 001 line 69", "follow up unauthorised absences"),
    (SEED_001, "poor", A, SW, "seed 001 line 70", "Involve Child in Care nurse"),
    *[(SEED_001, band, *row) for band in ("persistent", "significant") for row in [
        (A, DT, "seed 001 line 71", "Monitor daily, with communication on every day of absence"),
        (U, DT, "seed 001 line 71", "Attendance/PEP meeting"),
        (A, EA, "seed 001 line 72", "Discussion at the Attendance/PEP meeting"),
        (U, EA, "seed 001 line 72", "escalated with a clear focus on challenge"),
        (A, SW, "seed 001 line 73", "Escalate with CiC nurse if appropriate"),
    ]],
    (SEED_003, "level_1", A, DT, "seed 003 line 11", "Monitor absence"),
    (SEED_003, "level_1", U, DT, "seed 003 line 11", "normally a phone call to the carer"),
    (SEED_003, "level_1", A, EA, "seed 003 line 12", "Watching brief"),
    (SEED_003, "level_2", A, DT, "seed 003 line 13", "Monitor absence"),
    (SEED_003, "level_2", U, DT, "seed 003 line 13", "could result in an attendance meeting"),
    (SEED_003, "level_2", A, EA, "seed 003 line 14", "authorised code is a valid reason"),
    (SEED_003, "level_2", U, EA, "seed 003 line 14", "Contacts social worker"),
    (SEED_003, "level_2", A, SW, "seed 003 line 15", "Discuss with Foster Carer absence concerns"),
    (SEED_003, "level_2", A, IL, "seed 003 line 16", "Maintains overview of absence rates"),
    (SEED_003, "level_3", A, DT, "seed 003 line 17", "Identify any recurring patterns"),
    (SEED_003, "level_3", U, DT, "seed 003 line 17", "into school by letter"),
    (SEED_003, "level_3", A, EA, "seed 003 line 18", "only a head teacher that can authorise"),
    (SEED_003, "level_3", A, SW, "seed 003 line 18", "only a head teacher that can authorise"),
    (SEED_003, "level_3", U, EA, "seed 003 line 18", "Offers a home visit"),
    (SEED_003, "level_3", U, SW, "seed 003 line 18", "Offers a home visit"),
    (SEED_003, "level_3", A, IL, "seed 003 line 19", "Needs to be part of a meetings"),
    (SEED_003, "level_3", U, IL, "seed 003 line 19", "To lead a meeting in school"),
    (SEED_003, "level_4", A, DT, "seed 003 line 20", "Monitor daily"),
    (SEED_003, "level_4", U, DT, "seed 003 line 20", "TAC meeting"),
    (SEED_003, "level_4", A, IL, "seed 003 line 21", "discussion about the level of absence"),
    (SEED_003, "level_4", U, IL, "seed 003 line 21", "escalated with a clear focus on challenge"),
    (SEED_003, "level_5", A, IL, "seed 003 line 22", "discussion about the level of absence"),
    (SEED_003, "level_5", U, IL, "seed 003 line 22", "escalated with a clear focus on challenge"),
    (SEED_002, "below_96", ANY, "attendance_lead", "seed 002 lines 134, 136", "Write to you"),
    (SEED_002, "below_96", ANY, "headteacher", "seed 002 lines 134, 137", "Arrange a meeting"),
    (SEED_002, "below_96", ANY, "attendance_lead", "seed 002 lines 134, 138", "action/support plan"),
    (SEED_002, "below_96", ANY, "attendance_lead", "seed 002 lines 134, 139", "signposting"),
    (SEED_002, "below_96", ANY, "attendance_lead", "seed 002 lines 134, 140", "legal sanctions"),
    (NATIONAL, "persistent", ANY, "attendance_lead", "seed 002 lines 238-241", "additional targeted support"),
    (NATIONAL, "persistent", ANY, "governor", "seed 002 lines 238-241", "Regularly review attendance data"),
    (NATIONAL, "persistent", ANY, "la_attendance_officer", "seed 002 lines 238-241", "education supervision orders"),
    (NATIONAL, "severe", ANY, "attendance_lead", "seed 002 lines 243-246", "Agree a joint approach"),
    (NATIONAL, "severe", ANY, "governor", "seed 002 lines 243-246", "Regularly review attendance data"),
    (NATIONAL, "severe", ANY, "la_attendance_officer", "seed 002 lines 243-246", "top priority for support"),
    (PENALTY, "threshold_met", U, "headteacher", "seed 002 line 189", "must be considered"),
]


@pytest.mark.parametrize("policy, band, absence, role, source, words", MATRIX)
def test_each_intervention_of_the_seed_tables(policy, band, absence, role, source, words):
    matches = [i for i in policy.interventions_for(band)
               if i.absence_type == absence and i.role == role and words in i.instruction]
    assert len(matches) == 1, [(i.role, i.absence_type, i.instruction) for i in policy.interventions_for(band)]
    assert matches[0].source.startswith(source)


def test_the_tables_above_hold_every_shipped_intervention():
    for policy in (SEED_001, SEED_002, SEED_003, NATIONAL, PENALTY):
        assert len(policy.interventions) == sum(1 for row in MATRIX if row[0] is policy), policy.id


def test_seed_003_declares_its_inclusion_lead_and_no_other_role_is_invented():
    assert [r.id for r in SEED_003.roles] == ["inclusion_lead"]
    muster = {r.value for r in Role}
    for policy in POLICIES.values():
        declared = {r.id for r in policy.roles}
        assert {i.role for i in policy.interventions} <= muster | declared


def test_seed_002_first_day_call_and_day_10_referral():
    triggers = {t.id: t for t in SEED_002.triggers}
    assert triggers["first_day_call"].day_of_absence == 1
    assert triggers["first_day_call"].task.within_school_days == 1
    assert triggers["first_day_call"].task.recurs == "each_day_of_absence"
    assert triggers["first_day_call"].source == "seed 002 lines 122, 130"
    assert triggers["day_10_referral"].day_of_absence == 10
    assert triggers["day_10_referral"].source == "seed 002 line 132"


def test_the_penalty_notice_framework_as_data():
    assert PENALTY.measure.codes == ("G", "O", "U")
    assert PENALTY.measure.rolling_school_weeks == 10
    notices = PENALTY.penalty_notices
    assert notices.within_years == 3
    first, second, third = notices.offences
    assert [(a.amount_pence, a.paid_within_days) for a in first.amounts] == [(8000, 21), (16000, 28)]
    assert [(a.amount_pence, a.paid_within_days) for a in second.amounts] == [(16000, 28)]
    assert (third.notice, third.amounts) == (False, ())
    assert all("seed 002 line 191" in o.source for o in notices.offences)


def test_the_seed_dates():
    assert (str(SEED_001.applies.start), str(SEED_001.applies.review)) == ("2025-06-01", "2026-06-01")
    assert (str(SEED_002.applies.start), str(SEED_002.applies.review)) == ("2024-09-01", "2025-09-01")


def test_checking_seed_003_reports_its_real_gaps_with_their_edges():
    messages = [(f.severity, f.message) for f in check_policy(SEED_003)]
    assert messages == [
        ("warning", "the source document defines no band for absence exactly 0% [0%, 0%]"),
        ("warning", "the source document defines no band for absence more than 10% up to and "
                    "including 15% (10%, 15%]"),
    ]


def _normal(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"[^a-z0-9%]+", " ", text.lower()).strip()


def _cited_lines(source: str) -> list[tuple[str, int]]:
    found = re.match(r"seed (\d{3}) lines? ([\d ,\-]+)", source)
    if not found:
        return []
    numbers: list[int] = []
    for part in found.group(2).split(","):
        if part.strip():
            first, _, last = part.strip().partition("-")
            numbers.extend(range(int(first), int(last or first) + 1))
    return [(found.group(1), n) for n in numbers]


CITED = [
    (policy.id, kind, item.at, item.source, text)
    for policy in POLICIES.values()
    for kind, items, text_of in (
        ("band", policy.bands, lambda b: b.written),
        ("intervention", policy.interventions, lambda i: i.instruction),
        ("trigger", policy.triggers, lambda t: t.instruction),
    )
    for item in items
    for text in [text_of(item)]
    if _cited_lines(item.source) and text and not text.startswith("(")
]


@pytest.mark.parametrize("policy_id, kind, at, source, text", CITED)
def test_each_cited_seed_line_holds_the_text_it_is_cited_for(policy_id, kind, at, source, text):
    """Opening words of the band or instruction appear on the seed line(s) the source names."""
    if not SEEDS.exists():
        pytest.fail(f"the seeds must be beside the project at {SEEDS} (shared/seeds)")
    lines = {name: (SEEDS / file).read_text(encoding="utf-8").splitlines()
             for name, file in SEED_FILES.items()}
    cited = " ".join(_normal(lines[seed][n - 1]) for seed, n in _cited_lines(source))
    opening = " ".join(_normal(text).split()[:4])
    assert opening in cited, f"{policy_id} {at}: {opening!r} not on {source}"
