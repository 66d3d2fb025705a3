"""Placing a pupil's figures in a policy's band, exactly at the edges (reference 0: "band edges
likewise" compared in whole numbers, never rounded percentages)."""

from __future__ import annotations

import pytest

from muster.core.policy.loader import load_all
from muster.core.policy.placement import place

POLICIES = {p.id: p for p in load_all()}
SEED_001 = POLICIES["vs-attendance-processes-matrix"]
SEED_003 = POLICIES["vs-levels-of-intervention-absence"]
NATIONAL = POLICIES["national-persistent-severe-absence"]


@pytest.mark.parametrize(
    "attended,possible,band",
    [
        (190, 200, "good"),          # exactly 95%: seed 001 "95-100"
        (3799, 4000, "poor"),        # 94.975%: below 95, in "90-94.9" read as [90, 95)
        (180, 200, "poor"),          # exactly 90%
        (8999, 10000, "persistent"),  # 89.99%
        (100, 200, "persistent"),    # exactly 50%
        (99, 200, "significant"),    # 49.5%
        (0, 200, "significant"),
        (200, 200, "good"),
    ],
)
def test_seed_001_bands_at_their_edges(attended, possible, band):
    assert place(SEED_001, attended=attended, possible=possible).band.id == band


@pytest.mark.parametrize(
    "absent,possible,band",
    [(20, 200, "persistent"), (19, 200, "not_persistent"), (100, 200, "severe"), (99, 200, "persistent")],
)
def test_national_persistent_and_severe_absence_at_exactly_10_and_50_percent(absent, possible, band):
    assert place(NATIONAL, attended=possible - absent, possible=possible).band.id == band


def test_a_pupil_in_seed_003s_gap_is_reported_as_in_no_band_with_the_figure():
    placed = place(SEED_003, attended=176, possible=200)  # 12% absence
    assert placed.band is None
    assert placed.explanation.startswith("12.00% absence, 24 of 200 possible sessions missed: in no band")


def test_no_possible_session_gives_no_band():
    placed = place(SEED_001, attended=0, possible=0)
    assert placed.band is None and "no possible sessions" in placed.explanation


def test_the_explanation_names_the_figure_the_counts_the_band_and_its_source():
    placed = place(SEED_001, attended=312, possible=357)
    assert placed.explanation.startswith("87.39% attendance, 312 of 357 possible sessions: band ")
    assert placed.band.source in placed.explanation
