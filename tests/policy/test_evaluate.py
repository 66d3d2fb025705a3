"""Evaluating a pupil against a policy: band, explanation, authorised vs unauthorised column,
and the interventions each role owes (issue 3 part 4; seeds 001 and 003)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from muster.core.policy.evaluate import (
    IN_GAP,
    NO_POSSIBLE,
    absence_type,
    applies_on,
    band_indices,
    evaluate,
    period,
    required,
    rolling_start,
)
from muster.core.policy.format import AbsenceType, Period
from muster.core.policy.loader import load_all
from muster.core.policy.placement import place

POLICIES = {p.id: p for p in load_all()}
SEED_001 = POLICIES["vs-attendance-processes-matrix"]
SEED_002 = POLICIES["school-attendance-policy-model"]
SEED_003 = POLICIES["vs-levels-of-intervention-absence"]
NATIONAL = POLICIES["national-persistent-severe-absence"]
PERCENT_POLICIES = [p for p in POLICIES.values() if p.measure.quantity.is_percent]
DAY = dt.date(2026, 6, 15)


def roles_and_sources(interventions):
    return [(i.role, i.absence_type.value, i.source) for i in interventions]


def test_the_issue_example_explains_figure_counts_band_policy_and_date():
    """Issue 3: "87.4% attendance, 312 of 357 possible sessions, band 50-89.9% persistent
    absence, Gloucestershire VS processes, June 2025"."""
    result = evaluate(SEED_001, DAY, dt.date(2025, 8, 1), attended=312, possible=357,
                      authorised=45, unauthorised=0)
    assert result.band_id == "persistent"
    text = result.explanation
    assert text.startswith("87.39% attendance, 312 of 357 possible sessions: band Persistent absence")
    assert "seed 001 line 71" in text
    assert "June 2025" in text
    assert "period 1 Aug 2025 to 15 Jun 2026" in text
    assert "authorised: all 45 sessions missed in the period were authorised" in text


def test_any_unauthorised_session_selects_the_unauthorised_column():
    """Seed 001 line 65: "Investigate and challenge the reasons for any unauthorised absence"."""
    decision = absence_type(authorised=30, unauthorised=1)
    assert decision.absence is AbsenceType.UNAUTHORISED
    assert "1 of the 31 sessions missed" in decision.reason
    assert absence_type(authorised=12, unauthorised=0).absence is AbsenceType.AUTHORISED
    assert "no session was missed" in absence_type(authorised=0, unauthorised=0).reason


def test_seed_001_poor_band_with_unauthorised_absence():
    """Seed 001 lines 68-70: the school and the Virtual School have unauthorised cells; the
    social worker's unauthorised cell is empty, so the authorised one (line 70) stands."""
    work = required(SEED_001, "poor", AbsenceType.UNAUTHORISED)
    assert roles_and_sources(work) == [
        ("designated_teacher", "unauthorised", "seed 001 line 68"),
        ("education_advisor", "unauthorised", "seed 001 line 69"),
        ("social_worker", "authorised", "seed 001 line 70"),
    ]


def test_seed_001_poor_band_with_authorised_absence():
    """Seed 001 lines 68-70, the authorised column."""
    work = required(SEED_001, "poor", AbsenceType.AUTHORISED)
    assert roles_and_sources(work) == [
        ("designated_teacher", "authorised", "seed 001 line 68"),
        ("education_advisor", "authorised", "seed 001 line 69"),
        ("social_worker", "authorised", "seed 001 line 70"),
    ]
    assert work[0].task.title == "Add attendance target to the PEP document"


def test_seed_003_level_2_roles_with_unauthorised_absence():
    """Seed 003 lines 13-16: school and Virtual School act on the unauthorised absence; the
    social worker and inclusion lead have only the authorised cell."""
    work = required(SEED_003, "level_2", AbsenceType.UNAUTHORISED)
    assert [(i.role, i.absence_type.value) for i in work] == [
        ("designated_teacher", "unauthorised"),
        ("education_advisor", "unauthorised"),
        ("social_worker", "authorised"),
        ("inclusion_lead", "authorised"),
    ]


def test_any_absence_interventions_always_apply():
    """Seed 002 line 136: the letter below 96% whatever the absence."""
    for absence in (AbsenceType.AUTHORISED, AbsenceType.UNAUTHORISED):
        titles = [i.task.title for i in required(SEED_002, "below_96", absence) if i.task]
        assert "Write to the parents about attendance below 96%" in titles


def test_a_pupil_in_the_seed_003_gap_is_reported_as_in_no_band():
    """Seed 003 has no band for absence more than 10% up to and including 15% (lines 17, 20)."""
    result = evaluate(SEED_003, DAY, dt.date(2025, 8, 1), attended=176, possible=200,
                      authorised=24, unauthorised=0)
    assert result.in_gap and result.band_id is None and result.interventions == ()
    assert result.explanation.startswith("12.00% absence, 24 of 200 possible sessions missed: in no band")


def test_seed_003_undefined_zero_percent_is_a_gap_too():
    """Seed 003 line 11 starts at "more than 0": full attendance is in no band."""
    result = evaluate(SEED_003, DAY, dt.date(2025, 8, 1), attended=200, possible=200,
                      authorised=0, unauthorised=0)
    assert result.in_gap


def test_no_possible_session_is_not_a_gap():
    result = evaluate(SEED_001, DAY, dt.date(2025, 8, 1), attended=0, possible=0,
                      authorised=0, unauthorised=0)
    assert result.band_id is None and not result.in_gap


@pytest.mark.parametrize("policy", PERCENT_POLICIES, ids=lambda p: p.id)
@pytest.mark.parametrize("possible", [1, 7, 20, 357, 400])
def test_band_indices_agree_with_exact_placement_for_every_figure(policy, possible):
    """The vectorised placement and `place` compare the same whole numbers (reference 0)."""
    attended = np.arange(possible + 1)
    indices = band_indices(policy, attended, np.full(possible + 1, possible))
    for n, index in zip(attended.tolist(), indices.tolist(), strict=True):
        band = place(policy, attended=n, possible=possible).band
        assert index == (policy.bands.index(band) if band else IN_GAP)


def test_band_indices_mark_pupils_with_no_possible_session():
    assert band_indices(NATIONAL, np.array([0]), np.array([0])).tolist() == [NO_POSSIBLE]


def test_year_to_date_runs_from_the_start_of_the_academic_year():
    assert period(SEED_001, DAY) == (dt.date(2025, 8, 1), DAY)
    assert period(SEED_001, dt.date(2026, 9, 3)) == (dt.date(2026, 8, 1), dt.date(2026, 9, 3))


def test_a_rolling_period_counts_school_weeks_and_skips_holiday_weeks():
    """Reference 0, "School week": holiday weeks neither count nor break the period."""
    mondays = np.array(["2026-01-05", "2026-01-12", "2026-01-19", "2026-02-02", "2026-02-09"],
                       dtype="datetime64[D]")  # the week of 26 January is a holiday
    assert rolling_start(mondays, dt.date(2026, 2, 11), 3) == dt.date(2026, 1, 19)
    assert rolling_start(mondays, dt.date(2026, 2, 11), 10) == dt.date(2026, 1, 5)


def test_a_rolling_policy_needs_its_school_weeks():
    from dataclasses import replace

    rolling = replace(SEED_001, measure=replace(SEED_001.measure, period=Period.ROLLING,
                                                rolling_school_weeks=6))
    with pytest.raises(ValueError, match="rolling period"):
        period(rolling, DAY)


def test_a_policy_applies_between_its_dates_inclusive():
    """Seed 001 line 3 "June 2025": in force from 1 June 2025 (month only)."""
    assert not applies_on(SEED_001, dt.date(2025, 5, 31))
    assert applies_on(SEED_001, dt.date(2025, 6, 1))
